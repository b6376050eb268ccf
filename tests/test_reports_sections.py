"""One report model, every format the same sections: Word, Excel, HTML and Markdown read back
and compared section by section, heading and rows, with the model they were written from."""

from __future__ import annotations

import pytest
from reports_support import (
    DAY,
    day_is_today,
    docx_sections,
    html_sections,
    md_sections,
    model_sections,
    xlsx_sections,
)
from support import admin, load_state, report_data, write_reports

from valvecheck.reports import docx, html, markdown, xlsx
from valvecheck.reports.model import SECTION_KEYS
from valvecheck.services import activities, links

# Reports here are dated DAY (2099): today is DAY for every test, as the report needs.
pytestmark = pytest.mark.usefixtures(day_is_today.__name__)


def write_all_four(ws, tmp_path, with_links: bool):
    """The four formats of one report, and the model they were written from."""
    if with_links:
        views = load_state(ws).views
        csv = tmp_path / "activities.csv"
        csv.write_text(
            "id,title\nETP-07,Inclusion toolkit\nETP-09,Post-16 review\n", encoding="utf-8"
        )
        with admin(ws, by="lead") as ctx:
            activities.import_activities(ctx, csv.read_bytes(), csv.name)
            links.link(ctx, "ETP-07", views[3].id, "same aim")
            links.link(ctx, "ETP-09", views[17].id, "post-16 offer")
            links.link(ctx, "ETP-09", views[25].id, "post-16 offer")
    out = tmp_path / "out"
    write_reports(ws, "all", out, on=DAY)
    return report_data(ws, on=DAY), out


@pytest.fixture(params=["without links", "with links"])
def reports(request, ws, tmp_path):
    return write_all_four(ws, tmp_path, with_links=request.param == "with links")


def test_every_format_shows_the_models_sections_in_order_with_the_same_rows(reports):
    data, out = reports
    expected = model_sections(data)
    assert [h for h, _ in expected][:4] == [
        "Measures and ratings",
        "Summary by theme",
        f"Opportunities ({len(data.opportunities)})",
        f"Not yet rated ({len(data.unrated)})",
    ]
    assert docx_sections(out / "report.docx") == expected
    assert html_sections(out / "report.html") == expected
    assert md_sections(out / "report.md") == expected
    sheets = xlsx_sections(out / "report.xlsx")
    assert [name for name, _ in sheets] == [s.sheet for s in data.sections]
    assert [keys for _, keys in sheets] == [keys for _, keys in expected]


def test_linked_activities_are_a_section_of_every_format(ws, tmp_path):
    data, out = write_all_four(ws, tmp_path, with_links=True)
    assert [(k.activity, k.measure) for k in data.links] == [
        ("ETP-07", data.rows[3].id),
        ("ETP-09", data.rows[17].id),
        ("ETP-09", data.rows[25].id),
    ]
    heading = f"Activities linked to measures ({len(data.links)})"
    for sections in (docx_sections(out / "report.docx"), md_sections(out / "report.md")):
        assert sections[-1] == (heading, [(k.activity, k.measure) for k in data.links])


@pytest.mark.parametrize("writer", [docx, xlsx, html, markdown], ids=lambda w: w.__name__)
def test_every_writer_draws_every_section_of_the_model(writer):
    # A section added to the model without a renderer in each format fails here.
    assert list(writer.SECTIONS) == list(SECTION_KEYS)


def test_an_opportunity_shared_by_other_agreements_names_them_in_every_format(ws, tmp_path):
    """bury-4 is the template stoke-on-trent-5 and hammersmith-fulham-4 also hold: rated red, it
    comes first among the opportunities, and every format says where else it is."""
    from docx import Document
    from openpyxl import load_workbook

    from valvecheck.services import ratings

    with admin(ws, by="lead") as ctx:
        ratings.rate(ctx, "bury-4", "red", "nothing under way in mainstream schools")
    data, out = write_all_four(ws, tmp_path, with_links=False)
    assert data.opportunities[0].id == "bury-4"
    assert data.opportunities[0].also_in == ("hammersmith-fulham-4", "stoke-on-trent-5")
    assert all(r.also_in == () for r in data.opportunities[1:])  # the seed's other reds: alone

    section = (out / "report.md").read_text("utf-8").split("## Opportunities")[1]
    md = next(x for x in section.splitlines() if x.startswith("| bury-4 |"))
    # each by its authority's name, which a reader knows, and its ID there, to look it up by
    hf, st = "Hammersmith and Fulham (hammersmith-fulham-4)", "Stoke-on-Trent (stoke-on-trent-5)"
    assert data.opportunities[0].also_in_labels == (hf, st)
    assert md.rstrip(" |").endswith(f"| {hf}, {st}")
    html = (out / "report.html").read_text("utf-8")
    assert f"<li>{hf}</li><li>{st}</li>" in html
    wb = load_workbook(out / "report.xlsx", read_only=True)
    header, *body = [list(r) for r in wb["Opportunities"].iter_rows(values_only=True)]
    row = next(r for r in body if r[header.index("Measure ID")] == "bury-4")
    assert row[header.index("Also in")] == f"{hf}\n{st}"
    wb.close()
    table = next(
        t for t in Document(str(out / "report.docx")).tables if t.rows[1].cells[0].text == "bury-4"
    )
    # a line each, the id first: an id starting a line never breaks at its hyphens
    also_in = "\nAlso in:\nhammersmith-fulham-4 (Hammersmith and Fulham)\n"
    also_in += "stoke-on-trent-5 (Stoke-on-Trent)"
    assert table.rows[1].cells[2].text.endswith(also_in)


def test_every_format_has_a_name_council_staff_know():
    """The formats as the Reports page offers them: Markdown as plain text to paste, not as a
    file type staff have not heard of; every writer has a name, and every name a writer."""
    from valvecheck.reports import FORMATS
    from valvecheck.services.reports import FORMAT_NAMES

    assert set(FORMAT_NAMES) == set(FORMATS)
    assert FORMAT_NAMES["md"] == "Plain text (Markdown, .md) for pasting into other documents"
