"""The monitoring pack: a position statement per measure, and what changed since a date.

The shape councils send to DfE each monitoring period. Written twice from the same rows: as
Word (to send, edit and sign off) and as Markdown (to review in a wiki or pull request).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from valvecheck.domain.moments import in_england
from valvecheck.domain.rag import Rag
from valvecheck.errors import InputError
from valvecheck.reports import docx as word
from valvecheck.reports import docx_rows
from valvecheck.reports import markdown as md
from valvecheck.reports.docx_page import add_running_text, keep_with_next
from valvecheck.reports.model import Change, ReportData, ReportRow, Tick, long_date

COLUMNS = ("ID", "LA", "Recommendation", "RAG", "Position (rationale)", "Changes since")


def columns(data: ReportData) -> tuple[str, ...]:
    """The table's header: 'Changes since 1 January 2026' names the period's start, which a
    reader of the third page no longer has in view above the table."""
    assert data.since is not None
    return (*COLUMNS[:-1], f"{COLUMNS[-1]} {long_date(data.since)}")


@dataclass(frozen=True)
class Position:
    row: ReportRow
    was: Rag  # the rating when the period began
    changes: list[Change]

    @property
    def moved(self) -> bool:
        return self.was is not self.row.rag


def positions(data: ReportData) -> list[Position]:
    if data.since is None:
        raise InputError("the position statement needs --since DATE (the start of the period)")
    return [Position(r, data.rag_at_since(r), data.changes(r)) for r in data.rows]


def change_text(change: Change) -> str:
    """'6 December 2026: Not rated to Green by Ann: why', dated as the main report dates
    (on the clock in England)."""
    when = long_date(in_england(change.at).date()) if change.at else "Undated"
    who = f" by {change.by}" if change.by else ""
    why = f": {change.rationale}" if change.rationale else ""
    return f"{when}: {change.previous.label} to {change.rag.label}{who}{why}"


def heading(data: ReportData) -> tuple[str, str]:
    """The title, and 'Bristol, period 1 December 2026 to 6 December 2026. Assessment: ...'
    (and when it was locked, once it is)."""
    assert data.since is not None
    title = f"Position statement: {data.title}"
    meta = (
        f"{data.council + ', ' if data.council else ''}period {long_date(data.since)} "
        f"to {data.date_text}"
    )
    if data.assessment:
        meta += f". Assessment: {data.assessment}"
    if data.locked:
        meta += f". {data.locked}"
    return title, meta


def counts_line(items: list[Position]) -> str:
    moved = sum(1 for p in items if p.moved)
    return f"{len(items)} measures; {moved} changed rating in the period."


def write_docx(data: ReportData, items: list[Position], out: Path) -> Path:
    title, meta = heading(data)
    doc = word.new_document()
    word.set_properties(doc, title=title, subject=meta, author=data.council, on=data.on)
    add_running_text(doc, data.running_head)
    doc.add_heading(title, level=1)
    doc.add_paragraph(meta)
    doc.add_paragraph(counts_line(items))
    if key := data.carried_key(data.rows):
        doc.add_paragraph(key)
    first = word.id_la_widths(data.rows, word.ID_WIDTH, word.LA_WIDTH)
    narrow = (word.RAG_WIDTH, word.Mm(50), word.Mm(52))
    widths = (*first, word.rest(*first, *narrow), *narrow)
    table = word.add_table(doc, columns(data), widths)
    docx_rows.append_rows(
        table,
        (
            docx_rows.row_xml(
                [
                    docx_rows.cell_xml(p.row.id, widths[0]),
                    docx_rows.cell_xml(p.row.la, widths[1]),
                    docx_rows.cell_xml(p.row.recommendation, widths[2]),
                    word.rag_xml(p.row.rag, widths[3]),
                    docx_rows.cell_xml(p.row.rationale, widths[4], note=p.row.carried),
                    docx_rows.cell_xml(
                        "\n".join(change_text(c) for c in p.changes) or "No change", widths[5]
                    ),
                ]
            )
            for p in items
        ),
    )
    keep_with_next(doc)
    path = out / "position.docx"
    docx_rows.save(doc, path)
    return path


def render_markdown(data: ReportData, items: list[Position]) -> str:
    title, meta = heading(data)
    rows = [
        [
            p.row.id,
            p.row.la,
            p.row.recommendation,
            p.row.rag.label,
            md.with_note(p.row.rationale, p.row.carried),
            "; ".join(change_text(c) for c in p.changes) or "No change",
        ]
        for p in items
    ]
    key = data.carried_key(data.rows)
    return "\n".join(
        [f"# {md.escape(title)}\n", md.escape(meta) + "\n", counts_line(items) + "\n"]
        + ([md.escape(key) + "\n"] if key else [])
        + [md.table(list(columns(data)), rows)]
    )


def write(data: ReportData, out: Path, progress: Tick | None = None) -> list[Path]:
    """Write ``position.docx`` and ``position.md`` into ``out``; ``progress`` is told once, when
    done, as if of the report's rows (what a format counts)."""
    items = positions(data)
    md_path = out / "position.md"
    md_path.write_text(render_markdown(data, items), encoding="utf-8")
    written = [write_docx(data, items, out), md_path]
    if progress is not None:
        progress(data.table_rows)
    return written
