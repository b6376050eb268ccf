"""The column map every table import shares: which heading in the file is which column.

Written ``COLUMN=HEADING,COLUMN=HEADING`` (``"id=Project Ref,title=Project Name"``); headings are
compared folded (case, spacing, hyphens and quotes do not matter), as the built-in names are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from valvecheck.domain.names import fold
from valvecheck.errors import InputError


def parse_column_map(
    text: str | None, known: Mapping[str, str], columns: Sequence[str]
) -> dict[str, str]:
    """'Recommendation=Measure text,LA=Council' -> {heading (folded): column}.

    ``known`` gives the column for each name a COLUMN may be written as (folded); ``columns``
    are the names listed when one is not known.
    """
    out: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        column, sep, heading = part.partition("=")
        canonical = known.get(fold(column))
        if not sep or not heading.strip() or canonical is None:
            raise InputError(
                f"'{part.strip()}' should be COLUMN=HEADING, where COLUMN is one "
                f"of {', '.join(columns)}",
                field="column_map",
            )
        if "=" in heading:  # pairs run together: "id=Ref;title=Name", "id=Ref title=Name"
            pairs = [p.strip() for p in re.split(r"[;|]|\s+(?=[^\s=]+=)", part) if p.strip()]
            raise InputError(
                f"'{part.strip()}' holds more than one COLUMN=HEADING: separate them with ',', "
                f"as in {','.join(pairs)}",
                field="column_map",
            )
        out[fold(heading)] = canonical
    return out


def not_read(headings: Sequence[str], map_hint: bool = True) -> str:
    """What every table import says of the columns it did not read: "columns not read: 'Budget',
    'Comments'" (the first eight, then "and more"). ``map_hint``: the import takes a column map,
    and the note says what one is for."""
    listed = ", ".join(f"'{h}'" for h in headings[:8]) + (" and more" if len(headings) > 8 else "")
    said = f"{'column' if len(headings) == 1 else 'columns'} not read: {listed}"
    if map_hint:
        said += (
            " (a column map names the detail a column holds when its heading is not one "
            "Valvecheck knows)"
        )
    return said
