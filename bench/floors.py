"""The bare floors the report writers are measured against, in the same run.

Each floor writes the same tables of the same report model with the library alone: every
section's rows, the same cell values, one table (Word) or sheet (Excel) per section, and nothing
else (no shading, row flags, widths, formats, row heights or properties).
"""

from __future__ import annotations

from pathlib import Path

from valvecheck.reports.model import ReportData

Table = tuple[str, list[str], list[list[object]]]


def _join(values: tuple[str, ...]) -> str:
    return "\n".join(values)


def tables(data: ReportData) -> list[Table]:
    """(name, header, rows) of every section, with the cell values the report writes."""
    measure = ["ID", "LA", "Recommendation", "Theme", "Sub-Theme"]
    out: list[Table] = [
        (
            "Appendix",
            [*measure, "RAG", "Rationale"],
            [
                [r.id, r.la, r.recommendation, _join(r.themes), _join(r.sub_themes)]
                + [r.rag.label, r.rationale]
                for r in data.rows
            ],
        ),
        (
            "Summary",
            ["Theme", "Sub-Theme", "Measures", *[r.label for r in data.columns], "Coverage"],
            [
                [s.theme, s.sub_theme or "", s.measures]
                + [s.counts.get(r, 0) for r in data.columns]
                + [round(s.coverage, 4)]
                for s in [*data.themes, data.total]
            ],
        ),
    ]
    for name, rows in (("Opportunities", data.opportunities), ("Unrated", data.unrated)):
        out.append(
            (
                name,
                [*measure, "Rationale"],
                [
                    [r.id, r.la, r.recommendation, _join(r.themes), _join(r.sub_themes)]
                    + [r.rationale]
                    for r in rows
                ],
            )
        )
    if data.links:
        out.append(
            (
                "Links",
                ["Activity", "Measure", "LA", "RAG", "Rationale"],
                [
                    [
                        f"{k.activity}: {k.activity_title}",
                        f"{k.measure}: {k.recommendation}",
                        k.la,
                        k.rag.label,
                        k.rationale,
                    ]
                    for k in data.links
                ],
            )
        )
    return out


def bare_docx(data: ReportData, path: Path) -> None:
    """python-docx as its documentation shows: add_table, then add_row and cell.text per cell."""
    from docx import Document

    doc = Document()
    for _, header, rows in tables(data):
        table = doc.add_table(rows=1, cols=len(header))
        for cell, name in zip(table.rows[0].cells, header, strict=True):
            cell.text = name
        for values in rows:
            for cell, value in zip(table.add_row().cells, values, strict=True):
                cell.text = str(value)
    doc.save(str(path))


def bare_xlsxwriter(data: ReportData, path: Path) -> None:
    """XlsxWriter in constant-memory mode: write_row per row, no formats."""
    from xlsxwriter import Workbook

    wb = Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False})
    for name, header, rows in tables(data):
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, header)
        for n, values in enumerate(rows, start=1):
            ws.write_row(n, 0, values)
    wb.close()


def bare_openpyxl(data: ReportData, path: Path) -> None:
    """openpyxl as its documentation shows: Workbook(), ws.append per row, save."""
    from openpyxl import Workbook

    wb = Workbook()
    first = True
    for name, header, rows in tables(data):
        ws = wb.active if first else wb.create_sheet()
        assert ws is not None
        ws.title, first = name, False
        ws.append(header)
        for values in rows:
            ws.append(values)
    wb.save(str(path))
