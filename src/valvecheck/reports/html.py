"""HTML: one standalone, printable, accessible file with an inline SVG chart of RAG by theme.

The page makes no request of its own: CSS and the chart are inline, and nothing links out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from valvecheck.domain.percent import percent
from valvecheck.domain.rag import SCALE, Rag
from valvecheck.reports.impact_html import impact_context
from valvecheck.reports.model import WEB_ADDRESS, ReportData, Tick

CHART_WIDTH = 760
BAR_SPACE = 640  # the widest bar; the rest is margin for the bar's end
ROW_HEIGHT = 52
TOP = 30  # below the legend
LABEL_MIN_WIDTH = 18  # room for a two-digit count; the words are in the bar's title line


@dataclass(frozen=True)
class Segment:
    rag: Rag
    count: int
    x: float
    width: float

    @property
    def labelled(self) -> bool:
        return self.width >= LABEL_MIN_WIDTH


@dataclass
class Bar:
    name: str
    total: int
    y: int
    segments: list[Segment] = field(default_factory=list)

    @property
    def label(self) -> str:
        """'Theme (17): 2 Green, 3 Amber, 12 Not rated': the chart in words, beside its colours."""
        counts = ", ".join(f"{s.count} {s.rag.label}" for s in self.segments)
        return f"{self.name} ({self.total}): {counts or 'no measures'}"


@dataclass(frozen=True)
class LegendItem:
    rag: Rag
    x: int


@dataclass
class Chart:
    width: int
    height: int
    bars: list[Bar]
    legend: list[LegendItem]
    description: str


def chart(data: ReportData) -> Chart:
    """A stacked bar per theme, one segment per RAG, each labelled with its count and word."""
    themes = [s for s in data.themes if s.sub_theme is None]
    widest = max((s.measures for s in themes), default=0) or 1
    unit = BAR_SPACE / widest
    bars = []
    for i, s in enumerate(themes):
        bar = Bar(s.name, s.measures, TOP + 18 + i * ROW_HEIGHT)
        x = 0.0
        for rag in data.columns:
            count = s.counts.get(rag, 0)
            if count:
                width = round(count * unit, 1)
                bar.segments.append(Segment(rag, count, round(x, 1), width))
                x += width
        bars.append(bar)
    legend = [LegendItem(rag, i * 120) for i, rag in enumerate(data.columns)]
    description = "; ".join(b.label for b in bars)
    height = TOP + len(themes) * ROW_HEIGHT + 8
    return Chart(CHART_WIDTH, height, bars, legend, description + ".")


def css_string(text: str) -> Markup:
    """Text as a quoted CSS string (a printed page's running header): every character but a
    letter, digit or space written as a CSS escape, so no quote, backslash or '</style>' in a
    title can end the string or the style sheet, and no HTML entity shows in print.

    Each escape ends with a space: CSS takes one white space after an escape as the escape's
    end and drops it, so without its own, the space typed after a ':' or '—' would be lost."""
    escaped = "".join(
        c if c.isascii() and (c.isalnum() or c == " ") else f"\\{ord(c):06x} " for c in text
    )
    return Markup(f'"{escaped}"')


# How each section of the report model is drawn (a template under templates/sections/); every
# key of model.SECTION_KEYS has one.
SECTIONS: dict[str, str] = {
    "appendix": "sections/appendix.html.j2",
    "summary": "sections/summary.html.j2",
    "opportunities": "sections/opportunities.html.j2",
    "unrated": "sections/unrated.html.j2",
    "links": "sections/links.html.j2",
    "impact": "sections/impact.html.j2",
}

_env = Environment(
    loader=PackageLoader("valvecheck.reports", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    undefined=StrictUndefined,
    trim_blocks=False,
    keep_trailing_newline=True,
)
# a line of evidence that is one web address (as Word and Excel read it): a link; else text
_env.tests["web_address"] = lambda v: bool(WEB_ADDRESS.match(v))


def render(data: ReportData) -> str:
    """The whole page as text."""
    template = _env.get_template("report.html.j2")
    return template.render(
        data=data,
        rags=SCALE,
        chart=chart(data),
        percent=percent,
        css_string=css_string,
        section_templates=SECTIONS,
        **impact_context(data),
    )


def write(data: ReportData, out: Path, progress: Tick | None = None) -> list[Path]:
    """Write ``report.html`` into ``out``; ``progress`` is told of its rows once, when done."""
    path = out / "report.html"
    path.write_text(render(data), encoding="utf-8")
    if progress is not None:
        progress(data.table_rows)
    return [path]
