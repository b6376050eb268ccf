"""The Excel report's impact sheets: each table on a sheet of its own with amounts as numbers,
and a native line chart of the trajectory (unmitigated, mitigated plan, target, actual) drawn
from the by-year sheet's cells."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from xlsxwriter import Workbook
from xlsxwriter.worksheet import Worksheet

from valvecheck.reports.impact_chart import SERIES, axis_format, line_chart
from valvecheck.reports.impact_tables import (
    FLAGS_HEADING,
    KEY_HEADING,
    ImpactTable,
    flag_lines,
    key_lines,
    tables,
)
from valvecheck.reports.model import ReportData

if TYPE_CHECKING:
    from valvecheck.reports.xlsx import Formats, Style

# Pounds and pence, a net figure below zero with a minus before the pound sign: as the Word,
# HTML and Markdown reports write it (money_text), so a figure reads the same in every format.
MONEY = "£#,##0.00;-£#,##0.00"
# one table a sheet, each with its own title row, frozen header and filter
SHEETS = {
    "impact-years": "Impact by year",
    "impact-cumulative": "Impact cumulative",
    "impact-activities": "Impact by activity",
    "impact-measures": "Impact by measure",
    "impact-themes": "Impact by theme",
}
FLAGS_SHEET = "Impact flags"
SHEET = SHEETS["impact-years"]  # the chart's data
DASHES = {"8 5": "dash", "": "solid", "2 4": "round_dot", "12 4 2 4": "dash_dot"}
FIRST = 2  # the first row of figures: under the title and the header
# The flags sheet's one column, in characters: it prints whole on landscape A4 at full size.
# LibreOffice never scales one column down to fit the page's width, and sets Calibri in DejaVu
# Sans, about 7 points a character at 11 points: 100 characters take 700 of the 741 points
# inside the margins (120 ran off the page's right edge).
FLAGS_WIDTH = 100


def add_impact(wb: Workbook, formats: object, data: ReportData) -> None:
    # xlsx.py lists this renderer in its SECTIONS, so its helpers are imported on use
    from valvecheck.reports.xlsx import Formats

    assert isinstance(formats, Formats)
    if data.impact is None:
        return
    blocks = tables(data.impact)
    for t in blocks:
        _table_sheet(wb, formats, SHEETS[t.key], t)
    notes = [data.impact.note, *(f"{term}: {meaning}" for term, meaning in key_lines(data.impact))]
    _flags_sheet(wb, formats, flag_lines(data.impact), notes)
    years = blocks[0]
    chart_sheet = wb.get_worksheet_by_name(SHEET)
    drawn = line_chart(data.impact)
    if not data.impact.has_trajectory or chart_sheet is None or drawn is None:
        return
    count = len(data.impact.years)
    # the trajectory's years only, as in the other formats' chart: a saving for a year before
    # or after the trajectory has a row in the table, not a point on the chart
    inside = [i for i, y in enumerate(data.impact.years) if y.unmitigated is not None]
    first, last = FIRST + inside[0], FIRST + inside[-1]
    chart = wb.add_chart({"type": "line"})
    for key, label, colour, dash in SERIES:
        col = years.columns.index(_COLUMN[key])
        chart.add_series(
            {
                "name": label,
                "categories": [SHEET, first, 0, last, 0],
                "values": [SHEET, first, col, last, col],
                "line": {"color": f"#{colour}", "width": 2.25, "dash_type": DASHES[dash]},
                "marker": {
                    "type": "circle",
                    "size": 6,
                    "fill": {"color": f"#{colour}"},
                    "border": {"color": f"#{colour}"},
                },
            }
        )
    chart.set_title({"name": "Trajectory: in-year high needs deficit"})
    chart.set_x_axis({"name": "Financial year"})
    # the ticks the Word and HTML charts draw, labelled in one unit (£m, £bn) at any size
    low, high, step = drawn.axis
    chart.set_y_axis(
        {
            "name": "In-year deficit (£)",
            "min": low,
            "max": high,
            "major_unit": step,
            "num_format": axis_format(drawn),
        }
    )
    chart.set_legend({"position": "bottom"})
    chart.show_blanks_as("gap")
    chart.set_size({"width": 760, "height": 380})
    chart_sheet.insert_chart(FIRST + count + 3, 0, chart)


def _style(bold: bool, number: str | None = None, text: str = "") -> Style:
    from valvecheck.reports.xlsx import FORMULA_STARTS, Style

    return Style(bold=bold, number=number, quote=text.startswith(FORMULA_STARTS))


def _height(texts: Sequence[object], widths: Sequence[int]) -> float:
    """A row's height in points: as many lines as its longest wrapped text needs (neither Excel
    nor LibreOffice grows a row to fit when it opens the file; see ``xlsx.lines_needed``)."""
    from valvecheck.reports.xlsx import LINE_HEIGHT, ROW_HEIGHT_LIMIT, lines_needed

    needed = max(
        (
            lines_needed(text, width)
            for text, width in zip(texts, widths, strict=False)
            if isinstance(text, str)
        ),
        default=1,
    )
    return min(LINE_HEIGHT * needed, ROW_HEIGHT_LIMIT)


def _print_setup(ws: Worksheet) -> None:
    """Printed as every sheet of the workbook is: landscape A4, as wide as the page."""
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)


def _flags_sheet(wb: Workbook, formats: Formats, flags: list[str], notes: list[str]) -> None:
    """The flags, then under a heading of their own the section's note and what the columns
    mean (never listed as flags), a line a row, each row as tall as its text."""
    ws = wb.add_worksheet(FLAGS_SHEET)
    ws.set_column(0, 0, FLAGS_WIDTH)
    row = 0
    for heading, lines in ((FLAGS_HEADING, flags or ["None."]), (KEY_HEADING, notes)):
        ws.write_string(row, 0, heading, formats[_style(True)])
        for line in lines:
            row += 1
            ws.set_row(row, _height([line], [FLAGS_WIDTH]))
            ws.write_string(row, 0, line, formats[_style(False, text=line)])
        row += 2
    _print_setup(ws)


def _table_sheet(wb: Workbook, formats: Formats, name: str, t: ImpactTable) -> None:
    """The table on a sheet of its own: a title row across the table, a frozen header row
    repeated on every printed page, a filter over its rows (not its totals), amounts as numbers
    (``MONEY``), each row as tall as its longest wrapped text."""
    from valvecheck.reports.xlsx import HEADER

    ws = wb.add_worksheet(name)
    widths = [
        18 if i in t.amount_columns else (40 if i == 0 and len(t.columns) < 6 else 24)
        for i in range(len(t.columns))
    ]
    for i, width in enumerate(widths):
        ws.set_column(i, i, width)
    # the title wraps across the table's width, never into the header under it
    ws.set_row(0, _height([t.caption], [sum(widths)]))
    if len(widths) > 1:
        ws.merge_range(0, 0, 0, len(widths) - 1, t.caption, formats[_style(True)])
    else:
        ws.write_string(0, 0, t.caption, formats[_style(True)])
    ws.set_row(1, _height(t.columns, widths))
    for c, column in enumerate(t.columns):
        # an amount column's heading sits over its figures, on the right, as in Word and HTML
        ws.write_string(1, c, column, formats[HEADER._replace(right=c in t.amount_columns)])
    for n, row in enumerate(t.rows):
        r, bold = FIRST + n, n >= len(t.rows) - t.total_rows
        ws.set_row(r, _height(row, widths))
        for c, value in enumerate(row):
            if isinstance(value, Decimal):
                # Excel holds numbers as binary doubles: an amount in pence up to a trillion
                # pounds (15 significant figures) is written and read back exactly.
                ws.write_number(r, c, float(value), formats[_style(bold, MONEY)])
            elif isinstance(value, str) and value:
                ws.write_string(r, c, value, formats[_style(bold, text=value)])
    ws.freeze_panes(FIRST, 0)
    ws.repeat_rows(1)
    # the totals stay out of the filter: sorted with the rows they add up, they land among them
    last = FIRST + len(t.rows) - t.total_rows - 1
    ws.autofilter(1, 0, max(last, 1), len(t.columns) - 1)
    _print_setup(ws)


_COLUMN = {
    "unmitigated": "Unmitigated",
    "mitigated": "Mitigated",
    "target": "Target",
    "actual": "Actual outturn",
}
