"""The catalogue a locked assessment was reported against: its measures, each at its text then.

The catalogue is every council's, and it grows (an import adds an agreement) and changes (an
import with ``revise`` rewords a measure) after a council has reported. A locked assessment is
the paper that went to committee, so when it is locked the measures of the catalogue are
recorded, each with the version of its text (``Measure.version``); reading the assessment later
cuts the catalogue back to them (`as_recorded`). Pure: the store keeps the record as compact JSON
text (`encode`, `decode`), a backup as a JSON list (`check`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace

from valvecheck.domain.model import Catalogue, Measure
from valvecheck.domain.provenance import MeasureVersion

# (measure id, version of its text) for each measure of the catalogue at the lock
Recorded = tuple[tuple[str, int], ...]

_LIKE = 'a list of [measure, version] pairs, like [["bury-1", 1], ["bury-2", 2]]'


def encode(recorded: Iterable[tuple[str, int]]) -> str:
    """The record as the store keeps it: ``[["bury-1",1],["bury-2",2]]``."""
    return json.dumps([[code, version] for code, version in recorded], separators=(",", ":"))


def decode(text: str) -> Recorded:
    """The record the store keeps as ``text`` (ValueError, saying why, if it is not one)."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        raise ValueError(f"is not {_LIKE}: it is not JSON") from None
    return check(value)


def check(value: object) -> Recorded:
    """``value`` (JSON as read) as a record, or ValueError saying what is wrong with it: it must
    be a list of [measure id, version] pairs, the id text, the version a whole number 1 or
    more, each measure named once."""
    if not isinstance(value, list):
        raise ValueError(f"must be {_LIKE}")
    out: list[tuple[str, int]] = []
    seen: set[str] = set()
    for i, pair in enumerate(value):
        if not isinstance(pair, list) or len(pair) != 2:
            raise ValueError(
                f"item {i} is not a [measure, version] pair: the record must be {_LIKE}"
            )
        code, version = pair
        if not isinstance(code, str) or not code.strip():
            raise ValueError(f'item {i}: the measure must be its id as text, like "bury-1"')
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise ValueError(
                f"item {i}: the version of {code} must be a whole number 1 or more, not "
                f"{json.dumps(version)}"
            )
        if code in seen:
            raise ValueError(f"item {i}: {code} is named twice; each measure is named once")
        seen.add(code)
        out.append((code, version))
    return tuple(out)


def as_recorded(
    catalogue: Catalogue, recorded: Recorded, earlier: Iterable[MeasureVersion]
) -> Catalogue:
    """The catalogue as a locked assessment recorded it: ``catalogue`` (as it is now) cut to the
    ``recorded`` measures, in its order.

    A measure added since is left out; one revised since has the text of the version recorded,
    from ``earlier`` (its earlier texts; without the one recorded, its text now); one deleted
    since is simply absent. An agreement whose measures were all added since is left out, and
    so are the authorities only such agreements name: "N measures of M agreements of K
    authorities" is what it was. Nothing cut (the catalogue has not changed since the lock):
    ``catalogue`` itself.
    """
    versions = dict(recorded)
    texts = {(v.measure_id, v.version): v for v in earlier}
    measures: list[Measure] = []
    changed = False
    for m in catalogue.measures:
        version = versions.get(m.id)
        if version is None:
            changed = True
            continue
        then = texts.get((m.id, version)) if version != m.version else None
        if then is not None:
            m = _as_then(m, then)
            changed = True
        measures.append(m)
    if not changed:
        return catalogue
    kept = {m.agreement for m in measures}
    had = {m.agreement for m in catalogue.measures}
    # an agreement that had no measure to cut (none yet) is as it was
    agreements = [a for a in catalogue.agreements if a.slug in kept or a.slug not in had]
    named = {s for a in agreements for s in a.authorities}
    named_before = {s for a in catalogue.agreements for s in a.authorities}
    authorities = [
        a for a in catalogue.authorities if a.slug in named or a.slug not in named_before
    ]
    # the programme is the council's own, as it is now (a report undoes its changes since the
    # lock itself: domain/views.programme_before)
    return Catalogue(authorities, agreements, measures, catalogue.programme)


def _as_then(m: Measure, then: MeasureVersion) -> Measure:
    """The measure with an earlier text. Its web address and place in the document are kept
    only when the document is the same one (an earlier text keeps its document's title only)."""
    same_document = then.source_title == m.source_title
    return replace(
        m,
        text=then.text,
        version=then.version,
        source_title=then.source_title,
        imported_at=then.imported_at,
        source_url=m.source_url if same_document else "",
        source_locator=m.source_locator if same_document else "",
    )
