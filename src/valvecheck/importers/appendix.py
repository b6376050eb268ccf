"""The seed's document form: Appendix A of a committee report, saved as text.

Tab-separated rows under the header ``LA, Recommendation, Theme, Sub-Theme, RAG``. Around the
table: a title and prose, the title and header repeated at each page break. A recommendation
repeated on a second row carries a second sub-theme. Cells may be blank, quoted or padded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from valvecheck.domain.authorities import AuthorityIndex, agreement_slug, split_authorities
from valvecheck.domain.model import Agreement, Authority, Catalogue, Measure, Placement, measure_id
from valvecheck.domain.names import clean_text, fold
from valvecheck.domain.numbering import SIMILAR, number_measures, rewordings, similarity
from valvecheck.domain.problems import Parsed, Problem
from valvecheck.domain.rag import Rag
from valvecheck.errors import InputError
from valvecheck.importers import limits
from valvecheck.importers.text import decode

COLUMNS = ("LA", "Recommendation", "Theme", "Sub-Theme", "RAG")
_HEADER = tuple(fold(c) for c in COLUMNS)


@dataclass(frozen=True)
class AppendixRow:
    line: int
    row: int  # 1-based position among the table's data rows
    la: str
    recommendation: str
    theme: str
    sub_theme: str
    rag: Rag
    # Provenance other formats know: "page 2, row 5", or a per-row year and source URL.
    locator: str = ""
    year: str = ""
    source_url: str = ""
    # Where problems name it: the file and its part ("f.xlsx, sheet S"), the text's own heading.
    where: str = ""
    heading: str = "Recommendation"


@dataclass(frozen=True)
class AppendixHints:
    """What the prose around the table says: the document title and the assessing council."""

    title: str = ""
    council: str = ""
    # what the file held that was left out or read with a warning ("left out the hidden sheet
    # 'Old 2023'"), for the result sentence and the preview
    notes: tuple[str, ...] = ()


def _cells(line: str) -> list[str]:
    return [clean_text(c) for c in line.rstrip("\r\n").rstrip(" ").split("\t")]


def _is_header(cells: list[str]) -> bool:
    folded = tuple(fold(c) for c in cells)
    return folded[: len(_HEADER)] == _HEADER and not any(folded[len(_HEADER) :])


def _looks_like_header(cells: list[str]) -> bool:
    folded = {fold(c) for c in cells}
    return "recommendation" in folded or ("la" in folded and "rag" in folded)


def read_appendix(data: bytes, file: str) -> tuple[Parsed[AppendixRow], AppendixHints]:
    """Read the table's rows, reporting every problem rather than stopping at the first."""
    parsed: Parsed[AppendixRow] = Parsed()
    text, problems = decode(data, file)
    if text is None:
        parsed.problems.extend(problems)
        return parsed, AppendixHints()

    lines = text.splitlines()
    seen_header = False
    row_no = 0
    title = ""
    council = ""
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        cells = _cells(raw)
        if len(cells) == 1:  # prose, the title, or the page-break "APPENDIX A"
            title, council = note_prose(cells[0], title, council, before_table=not seen_header)
            continue
        if _is_header(cells):
            seen_header = True
            continue
        if not seen_header and not _looks_like_header(cells):
            # prose with a tab in it before the table: a bullet list, a signature block
            prose = " ".join(c for c in cells if c)
            title, council = note_prose(prose, title, council, before_table=True)
            continue
        if _looks_like_header(cells):
            expected = ", ".join(COLUMNS)
            got = ", ".join(c for c in cells if c)
            parsed.problems.append(
                Problem(
                    "bad-header",
                    f"the table header must be the columns {expected} (tab-separated); found: {got}",
                    file,
                    number,
                )
            )
            seen_header = seen_header or _looks_like_header(cells)
            continue
        row_no += 1
        if (too_many := limits.too_many_catalogue_rows(row_no, file)) is not None:
            parsed.problems.append(too_many)
            return parsed, AppendixHints(title=title, council=council)
        row = check_row(cells, number, row_no, file, parsed.problems)
        if row is not None:
            parsed.rows.append(row)

    if not seen_header and not parsed.problems:
        parsed.problems.append(
            Problem(
                "missing-header",
                f"no table found: expected a tab-separated header row {', '.join(COLUMNS)}",
                file,
            )
        )
    elif seen_header and not parsed.rows and not parsed.problems:
        parsed.problems.append(Problem("no-rows", "the table has a header but no rows", file))
    return parsed, AppendixHints(title=title, council=council)


def note_prose(prose: str, title: str, council: str, before_table: bool) -> tuple[str, str]:
    """What a line of prose adds: the document title (before the table), the assessing council."""
    if not title and ":" in prose and before_table and len(prose) < 200:
        title = prose.replace("Safely Valve", "Safety Valve")  # the seed's own typo
    found = re.match(r"^([A-Z][\w'&,. -]{1,60}?) has cross-referenced", prose)
    if found and not council:
        council = found.group(1)
    return title, council


def check_row(
    cells: list[str], line: int, row_no: int, file: str, problems: list[Problem]
) -> AppendixRow | None:
    """One row's five cells (LA, Recommendation, Theme, Sub-Theme, RAG) checked; None if refused."""
    if len(cells) < len(COLUMNS):
        missing = ", ".join(COLUMNS[len(cells) :])
        problems.append(
            Problem(
                "missing-column",
                f"this row has {len(cells)} cells but the table has {len(COLUMNS)}; "
                f"missing: {missing} (keep the tab for a blank cell)",
                file,
                line,
                COLUMNS[len(cells)],
            )
        )
        return None
    if any(cells[len(COLUMNS) :]):
        problems.append(
            Problem(
                "extra-column",
                f"this row has more than {len(COLUMNS)} cells: '{cells[len(COLUMNS)]}'",
                file,
                line,
                str(len(COLUMNS) + 1),
            )
        )
        return None
    la, recommendation, theme, sub_theme, rag_text = cells[: len(COLUMNS)]
    ok = True
    for column, value in (("LA", la), ("Recommendation", recommendation)):
        if not value:
            problems.append(
                Problem("missing-value", f"the {column} cell is empty", file, line, column)
            )
            ok = False
    if sub_theme and not theme:
        problems.append(
            Problem(
                "sub-theme-without-theme",
                f"sub-theme '{sub_theme}' is given without a theme",
                file,
                line,
                "Theme",
            )
        )
        ok = False
    try:
        rag = Rag.parse_cell(rag_text)
    except InputError as exc:
        problems.append(Problem("unknown-rag", str(exc), file, line, "RAG"))
        ok = False
        rag = Rag.UNRATED
    if rag is Rag.NOT_APPLICABLE:
        problems.append(
            Problem(
                "reason-required",
                "a measure rated not applicable needs a reason, and this table has no place for "
                "one: leave the cell blank, and after importing rate the measure not applicable "
                "with its reason",
                file,
                line,
                "RAG",
            )
        )
        ok = False
    if not ok:
        return None
    return AppendixRow(line, row_no, la, recommendation, theme, sub_theme, rag)


def to_catalogue(
    rows: list[AppendixRow],
    file: str,
    known: list[Authority],
    year: str = "",
    source_title: str = "",
    source_url: str = "",
    existing: dict[str, str] | None = None,
    numbered: dict[str, dict[int, str]] | None = None,
    revise: bool = False,
) -> tuple[Catalogue, dict[str, Rag], list[Problem]]:
    """Assemble agreements, numbered measures, placements and ratings from the table's rows.

    An agreement is named after its authorities ("bury", "kingston-richmond"). ``existing`` maps
    the workspace's agreement slugs to their years: a council's second agreement, of another
    year, is named with its year ("bury-2023-24") so it never revises the first one's measures.
    ``numbered`` gives each existing agreement's measure texts by number, so that a document
    imported again keeps its measures' ids (see ``domain.numbering``).
    """
    index = AuthorityIndex(known)
    years = dict(existing or {})
    catalogue = Catalogue()
    agreements: dict[str, Agreement] = {}
    measures: dict[tuple[str, str], dict] = {}
    rated: dict[tuple[str, str], Rag] = {}
    problems: list[Problem] = []

    for row in rows:
        authorities = [index.resolve(n) for n in split_authorities(row.la)]
        row_year = row.year or year
        slug = agreement_slug(authorities)
        first_year = years.setdefault(slug, row_year)
        if first_year and row_year and first_year != row_year:
            slug = f"{slug}-{row_year.replace('/', '-')}"
        if slug not in agreements:
            names = " and ".join(a.name for a in authorities)
            agreements[slug] = Agreement(
                slug=slug,
                title=f"{names} Safety Valve agreement" + (f" {row_year}" if row_year else ""),
                authorities=tuple(a.slug for a in authorities),
                year=row_year,
                source_title=source_title,
                source_url=row.source_url or source_url,
            )
        key = (slug, fold(row.recommendation))
        placement = Placement(row.theme, row.sub_theme or None) if row.theme else None
        entry = measures.get(key)
        if entry is None:
            entry = {
                "row": row,
                "text": row.recommendation,
                "placements": [],
                "locator": row.locator or f"table row {row.row}",
                "source_url": row.source_url,  # a row's own source, not its agreement's first
            }
            measures[key] = entry
        if placement and placement not in entry["placements"]:
            entry["placements"].append(placement)
            catalogue.programme.add(placement.theme, placement.sub_theme)
        before = rated.get(key, Rag.UNRATED)
        if row.rag is not Rag.UNRATED:
            if before is not Rag.UNRATED and before is not row.rag:
                problems.append(
                    Problem(
                        "conflicting-rag",
                        f"this recommendation is repeated with a different rating "
                        f"({before.label} then {row.rag.label})",
                        file,
                        row.line,
                        "RAG",
                    )
                )
            rated[key] = row.rag

    for slug in agreements:
        keys = [k for k in measures if k[0] == slug]
        texts = [measures[k]["text"] for k in keys]
        existing_texts = (numbered or {}).get(slug)
        if existing_texts and not revise:
            problems += [
                reworded(measures[keys[i]]["row"], file, measure_id(slug, n), existing_texts[n])
                for i, n in rewordings(texts, existing_texts)
            ]
        for k, number in zip(keys, number_measures(texts, existing_texts, revise), strict=True):
            measures[k]["number"] = number
    ratings = {measure_id(k[0], measures[k]["number"]): rag for k, rag in rated.items()}

    catalogue.authorities = index.used
    catalogue.agreements = list(agreements.values())
    catalogue.measures = [
        Measure(
            agreement=slug,
            number=e["number"],
            text=e["text"],
            placements=tuple(e["placements"]),
            source_locator=e["locator"],
            source_url=e["source_url"],
        )
        for (slug, _), e in measures.items()
    ]
    return catalogue, ratings, problems


def reworded(row: AppendixRow, file: str, measure: str, before: str) -> Problem:
    """A plain import meeting a row that rewords a measure: refused, never a second measure
    beside it nor a silent rewrite (``domain.numbering.rewordings``)."""
    shown = before if len(before) <= 80 else before[:77].rstrip() + "..."
    if similarity(row.recommendation, before) >= SIMILAR:
        what = f"this text rewords measure {measure} of the same agreement ('{shown}')"
    else:
        what = (
            f"this text stands in the place of measure {measure} of the same agreement "
            f"('{shown}'), which the file leaves out"
        )
    return Problem(
        "reworded-measure",
        f"{what}, and a plain import neither adds a second copy of a measure nor changes its "
        "text: if this is a new version of the agreement, import it as one (the changes are "
        f"shown first, and the old text is kept); if it is a new measure, keep {measure}'s own "
        "row in the file too",
        row.where or file,
        row.line,
        row.heading,
    )
