"""Why an activity is linked to a measure, in the words every page and every paper uses."""

from __future__ import annotations

# The stored rationale of a link made from an imported tracker's measures column, before the
# file's name (services.activities writes it; the link's history keeps it as written).
RECORDED = "recorded in the measures column of"


def link_reason(rationale: str) -> str:
    """A link's stored rationale as a person reads it, on a web page or in a report: a link
    made from the programme tracker says so in plain words and names the file; a person's
    own reason is shown as they wrote it."""
    if not rationale.startswith(RECORDED):
        return rationale
    file = rationale[len(RECORDED) :].strip()
    listed = "Listed in the Measures column of the programme tracker"
    return f"{listed}, {file}" if file else listed
