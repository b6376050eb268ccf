"""What the HTML report's impact section (templates/sections/impact.html.j2) is drawn from."""

from __future__ import annotations

from valvecheck.domain.money import money_text
from valvecheck.reports.impact_chart import line_chart, svg
from valvecheck.reports.impact_tables import (
    FLAGS_HEADING,
    KEY_HEADING,
    flag_lines,
    key_lines,
    tables,
)
from valvecheck.reports.model import ReportData


def impact_context(data: ReportData) -> dict[str, object]:
    """The template's names for the impact section: its tables, chart, flags and money format."""
    if data.impact is None or data.impact.empty:
        return {
            "impact_tables": [],
            "impact_chart": None,
            "impact_svg": "",
            "impact_flags": [],
            "impact_key": [],
            "key_heading": KEY_HEADING,
            "flags_heading": FLAGS_HEADING,
            "money": money_text,
        }
    chart = line_chart(data.impact)
    return {
        "impact_tables": tables(data.impact),
        "impact_chart": chart,
        "impact_svg": svg(chart) if chart else "",
        "impact_flags": flag_lines(data.impact),
        "impact_key": key_lines(data.impact),
        "key_heading": KEY_HEADING,
        "flags_heading": FLAGS_HEADING,
        "money": money_text,
    }
