"""Helpers for the report tests: one workspace and one set of reports per test module."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from docx.oxml.ns import qn

from valvecheck.analysis.summary import Summary, summarise
from valvecheck.services.measures import AssessmentState, load_state
from valvecheck.services.reports import write_reports
from valvecheck.services.workspace import init_workspace
from valvecheck.store.db import Workspace

# Frozen so the golden files do not change from day to day; after every rating a test makes,
# since a report shows the position as at its date.
DAY = date(2099, 5, 1)


@dataclass
class Built:
    ws: Workspace
    db: str
    out: Path
    state: AssessmentState
    summary: Summary

    def file(self, name: str) -> Path:
        return self.out / name


def build(base: Path, fmt: str = "all") -> Built:
    """A workspace with the seed's assessment, and its reports written once."""
    db = str(base / "valvecheck.db")
    ws = Workspace(db)
    init_workspace(ws)
    out = base / "out"
    write_reports(ws, fmt, out, on=DAY)
    state = load_state(ws)
    return Built(ws, db, out, state, summarise(state.catalogue, state.ratings))


def expected_row(view) -> list[str]:
    """An appendix row as every office format writes it (several values one per line)."""
    m = view.measure
    return [view.la, m.text, "\n".join(m.themes), "\n".join(m.sub_themes), view.rag.label]


def docx_fill(cell) -> str | None:
    shd = cell._tc.tcPr.find(qn("w:shd")) if cell._tc.tcPr is not None else None
    return None if shd is None else shd.get(qn("w:fill"))


def docx_row_flags(row) -> set[str]:
    tr_pr = row._tr.trPr
    if tr_pr is None:
        return set()
    return {child.tag.split("}")[1] for child in tr_pr}


def summary_lines(summary_json: dict) -> list[tuple[str, str, int, dict[str, int]]]:
    """Theme and sub-theme rows of `summary --json`, in order, then the total."""
    out = []
    for t in summary_json["themes"]:
        out.append((t["name"], "", t["measures"], t["rag"]))
        out.extend((t["name"], s["name"], s["measures"], s["rag"]) for s in t["sub_themes"])
    out.append(("All measures", "", summary_json["measures"], summary_json["rag"]))
    return out
