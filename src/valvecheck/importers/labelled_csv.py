"""Labelled activities for evaluating suggestions: activity_id, title, description, expected_measures.

``expected_measures`` holds measure ids joined by ';' and is empty when no measure applies.
"""

from __future__ import annotations

import csv
import io

from valvecheck.analysis.evaluate import Labelled
from valvecheck.domain.problems import Parsed, Problem
from valvecheck.importers.activities_csv import read_activities_csv
from valvecheck.importers.activity_rows import header_key
from valvecheck.importers.text import decode

EXPECTED = ("expected measures", "expected", "measures", "expected measure ids")


def read_labelled_csv(data: bytes, file: str, known: set[str]) -> Parsed[Labelled]:
    """Activities with their expected measure ids; an id not in ``known`` is a problem."""
    parsed = read_activities_csv(data, file)
    if parsed.problems:
        return Parsed(problems=parsed.problems)
    text, _ = decode(data, file)
    rows = [r for r in csv.reader(io.StringIO(text or "", newline="")) if any(c.strip() for c in r)]
    header = [header_key(c) for c in rows[0]]
    column = next((header.index(h) for h in EXPECTED if h in header), None)
    if column is None:
        return Parsed(
            problems=[
                Problem(
                    "missing-column",
                    "there is no expected_measures column",
                    file,
                    1,
                    "expected_measures",
                )
            ]
        )
    out: Parsed[Labelled] = Parsed()
    for number, (activity, row) in enumerate(zip(parsed.rows, rows[1:], strict=True), start=2):
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
                        rows[0][column],
                    )
                )
        out.rows.append(Labelled(activity.id, activity.title, activity.description, expected))
    return out
