"""Labelled activities for evaluating suggestions: activity_id, title, description, expected_measures;
and labelled pairs of measure texts for evaluating common measures: text_a, text_b[, same].

``expected_measures`` holds measure ids joined by ';' and is empty when no measure applies.
"""

from __future__ import annotations

from valvecheck.analysis.evaluate import Labelled
from valvecheck.domain.problems import Parsed, Problem
from valvecheck.importers.activities import OTHER_FORMATS, is_workbook, read_activities
from valvecheck.importers.activities_csv import delimiter_for, filled_rows
from valvecheck.importers.activity_rows import HEADER_SEARCH, find_header, header_key
from valvecheck.importers.container import OLE_MAGIC
from valvecheck.importers.delimited import too_wide
from valvecheck.importers.text import decode

EXPECTED = ("expected measures", "expected", "measures", "expected measure ids")


def read_labelled_csv(data: bytes, file: str, known: set[str]) -> Parsed[Labelled]:
    """Activities with their expected measure ids; an id not in ``known`` is a problem.

    Read as an activities CSV is (comma or semicolon separated, the header below any title);
    a workbook or another kind of file is answered with how to save it as CSV.
    """
    if problem := _not_csv(data, file):
        return Parsed(problems=[problem])
    parsed = read_activities(data, file)
    if parsed.problems:
        return Parsed(problems=parsed.problems)
    text, _ = decode(data, file)
    rows = list(filled_rows(text or "", delimiter_for(text or "", {})))
    header_line, header_cells = rows[find_header(rows[:HEADER_SEARCH], {})]
    header = [header_key(c) for c in header_cells]
    column = next((header.index(h) for h in EXPECTED if h in header), None)
    if column is None:
        return Parsed(
            problems=[
                Problem(
                    "missing-column",
                    "there is no expected_measures column",
                    file,
                    header_line,
                    "expected_measures",
                )
            ]
        )
    cells = dict(rows)
    out: Parsed[Labelled] = Parsed()
    for activity, number in zip(parsed.rows, parsed.lines, strict=True):
        row = cells[number]
        cell = row[column] if column < len(row) else ""
        expected = tuple(m.strip() for m in cell.split(";") if m.strip())
        for mid in expected:
            if mid not in known:
                out.problems.append(
                    Problem(
                        "unknown-measure",
                        f"there is no measure '{mid}'",
                        file,
                        number,
                        header_cells[column],
                    )
                )
        out.rows.append(Labelled(activity.id, activity.title, activity.description, expected))
    return out


def _not_csv(data: bytes, file: str) -> Problem | None:
    suffix = "." + file.rsplit(".", 1)[-1].lower() if "." in file else ""
    if is_workbook(data, file) or suffix == ".xls" or data.startswith(OLE_MAGIC):
        kind = "an Excel workbook"
    elif kind := OTHER_FORMATS.get(suffix) or ("a PDF" if data.startswith(b"%PDF") else ""):
        pass
    else:
        return None
    return Problem(
        "not-csv",
        f"labelled activities are read from a CSV file, and this is {kind}: save it as CSV "
        "(comma or semicolon separated) and use that file",
        file,
    )


PAIR_COLUMNS = ("text_a", "text_b")
_SAME = {"1": True, "yes": True, "true": True, "y": True, "0": False, "no": False, "false": False}


def read_pairs_csv(data: bytes, file: str) -> Parsed[tuple[str, str, bool]]:
    """Pairs of measure texts (text_a, text_b), and whether they say the same thing.

    An optional ``same`` column (1/0, yes/no) says so per pair; without one every pair is two
    wordings of one measure. Comma or semicolon separated, header on the first line.
    """
    if problem := _not_csv(data, file):
        return Parsed(problems=[problem])
    text, problems = decode(data, file)
    if text is None:
        return Parsed(problems=problems)
    delimiter = (
        ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    )
    rows = list(filled_rows(text, delimiter))
    out: Parsed[tuple[str, str, bool]] = Parsed()
    if not rows:
        out.problems.append(Problem("empty-file", "the file is empty", file))
        return out
    header_line, header_cells = rows[0]
    header = [header_key(c).replace(" ", "_") for c in header_cells]
    for name in PAIR_COLUMNS:
        if name not in header:
            out.problems.append(
                Problem(
                    "missing-column",
                    f"there is no {name} column (the file needs text_a and text_b)",
                    file,
                    header_line,
                    name,
                )
            )
    if out.problems:
        return out
    a, b = header.index("text_a"), header.index("text_b")
    same = header.index("same") if "same" in header else None
    for number, cells in rows[1:]:
        if wide := too_wide(cells, len(header_cells), header_line, file, number, delimiter):
            out.problems.append(wide)
            continue
        pair = [cells[i].strip() if i < len(cells) else "" for i in (a, b)]
        for name, value in zip(PAIR_COLUMNS, pair, strict=True):
            if not value:
                out.problems.append(
                    Problem("missing-value", f"the {name} cell is empty", file, number, name)
                )
        label = True
        if same is not None:
            cell = cells[same].strip().lower() if same < len(cells) else ""
            if cell not in _SAME:
                out.problems.append(
                    Problem(
                        "bad-value",
                        f"'{cell}' in the same column is neither 1 (the same measure) nor 0",
                        file,
                        number,
                        "same",
                    )
                )
                continue
            label = _SAME[cell]
        if all(pair):
            out.rows.append((pair[0], pair[1], label))
    if len(rows) == 1:
        out.problems.append(Problem("no-rows", "the file has a header but no pairs", file))
    return out
