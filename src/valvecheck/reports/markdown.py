"""Markdown: the same content as tables, for wikis and pull requests."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from pathlib import Path

from valvecheck.domain.percent import percent
from valvecheck.reports import impact_markdown
from valvecheck.reports.model import ReportData, ReportRow, Tick

# Characters that start Markdown or HTML anywhere in a line: emphasis, code, links and images,
# raw HTML and autolinks, entities, table cells, strikethrough, heading closers, math.
SIGNIFICANT = re.compile(r"([\\`*_\[\]<>&|~#$])")
# What turns a line into a list item, thematic break or setext underline when it starts it.
LINE_START = re.compile(r"^(\d+)([.)])|^([-+=])")


class Markup(str):
    """Markdown the writer made itself (``**bold**`` around escaped text): passed through as is."""


def escape(value: object, starts_line: bool = True) -> str:
    """User text as literal Markdown: shown exactly as typed, never as markup or HTML.

    Line breaks are folded (a table row is one line), every character Markdown or HTML would
    act on is backslash-escaped, and so is a leading list or rule marker when the text starts a
    line (``starts_line``). ``Markup`` passes.
    """
    if isinstance(value, Markup):
        return str(value)
    text = " ".join(str(value).split())
    text = SIGNIFICANT.sub(r"\\\1", text)
    if not starts_line:
        return text
    return LINE_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", text)


def table(
    columns: Sequence[str], rows: Sequence[Sequence[object]], right: AbstractSet[int] | None = None
) -> str:
    """A table; every cell goes through ``escape``. A cell never starts a line (its row starts
    with '|'), so a leading '-' or '1.' is left as typed: a net cost reads -£480,000.00, as in
    the other formats, not \\-£480,000.00."""
    right = right or set()
    out = ["| " + " | ".join(escape(c, starts_line=False) for c in columns) + " |"]
    out.append(
        "| " + " | ".join("---:" if i in right else "---" for i in range(len(columns))) + " |"
    )
    out.extend("| " + " | ".join(escape(v, starts_line=False) for v in r) + " |" for r in rows)
    return "\n".join(out) + "\n"


def several(values: tuple[str, ...]) -> str:
    return "; ".join(values)


MEASURE_COLUMNS = ["ID", "LA", "Recommendation", "Theme", "Sub-Theme"]


def measure_values(r: ReportRow) -> list[object]:
    return [r.id, r.la, r.recommendation, several(r.themes), several(r.sub_themes)]


def with_note(text: str, note: str) -> Markup:
    """A cell's text and, when there is one, a short note after it in italics
    ("*Carried forward*"): both escaped."""
    if not note:
        return Markup(escape(text))
    return Markup(" ".join(x for x in (escape(text), f"*{escape(note)}*") if x))


def appendix(data: ReportData) -> str:
    return table(
        [*MEASURE_COLUMNS, "RAG", "Rationale", "Evidence"],
        [
            [
                *measure_values(r),
                r.rag.label,
                with_note(r.rationale, r.carried),
                several(r.evidence_items),
            ]
            for r in data.rows
        ],
    )


def summary(data: ReportData) -> str:
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
                percent(s.coverage),
            ]
        )
    return table(columns, rows, right=set(range(2, len(columns))))


def opportunities(data: ReportData) -> str:
    return table(
        [*MEASURE_COLUMNS, "Rationale", "Also in"],
        [
            [*measure_values(r), with_note(r.rationale, r.carried), ", ".join(r.also_in_labels)]
            for r in data.opportunities
        ],
    )


def unrated(data: ReportData) -> str:
    return table(MEASURE_COLUMNS, [measure_values(r) for r in data.unrated])


def links(data: ReportData) -> str:
    return table(
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


# How each section of the report model is drawn; every key of model.SECTION_KEYS has one.
SECTIONS: dict[str, Callable[[ReportData], str]] = {
    "appendix": appendix,
    "summary": summary,
    "opportunities": opportunities,
    "unrated": unrated,
    "links": links,
    "impact": impact_markdown.impact,
}


def render(data: ReportData) -> str:
    """The whole document as text."""
    parts = [f"**{escape(data.appendix)}**\n"] if data.appendix else []
    parts += [f"# {escape(data.title)}\n", escape(data.meta) + "\n"]
    if data.locked:
        parts.append(escape(data.locked) + "\n")
    parts.append(escape(data.purpose) + "\n")
    parts.append("\n".join(f"- **{r.label.upper()}**: {escape(d)}" for r, d in data.key) + "\n")
    for section in data.sections:
        parts.append(f"## {escape(section.heading)}\n")
        if section.intro:
            parts.append(escape(section.intro) + "\n")
        parts.append(escape(section.empty) + "\n" if section.empty else SECTIONS[section.key](data))
    return "\n".join(parts)


def write(data: ReportData, out: Path, progress: Tick | None = None) -> list[Path]:
    """Write ``report.md`` into ``out``; ``progress`` is told of its rows once, when done."""
    path = out / "report.md"
    path.write_text(render(data), encoding="utf-8")
    if progress is not None:
        progress(data.table_rows)
    return [path]
