"""The Excel report's impact sheet: the tables with amounts as numbers, and a native line chart
of the trajectory (unmitigated, mitigated plan, target, actual) drawn from the sheet's cells."""

from __future__ import annotations

from decimal import Decimal

from xlsxwriter import Workbook

from valvecheck.reports.impact_chart import SERIES
from valvecheck.reports.impact_tables import flag_lines, tables
from valvecheck.reports.model import ReportData

MONEY = "£#,##0.00;-£#,##0.00"
SHEET = "Impact"
DASHES = {"8 5": "dash", "": "solid", "2 4": "round_dot", "12 4 2 4": "dash_dot"}


def add_impact(wb: Workbook, formats: object, data: ReportData) -> None:
    # xlsx.py lists this renderer in its SECTIONS, so its helpers are imported on use
    from valvecheck.reports.xlsx import HEADER, PLAIN, Formats, Sheet, Style

    assert isinstance(formats, Formats)
    if data.impact is None:
        return
    blocks = tables(data.impact)
    width = max(len(t.columns) for t in blocks)
    years = blocks[0]
    sheet = Sheet(
        wb,
        formats,
        SHEET,
        [(c, 40 if i == 0 else 18) for i, c in enumerate(years.columns)]
        + [("", 18)] * (width - len(years.columns)),
    )

    def add(row: tuple[object, ...], bold: bool) -> None:
        # Excel holds numbers as binary doubles: an amount in pence up to a trillion pounds
        # (15 significant figures) is written and read back exactly.
        values = [float(v) if isinstance(v, Decimal) else v for v in row]
        styles = [Style(bold=bold, number=MONEY if isinstance(v, Decimal) else None) for v in row]
        sheet.add(values, styles)

    for i, t in enumerate(blocks):
        if i:
            sheet.add([])
            sheet.add([t.caption], [Style(bold=True)])
            sheet.add(list(t.columns), [HEADER] * len(t.columns))
        for n, row in enumerate(t.rows):
            add(row, n >= len(t.rows) - t.total_rows)
    sheet.add([])
    for flag in flag_lines(data.impact):
        sheet.add([flag], [PLAIN])
    sheet.add([data.impact.note], [Style()])

    count = len(data.impact.years)
    chart = wb.add_chart({"type": "line"})
    for key, label, colour, dash in SERIES:
        col = years.columns.index(_COLUMN[key])
        chart.add_series(
            {
                "name": label,
                "categories": [SHEET, 1, 0, count, 0],
                "values": [SHEET, 1, col, count, col],
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
    chart.set_y_axis({"name": "In-year deficit (£)", "num_format": "£#,##0"})
    chart.set_legend({"position": "bottom"})
    chart.show_blanks_as("gap")
    chart.set_size({"width": 760, "height": 380})
    sheet.ws.insert_chart(1, width + 1, chart)


_COLUMN = {
    "unmitigated": "Unmitigated",
    "mitigated": "Mitigated",
    "target": "Target",
    "actual": "Actual outturn",
}
