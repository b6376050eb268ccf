"""Markdown: the same content as tables, for wikis and pull requests."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from valvecheck.domain.rag import Rag
from valvecheck.reports.model import ReportData, ReportRow

# Characters that start Markdown or HTML anywhere in a line: emphasis, code, links and images,
# raw HTML and autolinks, entities, table cells, strikethrough, heading closers, math.
SIGNIFICANT = re.compile(r"([\\`*_\[\]<>&|~#$])")
# What turns a line into a list item, thematic break or setext underline when it starts it.
LINE_START = re.compile(r"^(\d+)([.)])|^([-+=])")


class Markup(str):
    """Markdown the writer made itself (``**bold**`` around escaped text): passed through as is."""


def escape(value: object) -> str:
    """User text as literal Markdown: shown exactly as typed, never as markup or HTML.

    Line breaks are folded (a table row is one line), every character Markdown or HTML would
    act on is backslash-escaped, and so is a leading list or rule marker. ``Markup`` passes.
    """
    if isinstance(value, Markup):
        return str(value)
    text = " ".join(str(value).split())
    text = SIGNIFICANT.sub(r"\\\1", text)
    return LINE_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", text)


def table(
    columns: Sequence[str], rows: Sequence[Sequence[object]], right: set[int] | None = None
) -> str:
    """A table; every cell goes through ``escape``."""
    right = right or set()
    out = ["| " + " | ".join(escape(c) for c in columns) + " |"]
    out.append(
        "| " + " | ".join("---:" if i in right else "---" for i in range(len(columns))) + " |"
    )
    out.extend("| " + " | ".join(escape(v) for v in r) + " |" for r in rows)
    return "\n".join(out) + "\n"


def several(values: tuple[str, ...]) -> str:
    return "; ".join(values)


def measure_rows(rows: list[ReportRow], with_rationale: bool) -> list[list[object]]:
    out: list[list[object]] = []
    for r in rows:
        values: list[object] = [r.la, r.recommendation, several(r.themes), several(r.sub_themes)]
        if with_rationale:
            values.append(r.rationale)
        out.append(values)
    return out


def render(data: ReportData) -> str:
    """The whole document as text."""
    parts = [f"# {escape(data.title)}\n"]
    meta = f"{data.council + ', ' if data.council else ''}{data.date_text}"
    if data.assessment:
        meta += f". Assessment: {data.assessment}"
    parts.append(escape(meta) + "\n")
    parts.append(escape(data.purpose) + "\n")
    parts.append("\n".join(f"- **{r.label.upper()}**: {escape(d)}" for r, d in data.key) + "\n")

    parts.append("## Appendix A\n")
    parts.append(
        table(
            ["LA", "Recommendation", "Theme", "Sub-Theme", "RAG"],
            [
                [r.la, r.recommendation, several(r.themes), several(r.sub_themes), r.rag.label]
                for r in data.rows
            ],
        )
    )

    parts.append("## Summary by theme\n")
    parts.append(
        f"{data.total.measures} measures; coverage (green and amber) {data.total.coverage:.0%}.\n"
    )
    columns = ["Theme", "Sub-Theme", "Measures", *[r.label for r in data.columns], "Coverage"]
    rows: list[list[object]] = []
    for s in [*data.themes, data.total]:
        theme = Markup(f"**{escape(s.theme)}**") if s.sub_theme is None else ""
        rows.append(
            [
                theme,
                s.sub_theme or "",
                s.measures,
                *[s.counts.get(r, 0) for r in data.columns],
                f"{s.coverage:.0%}",
            ]
        )
    parts.append(table(columns, rows, right=set(range(2, len(columns)))))

    parts.append(f"## Opportunities ({len(data.opportunities)})\n")
    parts.append(f"Measures rated red: {Rag.RED.definition}.\n")
    if data.opportunities:
        parts.append(
            table(
                ["LA", "Recommendation", "Theme", "Sub-Theme", "Rationale"],
                measure_rows(data.opportunities, with_rationale=True),
            )
        )
    else:
        parts.append("No measure is rated red.\n")

    parts.append(f"## Not yet rated ({len(data.unrated)})\n")
    if data.unrated:
        parts.append(
            table(
                ["LA", "Recommendation", "Theme", "Sub-Theme"],
                measure_rows(data.unrated, with_rationale=False),
            )
        )
    else:
        parts.append("Every measure has a rating.\n")

    if data.links:
        parts.append(f"## Activities linked to measures ({len(data.links)})\n")
        parts.append(
            table(
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
    return "\n".join(parts)


def write(data: ReportData, out: Path) -> list[Path]:
    """Write ``report.md`` into ``out``."""
    path = out / "report.md"
    path.write_text(render(data), encoding="utf-8")
    return [path]
