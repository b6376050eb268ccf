"""Helpers for the report tests: one workspace and one set of reports per test module."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from conftest import need
from docx.oxml.ns import qn
from support import load_state, write_reports

from valvecheck.analysis.summary import Summary, summarise
from valvecheck.domain.views import AssessmentState
from valvecheck.services.workspace import init_workspace
from valvecheck.store.db import Workspace

# Frozen so the golden files do not change from day to day; after every rating a test makes,
# since a report shows the position as at its date.
DAY = date(2099, 5, 1)


@contextmanager
def today_is(day: date = DAY) -> Iterator[None]:
    """The workspace's clock at noon on ``day`` (a report may not be dated after today): every
    unit of work opened meanwhile, and a workspace made meanwhile, read it."""
    with pytest.MonkeyPatch.context() as patch:
        noon = datetime.combine(day, time(12), UTC)
        patch.setattr("valvecheck.services.workspace.utc_now", lambda: noon)
        yield


@pytest.fixture
def day_is_today() -> Iterator[None]:
    """Today is ``DAY`` for the test (and the workspace it makes)."""
    with today_is():
        yield


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
    with today_is():
        init_workspace(ws)
        out = base / "out"
        write_reports(ws, fmt, out, on=DAY)
        state = load_state(ws)
    return Built(ws, db, out, state, summarise(state.catalogue, state.ratings))


def expected_row(view, between: str = "\n") -> list[str]:
    """An appendix row's LA to RAG cells as the office formats write them, after the measure's
    ID: several themes or sub-themes joined by ``between`` ("; " in every format now)."""
    m = view.measure
    return [view.la, m.text, between.join(m.themes), between.join(m.sub_themes), view.rag.label]


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


# -- the sections of each format, read back from the files ----------------------------------
# Each reader returns [(heading, keys)] in document order: the heading as the reader sees it
# and the rows of the section's table by their identity (measure ids; theme or sub-theme names
# for the summary; (activity, measure) ids for links). A section said to be empty has no keys.

Sections = list[tuple[str, list[object]]]


def model_sections(data) -> Sections:
    """What every format must show: the report model's sections and their rows."""
    keys = {
        "appendix": [r.id for r in data.rows],
        "summary": [s.name for s in [*data.themes, data.total]],
        "opportunities": [r.id for r in data.opportunities],
        "unrated": [r.id for r in data.unrated],
        "links": [(k.activity, k.measure) for k in data.links],
    }
    return [(s.heading, keys[s.key]) for s in data.sections]


def _keys(heading: str, rows: list[list[str]]) -> list[object]:
    """A section's keys from its table's body rows (text cells, in the layout of Word/HTML/MD)."""
    if heading.startswith("Summary"):
        return [row[1] or row[0] for row in rows]
    if heading.startswith("Activities linked"):
        return [(row[0].split(":", 1)[0], row[1].split(":", 1)[0]) for row in rows]
    return [row[0] for row in rows]


def docx_sections(path: Path) -> Sections:
    from docx import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    doc = Document(str(path))
    out: Sections = []
    title_seen = False
    for block in doc.iter_inner_content():
        if isinstance(block, Paragraph) and block.style is not None:
            if block.style.name == "Heading 1":
                if title_seen:
                    out.append((block.text, []))
                title_seen = True
        elif isinstance(block, Table) and out:
            rows = [[c.text for c in row.cells] for row in block.rows[1:]]
            out[-1] = (out[-1][0], _keys(out[-1][0], rows))
    return out


def xlsx_sections(path: Path) -> Sections:
    """Sheets by name (after the About sheet, which is no section); keys from the Measure ID /
    Activity ID columns, or the theme names."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    assert wb.sheetnames[0] == "About"
    out: Sections = []
    for ws in wb.worksheets[1:]:
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        header, body = rows[0], rows[1:]
        if "Activity ID" in header:
            a, m = header.index("Activity ID"), header.index("Measure ID")
            keys: list[object] = [(r[a], r[m]) for r in body]
        elif "Measure ID" in header:
            keys = [r[header.index("Measure ID")] for r in body]
        else:
            theme, sub = header.index("Theme"), header.index("Sub-Theme")
            keys = [r[sub] or r[theme] for r in body]
        out.append((ws.title, keys))
    wb.close()
    return out


def html_sections(path: Path) -> Sections:
    import html5lib

    ns = "{http://www.w3.org/1999/xhtml}"
    tree = html5lib.parse(path.read_text(encoding="utf-8"))
    main = next(tree.iter(f"{ns}main"))
    out: Sections = []

    def text(e) -> str:
        return " ".join("".join(e.itertext()).split())

    def tables(element):  # type: ignore[no-untyped-def]
        """A table of main's, bare or in the box it scrolls in on a narrow screen."""
        if element.tag == f"{ns}table":
            return [element]
        return list(element.iter(f"{ns}table")) if element.tag == f"{ns}div" else []

    for element in main:
        if element.tag == f"{ns}h2":
            out.append((text(element), []))
        for table in tables(element) if out else []:
            rows = [
                [text(c) for c in tr if c.tag in (f"{ns}td", f"{ns}th")]
                for part in ("tbody", "tfoot")
                for body in table.iter(f"{ns}{part}")
                for tr in body.iter(f"{ns}tr")
            ]
            if out[-1][0].startswith("Summary"):
                rows = [["", row[0]] for row in rows]  # one name column: theme or sub-theme
            out[-1] = (out[-1][0], _keys(out[-1][0], rows))
    return out


def md_sections(path: Path) -> Sections:
    import re

    out: Sections = []
    rows: list[list[str]] = []

    def close() -> None:
        if out:
            # the header and the rule are the first two lines of a table
            body = [[c.replace("\\", "").strip("* ") for c in r] for r in rows[2:]]
            out[-1] = (out[-1][0], _keys(out[-1][0], body))

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            close()
            out.append((line[3:].replace("\\", ""), []))
            rows = []
        elif line.startswith("| "):
            rows.append([c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]])
    close()
    return out


# -- a large catalogue --------------------------------------------------------------------------


def large_catalogue_csv(agreements: int, per_agreement: int = 25) -> bytes:
    """A catalogue CSV of agreements x measures in the seed's own words (each agreement draws
    distinct seed texts, its authority's name swapped in), about 60% of them rated."""
    import csv
    import io
    import random

    from valvecheck.catalogue.loader import load_catalogue

    rng = random.Random(5)
    base = load_catalogue()
    names = [a.name for a in base.authorities]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["LA", "Recommendation", "Theme", "Sub-Theme", "RAG"])
    for i in range(1, agreements + 1):
        la = f"Council {i:04d}"
        for m in rng.sample(base.measures, min(per_agreement, len(base.measures))):
            text = m.text
            for name in names:
                text = text.replace(name, la)
            rag = rng.choice(["Green", "Amber", "Red"]) if rng.random() < 0.6 else ""
            for p in m.placements:
                writer.writerow([la, text, p.theme, p.sub_theme or "", rag])
    return out.getvalue().encode("utf-8")


def rendered_text(documents: list[Path], folder: Path) -> dict[Path, str]:
    """Each Word file as LibreOffice lays it out (DejaVu Sans, wider than Calibri), read back
    from its PDF by pdftotext: what a council officer's copy shows, line by line."""
    need(shutil.which("libreoffice") is not None, "LibreOffice is not installed")
    need(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils) is not installed")
    subprocess.run(
        [
            "libreoffice",
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            *map(str, documents),
        ],
        capture_output=True,
        timeout=180,
        check=True,
    )
    return {
        path: subprocess.run(
            ["pdftotext", "-raw", str(folder / (path.stem + ".pdf")), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for path in documents
    }
