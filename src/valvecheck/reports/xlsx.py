"""Excel (.xlsx): an About sheet (what the workbook is: title, council, assessment, the date of
the position, the RAG key), then one sheet per section of the report model (Appendix, Summary,
Opportunities, Unrated and, once activities are linked, Links). Every sheet prints with a
header naming the report and a footer "Page X of Y".

Written with XlsxWriter in constant-memory mode: each row goes to the file as it is written, so
time and memory grow with the rows and no more. Every cell format is made once per workbook
(``Formats``) and shared by the cells that use it.

Every text cell goes through ``put``: text a spreadsheet would run as a formula (starting with
= + - @) is stored as a string with Excel's quote prefix, never as a formula, and text longer
than a cell holds is cut where it says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, time
from pathlib import Path
from typing import NamedTuple

from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from valvecheck.domain.percent import percent, whole_percent
from valvecheck.domain.rag import Rag
from valvecheck.reports import impact_xlsx
from valvecheck.reports.docx import MAKER, subject_of
from valvecheck.reports.model import CARRIED, ReportData, ReportRow, Tick

FORMULA_STARTS = ("=", "+", "-", "@")
CELL_LIMIT = 32_767  # Excel's most characters in a cell (UTF-16 code units); more is lost
CUT_MARK = (
    "… [text cut at Excel's 32,767-character limit; the Word and HTML reports have it in full]"
)
SHORT = CELL_LIMIT // 2  # characters a cell always holds
ROW_HEIGHT_LIMIT = 409  # points: Excel's tallest row
LINE_HEIGHT = 15  # points per line of wrapped text
TICK_ROWS = 250  # rows between two reports of progress
HEADER_FILL = "D9D9D9"

# The appendix prints one page wide, so its widths set the printed size: at 294 characters it
# printed at about 5 points. At 188 (Calibri 11, 7 pixels a character) it prints at about 9
# points inside narrow side margins (``SIDE_MARGIN``); its rows grow as tall as their text.
APPENDIX = [
    ("Measure ID", 21),  # the seed's longest id, hammersmith-fulham-6, on one line
    ("LA", 14),
    ("Recommendation", 44),
    ("Theme", 20),
    ("Sub-Theme", 18),
    ("RAG", 10),
    ("Rationale", 26),
    ("Evidence", 26),  # a link's address is never wrapped in LibreOffice: room for its start
    (CARRIED, 9),  # "Carried forward" on a carried rating; the About sheet says where from
]
SIDE_MARGIN = 0.25  # inches, left and right, when printed: Excel's "Narrow"
LIST = [
    ("Measure ID", 24),
    ("LA", 24),
    ("Recommendation", 80),
    ("Theme", 30),
    ("Sub-Theme", 28),
    ("Rationale", 40),
]
OPPORTUNITIES = [*LIST, ("Also in", 28), (CARRIED, 16)]
LINKS = [
    ("Activity ID", 16),
    ("Activity", 40),
    ("Measure ID", 24),
    ("LA", 24),
    ("Recommendation", 70),
    ("RAG", 12),
    ("Rationale", 40),
    ("By", 16),
]


def fit(text: str) -> str:
    """Text as a cell can hold it: cut, with ``CUT_MARK`` at the end, when Excel would cut it."""
    if len(text) <= CELL_LIMIT // 2:  # at most two UTF-16 units a character: no need to count
        return text
    units = text.encode("utf-16-le")
    if len(units) <= 2 * CELL_LIMIT:
        return text
    room = 2 * (CELL_LIMIT - len(CUT_MARK.encode("utf-16-le")) // 2)
    # A character outside the BMP takes two units: never keep half of one.
    return units[:room].decode("utf-16-le", errors="ignore") + CUT_MARK


class Style(NamedTuple):
    """How a cell looks beyond wrapped, top-aligned text."""

    bold: bool = False
    fill: str | None = None  # hex colour
    number: str | None = None  # number format
    quote: bool = False  # Excel's quote prefix: text that looks like a formula stays text
    wrap: bool = True  # False: a line of text that runs on over the empty cells beside it
    link: bool = False  # a hyperlink's look: blue and underlined
    right: bool = False  # aligned right: an amount column's heading, over its figures


# A cell links to one web address at most, and Excel keeps an address of up to 2,079 characters
# and 65,530 links a sheet.
LINK_COLOUR = "#0563C1"  # Excel's own hyperlink colour
URL_LONGEST = 2079
LINKS_A_SHEET = 65530

PLAIN = Style()
HEADER = Style(bold=True, fill=HEADER_FILL)
FILLS = {r: Style(fill=r.colour) for r in Rag}


class Formats(dict[Style, Format]):
    """The workbook's cell formats, each made once, on first use, for its ``Style``."""

    def __init__(self, wb: Workbook) -> None:
        super().__init__()
        self._wb = wb

    def __missing__(self, style: Style) -> Format:
        # made once per style; later look-ups are plain dictionary reads
        spec: dict[str, object] = {"text_wrap": style.wrap, "valign": "top"}
        if style.bold:
            spec["bold"] = True
        if style.fill:
            spec.update(pattern=1, bg_color=f"#{style.fill}")
        if style.number:
            spec["num_format"] = style.number
        if style.quote:
            spec["quote_prefix"] = True
        if style.link:
            spec.update(font_color=LINK_COLOUR, underline=1)
        if style.right:
            spec["align"] = "right"
        made = self[style] = self._wb.add_format(spec)
        return made


def lines_needed(text: str, width: int) -> int:
    """How many lines ``text`` wraps to in a column ``width`` characters wide (greedy, by words).

    Neither Excel nor LibreOffice grows a row to fit wrapped text when it opens a file, so each
    row's height is set from its longest cell. Each line ends at the last space that fits (found
    by ``str.rfind``, a line at a time); a word longer than a line fills lines of its own.
    Breaking only at spaces errs on the tall side.
    """
    count = 0
    for part in text.split("\n"):
        start, end = 0, len(part)
        count += 1
        while end - start > width:
            cut = part.rfind(" ", start, start + width + 1)
            start = start + width if cut <= start else cut + 1
            count += 1
    return count


class Sheet:
    """A sheet with a bold, frozen, filtered header row, set widths and landscape printing.

    Rows are written in order (``add``), each as tall as its longest wrapped cell.
    """

    def __init__(
        self,
        wb: Workbook,
        formats: Formats,
        title: str,
        columns: Sequence[tuple[str, int]],
        progress: Tick | None = None,
    ):
        self.ws: Worksheet = wb.add_worksheet(title)
        self.formats = formats
        self.widths = [max(1, int(width)) for _, width in columns]
        self.row = 0
        self.links = 0  # cells written as links
        self.progress, self.untold = progress, 0
        ws = self.ws
        for i, (_, width) in enumerate(columns):
            ws.set_column(i, i, width)
        ws.freeze_panes(1, 0)
        ws.repeat_rows(0)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.set_margins(left=SIDE_MARGIN, right=SIDE_MARGIN)
        ws.fit_to_pages(1, 0)
        self.add([name for name, _ in columns], [HEADER] * len(columns))
        self.untold = 0  # the header is not a row of the report's tables

    def add(
        self,
        values: Sequence[object],
        styles: Sequence[Style] = (),
        links: Mapping[int, str] | None = None,
    ) -> None:
        """Write one row; ``styles`` per cell from the first (plain for the rest); ``links``:
        the web address a column's text cell links to, where it links."""
        ws, n, formats = self.ws, self.row, self.formats
        # fit() only what could be too long: at most two UTF-16 units a character
        texts = [fit(v) if isinstance(v, str) and len(v) > SHORT else v for v in values]
        needed = 1
        for v, width in zip(texts, self.widths, strict=False):
            if isinstance(v, str) and (len(v) > width or "\n" in v):
                needed = max(needed, lines_needed(v, width))
        ws.set_row(n, min(LINE_HEIGHT * needed, ROW_HEIGHT_LIMIT))
        for c, value in enumerate(texts):
            style = styles[c] if c < len(styles) else PLAIN
            if isinstance(value, str):
                if not value and style is PLAIN:
                    continue  # an empty cell is left out, as a spreadsheet leaves it
                if value.startswith(FORMULA_STARTS):
                    style = style._replace(quote=True)
                address = links.get(c) if links else None
                if address and len(address) <= URL_LONGEST and self.links < LINKS_A_SHEET:
                    ws.write_url(n, c, address, formats[style._replace(link=True)], value)
                    self.links += 1
                    continue
                ws.write_string(n, c, value, formats[style])
            elif isinstance(value, int | float):
                ws.write_number(n, c, value, formats[style])
            else:
                ws.write_blank(n, c, None, formats[style])
        self.row += 1
        self.untold += 1
        if self.progress is not None and self.untold >= TICK_ROWS:
            self.progress(self.untold)
            self.untold = 0

    def say(self, text: str) -> None:
        """A sentence under the header of a table with no rows, as the other formats say it
        ("No measure is rated red."): no row of the table, so the filter stays on the header."""
        self.ws.write_string(self.row, 0, text, self.formats[Style(wrap=False)])

    def finish(self, totals: int = 0) -> None:
        """Filters over the table, but for its last ``totals`` rows: a total sorted or filtered
        with the rows it adds up would land among them."""
        self.ws.autofilter(0, 0, max(self.row - 1 - totals, 0), len(self.widths) - 1)
        if self.progress is not None and self.untold:
            self.progress(self.untold)
            self.untold = 0


def lines(values: tuple[str, ...]) -> str:
    return "\n".join(values)


def several(values: tuple[str, ...]) -> str:
    """Several themes or sub-themes in one cell: '; ' between them, as every other format
    writes them (a line break alone reads as one name wrapped in a narrow column)."""
    return "; ".join(values)


def empty_text(data: ReportData, key: str) -> str:
    """What the report says instead of a section's table when it has no rows."""
    return next((s.empty for s in data.sections if s.key == key), "")


ABOUT_WIDTHS = (22, 110)


def add_about(wb: Workbook, formats: Formats, data: ReportData) -> None:
    """The first sheet: which report this is (title, council, assessment, the date of the
    position), what its coverage figure counts, and the RAG key, so a copy circulated alone, or
    next to last quarter's, says what it is."""
    ws = wb.add_worksheet("About")
    for i, width in enumerate(ABOUT_WIDTHS):
        ws.set_column(i, i, width)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    total = data.total
    facts = [
        ("Title", data.title),
        *([("Label", data.appendix)] if data.appendix else []),
        ("Council", data.council),
        ("Assessment", data.assessment),
        ("Position as at", f"the end of {data.date_text}"),
        *([("Locked", data.locked)] if data.locked else []),
        *([(CARRIED, key)] if (key := data.carried_key(data.rows)) else []),
        ("Purpose", data.purpose),
        (
            "Coverage",
            f"{total.measures} measures; coverage (green and amber) {percent(total.coverage)}"
            f"{data.coverage_base}.",
        ),
    ]
    row = 0

    def put(label: str, text: str, label_style: Style) -> None:
        nonlocal row
        ws.set_row(row, min(LINE_HEIGHT * lines_needed(text, ABOUT_WIDTHS[1]), ROW_HEIGHT_LIMIT))
        ws.write_string(row, 0, label, formats[label_style])
        if text:
            quoted = text.startswith(FORMULA_STARTS)
            ws.write_string(row, 1, fit(text), formats[Style(quote=quoted)])
        row += 1

    for label, text in facts:
        put(label, text, Style(bold=True))
    row += 1
    ws.write_string(row, 0, "RAG key", formats[HEADER])
    ws.write_string(row, 1, "What each rating means", formats[HEADER])
    row += 1
    for rag, definition in data.key:
        put(rag.label, definition, Style(bold=True, fill=rag.colour))


EVIDENCE_COLUMN = [name for name, _ in APPENDIX].index("Evidence")


def add_appendix(wb: Workbook, formats: Formats, data: ReportData, progress: Tick | None) -> None:
    sheet = Sheet(wb, formats, "Appendix", APPENDIX, progress)
    for r in data.rows:
        values = [r.id, r.la, r.recommendation, several(r.themes), several(r.sub_themes)]
        extra = [r.rationale, lines(r.evidence_items), r.carried]
        # evidence giving one web address links to it (a cell holds one link: with several,
        # the addresses are its text, as written)
        link = {EVIDENCE_COLUMN: r.evidence_links[0]} if len(r.evidence_links) == 1 else {}
        sheet.add([*values, r.rag.label, *extra], [PLAIN] * 5 + [FILLS[r.rag]], link)
    sheet.finish()


def coverage_cell(share: float) -> float:
    """A coverage as the Summary sheet holds it: the whole percent every other format prints
    (a half rounded up), shown as "0%". The share itself would be rounded by the spreadsheet,
    and not the same way in each: LibreOffice shows 23/40 as 57%, Excel as 58%."""
    return whole_percent(share) / 100


# The Summary sheet's Level column: filter on one level before adding up a column, or a theme's
# measures are counted again in its sub-themes.
THEME_LEVEL, SUB_THEME_LEVEL, TOTAL_LEVEL = "Theme", "Sub-theme", "All measures"


def add_summary(wb: Workbook, formats: Formats, data: ReportData, progress: Tick | None) -> None:
    columns = [("Level", 13), ("Theme", 40), ("Sub-Theme", 30), ("Measures", 10)]
    columns += [(r.label, 12) for r in data.columns] + [("Coverage", 11)]
    sheet = Sheet(wb, formats, "Summary", columns, progress)
    for c, rag in enumerate(data.columns, start=4):
        sheet.ws.write_string(0, c, rag.label, formats[Style(bold=True, fill=rag.colour)])
    for s in data.themes:
        bold = s.sub_theme is None  # a theme's row in bold, as the seed's summary did
        values = [
            THEME_LEVEL if bold else SUB_THEME_LEVEL,
            s.theme,
            s.sub_theme,
            s.measures,
            *[s.counts.get(r, 0) for r in data.columns],
            coverage_cell(s.coverage),
        ]
        styles = [Style(bold=bold)] * (len(values) - 1)
        sheet.add(values, [*styles, Style(bold=bold, number="0%")])
    total = data.total
    values = [
        TOTAL_LEVEL,
        total.theme,
        None,
        total.measures,
        *[total.counts.get(r, 0) for r in data.columns],
        coverage_cell(total.coverage),
    ]
    sheet.add(values, [Style(bold=True)] * (len(values) - 1) + [Style(bold=True, number="0%")])
    sheet.finish(totals=1)


def add_list(
    wb: Workbook,
    formats: Formats,
    title: str,
    rows: list[ReportRow],
    progress: Tick | None,
    also_in: bool = False,
    empty: str = "",
) -> None:
    sheet = Sheet(wb, formats, title, OPPORTUNITIES if also_in else LIST, progress)
    for r in rows:
        values = [r.id, r.la, r.recommendation, several(r.themes), several(r.sub_themes)]
        values.append(r.rationale)
        sheet.add([*values, lines(r.also_in_labels), r.carried] if also_in else values)
    if not rows and empty:
        sheet.say(empty)
    sheet.finish()


def add_opportunities(
    wb: Workbook, formats: Formats, data: ReportData, progress: Tick | None
) -> None:
    empty = empty_text(data, "opportunities")
    add_list(wb, formats, "Opportunities", data.opportunities, progress, True, empty)


def add_unrated(wb: Workbook, formats: Formats, data: ReportData, progress: Tick | None) -> None:
    add_list(wb, formats, "Unrated", data.unrated, progress, empty=empty_text(data, "unrated"))


def add_links(wb: Workbook, formats: Formats, data: ReportData, progress: Tick | None) -> None:
    sheet = Sheet(wb, formats, "Links", LINKS, progress)
    for k in data.links:
        values = [k.activity, k.activity_title, k.measure, k.la, k.recommendation, k.rag.label]
        sheet.add([*values, k.rationale, k.by], [PLAIN] * 5 + [FILLS[k.rag]])
    sheet.finish()


# How each section of the report model is drawn; every key of model.SECTION_KEYS has one. A
# sheet is written even when its section is empty: a workbook's sheets stay the same.
SECTIONS: dict[str, Callable[[Workbook, Formats, ReportData, Tick | None], None]] = {
    "appendix": add_appendix,
    "summary": add_summary,
    "opportunities": add_opportunities,
    "unrated": add_unrated,
    "links": add_links,
    "impact": lambda wb, formats, data, _progress: impact_xlsx.add_impact(wb, formats, data),
}


def write(data: ReportData, out: Path, progress: Tick | None = None) -> list[Path]:
    """Write ``report.xlsx`` into ``out``; ``progress(n)`` is told of every n rows written."""
    path = out / "report.xlsx"
    # Text stays text: no formulas, numbers or links guessed from strings.
    wb = Workbook(
        str(path),
        {
            "constant_memory": True,
            "tmpdir": str(out),
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    formats = Formats(wb)
    add_about(wb, formats, data)
    for section in data.sections:
        SECTIONS[section.key](wb, formats, data, progress)
    for sheet in wb.worksheets():
        sheet.set_header(f"&L{header_text(data.running_head)}")
        sheet.set_footer("&RPage &P of &N")
    set_properties(wb, data)
    wb.close()
    return [path]


HEADER_LIMIT = 200  # characters of text in a print header; Excel allows 255 with its codes


def header_text(text: str) -> str:
    """Text for a print header: '&' doubled (Excel reads '&' as the start of a code), cut to
    what a header holds."""
    text = " ".join(text.split())
    while len(text.replace("&", "&&")) > HEADER_LIMIT:
        text = text[: HEADER_LIMIT - 1 - text.count("&")].rstrip("&") + "…"
    return text.replace("&", "&&")


def set_properties(wb: Workbook, data: ReportData) -> None:
    """File properties that describe this report, dated by it: the same --date, the same file.

    XlsxWriter records the author as the last to modify the file as well.
    """
    wb.set_properties(
        {
            "title": data.title,
            "subject": subject_of(data),
            "author": data.council or MAKER,
            "comments": "",
            "keywords": "",
            "created": datetime.combine(data.on, time.min),  # written as UTC
        }
    )
