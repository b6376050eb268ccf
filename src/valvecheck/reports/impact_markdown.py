"""The Markdown report's impact section: the tables and flags (Markdown draws no chart; the
HTML, Word and Excel reports have it)."""

from __future__ import annotations

from valvecheck.reports.impact_tables import (
    FLAGS_HEADING,
    KEY_HEADING,
    flag_lines,
    key_lines,
    tables,
)
from valvecheck.reports.model import ReportData


def impact(data: ReportData) -> str:
    # markdown.py lists this renderer in its SECTIONS, so its helpers are imported on use
    from valvecheck.reports.markdown import Markup, escape, table

    if data.impact is None:
        return ""
    parts = []
    for t in tables(data.impact):
        rows = t.text_rows()
        for row in rows[len(rows) - t.total_rows :]:
            row[0] = Markup(f"**{escape(row[0])}**")
        parts.append(f"**{escape(t.caption)}**\n")
        parts.append(table(t.columns, rows, right=t.amount_columns))
    parts.append(
        f"**{KEY_HEADING}**\n\n"
        + "\n".join(
            f"- **{escape(term)}**: {escape(meaning)}" for term, meaning in key_lines(data.impact)
        )
        + "\n"
    )
    flags = flag_lines(data.impact)
    if flags:  # under their own heading, as in Word and Excel: not more of the key's terms
        parts.append(f"**{FLAGS_HEADING}**\n\n" + "\n".join(f"- {escape(f)}" for f in flags) + "\n")
    return "\n".join(parts)
