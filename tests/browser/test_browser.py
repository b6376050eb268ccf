"""What a person does, in Chromium: sign in, filter, rate, see the dashboard change, meet a
conflict, download the Excel report, sign out; accessibility by axe-core and by keyboard."""

# ruff: noqa: F811 (the tests take the imported fixtures as parameters)

from __future__ import annotations

import io
import time
from pathlib import Path

import openpyxl
import pytest
from browser_support import (  # noqa: F401 (fixtures)
    axe_violations,
    browser,
    server,
    sign_in,
    signed_in,
    site_server,
)
from web_support import PASSWORD

pytestmark = pytest.mark.browser


def test_sign_in_filter_rate_dashboard_excel_sign_out(signed_in, server):
    page = signed_in("ed")
    reds_before = int(page.inner_text("#reds"))
    page.click("nav >> text=Measures")
    page.select_option("#rag", "unrated")
    page.click("button:has-text('Filter')")
    assert "rag=unrated" in page.url
    first = page.locator("#measures tbody tr").first
    measure = first.locator("td a").inner_text()
    assert first.locator(".app-rag").inner_text() == "Not rated"
    first.locator("td a").click()
    page.check("#rag-red")
    page.fill("#rationale", "Nothing in place yet <b>really</b>")
    page.click("button:has-text('Save rating')")
    assert "Rating saved" in page.inner_text(".govuk-notification-banner")
    assert page.inner_text("#current-rationale") == "Nothing in place yet <b>really</b>"
    page.click("nav >> text=Dashboard")
    assert int(page.inner_text("#reds")) == reds_before + 1
    assert measure in page.inner_text("#recent-table")
    page.click("nav >> text=Reports")
    with page.expect_download() as caught:
        page.click("#downloads >> text=Excel workbook (.xlsx)")
    book = openpyxl.load_workbook(io.BytesIO(Path(caught.value.path()).read_bytes()))
    assert any(measure in str(c.value) for ws in book.worksheets for r in ws.iter_rows() for c in r)
    page.click("button:has-text('Sign out')")
    assert "You have signed out" in page.inner_text("main")
    page.goto("/measures")
    assert "/login" in page.url


def test_two_editors_the_second_sees_both_versions_and_keeps_their_words(signed_in):
    first, second = signed_in("ed"), signed_in("ann")
    for p in (first, second):
        p.goto("/measures/kingston-richmond-3")
    first.check("#rag-amber")
    first.fill("#rationale", "Ed got there first")
    first.click("button:has-text('Save rating')")
    second.check("#rag-green")
    second.fill("#rationale", "Ann's careful words")
    second.click("button:has-text('Save rating')")
    assert "Someone else rated" in second.inner_text("h1")
    assert "Ed got there first" in second.inner_text("#theirs")
    assert second.input_value("#yours textarea[name=rationale]") == "Ann's careful words"
    second.click("button:has-text('Save my rating instead')")
    assert "Rating saved" in second.inner_text(".govuk-notification-banner")


def test_an_administrator_says_two_measures_are_the_same_and_the_page_follows(signed_in):
    page = signed_in("ann", bypass_csp=True)
    page.goto("/measures/kingston-richmond-5")
    assert "bury-5" not in page.inner_text("#equivalents")
    page.fill("#find", "bury funding")  # found by its words, not its id
    page.click("button:has-text('Search')")
    assert page.inner_text("#found-measures caption").startswith("1 measure of other agreements")
    assert axe_violations(page) == []
    page.click("#found-measures a:has-text('Choose')")
    assert page.input_value("#other") == "bury-5"
    page.check("#decision-same")
    page.fill("#reason", "both ask health and care to pay their share")
    page.click("button:has-text('Record the decision')")
    assert "Recorded: bury-5 and kingston-richmond-5" in page.inner_text(
        ".govuk-notification-banner"
    )
    assert "bury-5 (Bury)" in page.inner_text("#equivalents")
    assert axe_violations(page) == []
    page.fill("#other", "bury-5")
    page.check("#decision-none")  # withdrawn: the shared server is as it was for other tests
    page.click("button:has-text('Record the decision')")
    assert "bury-5" not in page.inner_text("#equivalents")


def test_keyboard_alone_reaches_the_rating_form_and_submits_it(signed_in):
    page = signed_in("ed")
    page.goto("/measures/stoke-on-trent-3")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to main content"
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "rag":
            break
    else:
        raise AssertionError("Tab never reached the rating")
    page.keyboard.press("Space")
    chosen = page.evaluate("document.activeElement.value")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "rationale"
    page.keyboard.type("Typed without a mouse")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Save rating"
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "Rating saved" in page.inner_text(".govuk-notification-banner")
    assert page.inner_text("#current-rationale") == "Typed without a mouse"
    assert chosen in page.inner_text("#current-rating").lower().replace(
        "not applicable", "not_applicable"
    )


def test_the_rationale_counts_down_near_its_limit_and_a_long_paste_is_kept_whole(signed_in):
    """From a QA pass: a 25,000-character paste was cut to 20,000 without a word. GOV.UK's
    character count says how many too many; the server refuses it with the text kept. No
    request of the page fails (the browser asked for a /favicon.ico there is none of)."""
    from playwright.sync_api import expect

    page = signed_in("ed")
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto("/measures/stoke-on-trent-3")
    # the count shows only near the limit (three quarters of it), not under every box
    status = page.locator(".govuk-character-count__status").first  # the rationale's
    expect(status).to_be_hidden()
    page.fill("#rationale", "x" * 14_000)
    expect(status).to_be_hidden()
    page.fill("#rationale", "x" * 15_000)
    expect(status).to_contain_text("5,000 characters remaining")
    pasted = "x" * 20_005
    page.fill("#rationale", pasted)
    assert page.input_value("#rationale") == pasted  # kept whole
    expect(status).to_contain_text("5 characters too many")  # waits for the count (CSP: no eval)
    assert failed == []


def test_no_wcag_a_or_aa_violation_on_the_main_pages(browser, signed_in, server):
    anonymous = browser.new_context(base_url=server, bypass_csp=True)
    login = anonymous.new_page()
    login.goto("/login")
    found = {"sign-in": axe_violations(login)}
    anonymous.close()
    page = signed_in("les", bypass_csp=True)
    for name, path in (
        ("dashboard", "/"),
        ("measures", "/measures?rag=unrated"),
        ("measure", "/measures/bury-1"),
        ("measure in other agreements", "/measures/bury-4"),
        ("common measures", "/common"),
        ("activity", "/activities/L-1"),
        ("suggestions for every activity", "/suggestions"),
        ("assessments", "/assessments"),
    ):
        page.goto(path)
        found[name] = axe_violations(page)
    page.goto("/activities/L-1")
    page.select_option("#measure", "bury-2")  # a select of the measures, by agreement
    page.click("button:has-text('Link')")
    page.click("#links-table a:has-text('Unlink')")
    assert "Unlink bury-2 from L-1?" in page.inner_text("h1")
    found["unlink question"] = axe_violations(page)
    page.goto("/assessments")
    page.fill("#name", "Leeds: autumn 2026")
    page.click("button:has-text('Start the assessment')")
    page.goto("/assessments")
    page.click("button:has-text('Compare')")
    assert "Compare assessments" in page.inner_text("h1")
    found["compare"] = axe_violations(page)
    page.goto("/imports")
    page.set_input_files(
        "#activities-file",
        files=[{"name": "a.csv", "mimeType": "text/csv", "buffer": b"ID,Name\nL-7,Panel\n"}],
    )
    page.click("button:has-text('Preview the activities')")
    assert "Check before importing" in page.inner_text("h1")
    found["import preview"] = axe_violations(page)
    page.goto("/imports")
    page.set_input_files(
        "#activities-file",
        files=[{"name": "b.csv", "mimeType": "text/csv", "buffer": b"ID,Name\n,\nL-8,\n"}],
    )
    page.click("button:has-text('Preview the activities')")
    assert "cannot be imported" in page.inner_text("h1")
    found["import problems"] = axe_violations(page)
    assert {k: v for k, v in found.items() if v} == {}


def test_a_finance_lead_imports_savings_in_the_browser_seeing_each_figure_first(signed_in):
    """Savings from a spreadsheet on the web (before, only at the command line): the preview
    names each figure, axe finds nothing on it, and the import lands on the Impact page."""
    page = signed_in("les", bypass_csp=True)  # Leeds: Bristol's Impact page stays as it was
    page.goto("/impact")
    page.click("#import-savings-link")
    sheet = b"Activity,Financial year,Forecast saving (\xc2\xa3000)\nL-1,2025-26,250\n"
    page.set_input_files(
        "#savings-file", files=[{"name": "savings.csv", "mimeType": "text/csv", "buffer": sheet}]
    )
    page.click("button:has-text('Preview the savings')")
    assert "Check before importing" in page.inner_text("h1")
    row = page.locator("#figure-changes tbody tr").first.inner_text().split("\t")
    assert row == ["L-1", "2025-26", "Expected saving", "Not recorded", "£250,000.00"]
    assert axe_violations(page) == []
    page.click("button:has-text('Import savings.csv')")
    assert "Imported 1 savings row from savings.csv: 1 recorded" in page.inner_text(
        ".govuk-notification-banner"
    )
    assert page.url.endswith("/impact")


# A phone-sized window (360 CSS pixels; WCAG 1.4.10 reflows at 320): no page scrolls sideways, a
# wide table scrolls in its own focusable box, and axe-core, which checks target sizes (WCAG 2.2
# 2.5.8) against the layout actually drawn, finds nothing. (In this module, not one of its own:
# a second module would start a second Playwright beside this one's, which Playwright refuses.)

NARROW_PAGES = (
    ("dashboard", "/"),
    ("measures", "/measures"),
    ("measure", "/measures/bury-1"),
    ("measure in other agreements", "/measures/bury-4"),
    ("common measures", "/common?show=all"),
    ("activities", "/activities"),
    ("activity", "/activities/B-1"),
    ("assessments", "/assessments"),
    ("reports", "/reports"),
    ("impact", "/impact"),
    ("people", "/admin/users"),
    ("programme", "/programme"),
    ("rename a theme", "/programme/rename?theme=Data%2C+Outcomes+and+Digital"),
)


@pytest.fixture
def narrow(browser, server):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=server, bypass_csp=True, viewport={"width": 360, "height": 740}
    )
    page = context.new_page()
    sign_in(page, "ann", server)
    yield page
    context.close()


def sideways(page) -> int:  # type: ignore[no-untyped-def]
    """How many pixels the page reaches beyond the window's width."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def test_no_page_scrolls_sideways_in_a_phone_sized_window(narrow):
    found = {}
    for name, path in NARROW_PAGES:
        narrow.goto(path)
        found[name] = sideways(narrow)
    narrow.goto("/imports")
    narrow.set_input_files(
        "#activities-file",
        files=[{"name": "b.csv", "mimeType": "text/csv", "buffer": b"ID,Name\n,\nB-9,\n"}],
    )
    narrow.click("button:has-text('Preview the activities')")
    assert "cannot be imported" in narrow.inner_text("h1")
    found["import problems"] = sideways(narrow)
    assert {k: v for k, v in found.items() if v > 0} == {}


def test_on_a_phone_the_menu_and_the_filters_fold_and_the_rating_stays_in_view(narrow):
    """Review 6, item 14: the menu folds behind "Menu" (GOV.UK service navigation), the
    measures' filters behind "Filters", and the Rating column is next to the id."""
    narrow.goto("/measures")
    toggle = narrow.locator("button.govuk-service-navigation__toggle")
    assert toggle.is_visible() and toggle.inner_text().strip() == "Menu"
    assert not narrow.locator("#navigation").is_visible()
    toggle.click()
    assert narrow.locator("#navigation").is_visible()
    assert narrow.locator("#filters-details").get_attribute("open") is None
    assert not narrow.locator("#rag").is_visible()
    narrow.click("#filters-details summary")
    assert narrow.locator("#rag").is_visible()
    cell = narrow.locator("#measures tbody tr").first.locator("td").nth(1)
    box = cell.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 360, "the rating is off-screen"
    # a filter with an error stays in view: its summary's link reaches the field
    narrow.goto("/measures?rag=purple")
    assert narrow.locator("#filters-details").get_attribute("open") is not None
    narrow.click(".govuk-error-summary a[href='#rag']")
    assert narrow.locator("#rag").is_visible()
    assert narrow.evaluate("document.activeElement.id") == "rag"


def test_a_wide_table_scrolls_in_its_own_box_reached_by_keyboard_with_a_cue(narrow):
    narrow.goto("/common?show=all")
    box = narrow.locator(".app-table-scroll").first
    assert box.evaluate("b => b.scrollWidth > b.clientWidth"), "the table is wider than the box"
    # the cue: shadows that stay with the box under covers that scroll with the table (a shadow
    # shows only at an edge with columns beyond it)
    attachment = box.evaluate("b => getComputedStyle(b).backgroundAttachment")
    assert attachment == "local, local, scroll, scroll"
    assert box.evaluate("b => getComputedStyle(b).backgroundImage").count("radial-gradient") == 2
    box.focus()
    assert narrow.evaluate("document.activeElement.classList.contains('app-table-scroll')")
    narrow.keyboard.press("ArrowRight")
    narrow.wait_for_function("document.querySelector('.app-table-scroll').scrollLeft > 0")


def test_on_a_phone_a_listings_rows_stack_each_cell_named_by_its_column(narrow):
    """The Measures and Activities listings kept four of their six columns off the screen on a
    phone, with nothing to say so: each row now stacks, a cell under its column's name, all in
    view; a screen reader still reads a table of rows and cells."""
    for path, table, columns in (
        ("/measures", "#measures", ["Measure", "Rating", "Authority", "Recommendation", "Theme"]),
        ("/activities", "#activities", ["Activity", "Title", "Owner", "Status", "Theme"]),
    ):
        narrow.goto(path)
        box = narrow.locator(table).locator("xpath=..")
        assert not box.evaluate("b => b.scrollWidth > b.clientWidth"), path
        head = narrow.locator(f"{table} thead").bounding_box()
        assert head is not None and head["height"] <= 1, path  # visually hidden, still read
        cells = narrow.locator(f"{table} tbody tr").first.locator("td")
        drawn = [c.evaluate("c => getComputedStyle(c, '::before').content") for c in cells.all()]
        names = [d.split('"')[1] for d in drawn]  # '"Measure" / ""': the text, no alternative
        assert names[: len(columns)] == columns, path
        for cell in cells.all():
            found = cell.bounding_box()
            assert found is not None and found["x"] + found["width"] <= 360, path
        tree = narrow.locator(table).aria_snapshot()
        assert tree.startswith("- table") and "- row" in tree and "- cell" in tree, tree[:200]
        # the drawn label is not read again inside the cell (its column header says it)
        assert f'- cell "{columns[0]} ' not in tree, tree[:400]
        # a long word wraps inside its cell
        assert cells.first.evaluate("c => getComputedStyle(c).overflowWrap") == "anywhere"
    narrow.set_viewport_size({"width": 1280, "height": 800})  # a wide screen: a table as before
    head = narrow.locator("#activities thead").bounding_box()
    assert head is not None and head["height"] > 20
    # the names' column is as wide as the longest name: "Recommendation" is never broken
    narrow.set_viewport_size({"width": 320, "height": 740})
    narrow.goto("/measures")
    cell = narrow.locator("#measures tbody tr").first.locator("td").nth(3)
    column, needed = cell.evaluate(
        "c => { const s = document.createElement('span');"
        " s.style.fontWeight = 'bold'; s.style.whiteSpace = 'nowrap';"
        " s.textContent = 'Recommendation'; c.appendChild(s); const w = s.offsetWidth;"
        " s.remove(); return [parseFloat(getComputedStyle(c).gridTemplateColumns), w]; }"
    )
    assert column >= needed - 0.5, (column, needed)


# A reason such as the suggestions write, and a tracker's long SharePoint address (QA pass 3)
WHY = "suggested, accepted by owner.bob after the panel's review"
LONG_URL = (
    "https://bristolcouncil.sharepoint.com/sites/SENDInclusionProgramme/Shared%20Documents/"
    "Workstreams/ResourceBasesSecondaryPhaseTwoBusinessCaseFinalApprovedVersion.docx"
)


@pytest.fixture(scope="module")
def links_server(tmp_path_factory):  # type: ignore[no-untyped-def]
    """The test site with B-1 linked for a reason in words and B-2 for a long address."""
    from valvecheck.cli import run

    def prepare(db: str) -> None:
        for args in (
            ("link", "B-1", "bury-4", "--rationale", WHY),
            ("link", "B-2", "bury-2", "--rationale", f"See {LONG_URL} for the plan"),
        ):
            assert run(["--db", db, "--council", "Bristol", *args]) == 0, args

    with site_server(tmp_path_factory.mktemp("links-site"), prepare) as url:
        yield url


def test_on_a_phone_an_activitys_link_tables_break_no_word_and_a_long_address_wraps(
    browser, links_server
):
    """At 390 pixels the Why column read "sugge / sted, / accep / ted by": `overflow-wrap:
    anywhere` let the table shrink it to a letter's width. Each word now fits its cell whole,
    and a long address still never pushes the page sideways."""
    context = browser.new_context(base_url=links_server, viewport={"width": 390, "height": 844})
    widest = (
        "c => { const s = document.createElement('span'); s.style.whiteSpace = 'nowrap';"
        " let w = 0; for (const word of c.innerText.split(/\\s+/).filter(Boolean)) {"
        " s.textContent = word; c.appendChild(s); w = Math.max(w, s.offsetWidth); s.remove(); }"
        " const st = getComputedStyle(c);"
        " return [c.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight), w]; }"
    )
    try:
        page = context.new_page()
        sign_in(page, "ann", links_server)
        page.goto("/activities/B-1")
        cells = page.locator("main td.app-pre-wrap").all()
        assert len(cells) == 2  # the Why of the link, and its reason in the history of links
        assert all(WHY in c.inner_text() for c in cells)
        for cell in cells:
            room, word = cell.evaluate(widest)
            assert room >= word - 0.5, (cell.inner_text(), room, word)
        assert sideways(page) <= 0
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 844})
            page.goto("/activities/B-2")
            assert LONG_URL in page.locator("#links-table").inner_text()
            assert sideways(page) <= 0, width
        # on a laptop the address wraps inside its cell: its table needs no scrolling
        box = page.locator("#links-table").locator("xpath=..")
        assert not box.evaluate("b => b.scrollWidth > b.clientWidth")
    finally:
        context.close()


def test_on_a_phone_the_import_problems_stack_with_each_problem_in_full_view(narrow):
    """The problems table squeezed its Problem column to about 60 pixels at the screen's edge
    beside the file's name: each problem now stacks, its cells named by their columns."""
    narrow.set_viewport_size({"width": 390, "height": 844})
    narrow.goto("/imports")
    bad = b"ID,Name,Measures\nB-9,Outreach,bury-9\nB-10,Hubs,hammersmith-fulham2; local offer\n"
    narrow.set_input_files(
        "#activities-file",
        files=[{"name": "tracker_badids.csv", "mimeType": "text/csv", "buffer": bad}],
    )
    narrow.click("button:has-text('Preview the activities')")
    assert "cannot be imported" in narrow.inner_text("h1")
    box = narrow.locator("#problems").locator("xpath=..")
    assert not box.evaluate("b => b.scrollWidth > b.clientWidth")
    assert sideways(narrow) <= 0
    rows = narrow.locator("#problems tbody tr")
    assert rows.count() == 2
    for row in rows.all():
        cells = row.locator("td")
        names = [
            c.evaluate("c => getComputedStyle(c, '::before').content").split('"')[1]
            for c in cells.all()
        ]
        assert names == ["File", "Row", "Column", "Problem", "Code"]
        problem = cells.nth(3).bounding_box()
        assert problem is not None and problem["x"] + problem["width"] <= 390
        assert problem["width"] >= 300, problem  # the row's width, not a sliver of it


@pytest.fixture(scope="module")
def impact_server(tmp_path_factory):  # type: ignore[no-untyped-def]
    """The test site with the impact tests' worked example in Bristol: a trajectory, savings."""
    from test_impact import DATA, LINKS

    from valvecheck.cli import run

    def prepare(db: str) -> None:
        for args in (
            ("activities", "import", str(DATA / "activities.csv")),
            *(("link", a, m) for a, m in LINKS),
            ("trajectory", "import", str(DATA / "trajectory.csv")),
            ("impact", "import", str(DATA / "savings.csv")),
        ):
            assert run(["--db", db, "--council", "Bristol", *args]) == 0, args

    with site_server(tmp_path_factory.mktemp("impact-site"), prepare) as url:
        yield url


def test_the_impact_pages_nine_columns_of_figures_fit_a_laptops_screen(browser, impact_server):
    """At 1280 pixels the years table's Actual outturn, Outturn gap and Actual savings were cut
    off in a scrolling box: the page is wider there and its tables' text a size smaller. On a
    phone they scroll in their boxes, and the page never does."""
    context = browser.new_context(base_url=impact_server, viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        sign_in(page, "ann", impact_server)
        page.goto("/impact")
        boxes = page.evaluate(
            "[...document.querySelectorAll('.app-table-scroll')].map(b =>"
            " [b.querySelector('table').id, b.scrollWidth - b.clientWidth])"
        )
        assert [name for name, _ in boxes][:2] == ["impact-years", "impact-cumulative"]
        assert {name: cut for name, cut in boxes if cut > 0} == {}
        # the prose keeps a readable line beside the wider tables
        line = page.evaluate("document.querySelector('#impact-to-date').offsetWidth")
        assert line < page.evaluate("document.querySelector('#impact-years').offsetWidth")
        page.set_viewport_size({"width": 360, "height": 740})
        page.goto("/impact")
        assert sideways(page) <= 0
        years = page.locator("#impact-years").locator("xpath=..")
        assert years.evaluate("b => b.scrollWidth > b.clientWidth")
    finally:
        context.close()


def test_on_a_phone_the_sign_out_button_stays_inside_the_page(narrow):
    for width in (320, 360, 375):
        narrow.set_viewport_size({"width": width, "height": 740})
        narrow.goto("/measures")
        found = narrow.locator("button:has-text('Sign out')").first.bounding_box()
        assert found is not None and found["x"] + found["width"] <= width - 15, width


def test_no_wcag_a_or_aa_violation_in_a_phone_sized_window(narrow):
    found = {}
    for name, path in NARROW_PAGES:
        narrow.goto(path)
        found[name] = axe_violations(narrow)
    for name, link, title in (
        ("new password", "Set a new password", "A new password for"),
        ("remove access", "Remove access", "Remove access for"),
    ):
        narrow.goto("/admin/users")
        narrow.locator(f"#people a:has-text('{link}')").first.click()
        assert narrow.inner_text("h1").startswith(title)
        found[name] = axe_violations(narrow) + ([sideways(narrow)] if sideways(narrow) > 0 else [])
    assert {k: v for k, v in found.items() if v} == {}


@pytest.fixture(scope="module")
def report_page(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    """The HTML report of the impact tests' worked example: every section has its table."""
    from test_impact import DATA, LINKS

    from valvecheck.cli import run

    folder = tmp_path_factory.mktemp("report-narrow")
    db = str(folder / "valvecheck.db")
    for args in (
        ("init",),
        ("activities", "import", str(DATA / "activities.csv")),
        *(("link", a, m) for a, m in LINKS),
        ("trajectory", "import", str(DATA / "trajectory.csv")),
        ("impact", "import", str(DATA / "savings.csv")),
        ("report", "--format", "html", "--out", str(folder)),
    ):
        assert run(["--db", db, *args]) == 0, args
    return folder / "report.html"


def test_the_html_report_scrolls_only_inside_its_tables_in_a_phone_sized_window(
    browser, report_page
):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        page.goto(report_page.as_uri())
        assert sideways(page) <= 0
        # every table sits in its own box, which the keyboard can reach and scroll
        loose = page.evaluate(
            "[...document.querySelectorAll('table')]"
            ".filter(t => !t.parentElement.classList.contains('table-box')).map(t => t.id)"
        )
        assert loose == []
        box = page.locator("#appendix-table").locator("xpath=..")
        assert box.evaluate("b => b.scrollWidth > b.clientWidth"), "the table fits: test nothing"
        box.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("document.querySelector('#appendix-table').parentElement.scrollLeft")
        assert axe_violations(page) == []
    finally:
        context.close()


# An accessibility review's findings that only a browser shows: where focus goes, what is drawn
# at 320 CSS pixels (WCAG 1.4.10) with text spacing (1.4.12), forced colours, and Tab stops.


def follow_summary_link(page) -> str:  # type: ignore[no-untyped-def]
    """Activate the error summary's first link by keyboard; the id of what then has focus."""
    page.locator(".govuk-error-summary a").first.focus()
    page.keyboard.press("Enter")
    return str(page.evaluate("document.activeElement.id"))


def test_error_summary_links_put_focus_on_the_first_radio_or_checkbox(signed_in):
    page = signed_in("les")  # Leeds has not rated bury-3: no rating is chosen on its form
    page.goto("/measures/bury-3")
    page.click("button:has-text('Save rating')")
    assert page.title().startswith("Error: ")
    assert follow_summary_link(page) == "rag-green"
    page.goto("/activities/L-1")
    page.click("button:has-text('Link the chosen measures')")
    assert follow_summary_link(page) == "accept-1"


TEXT_SPACING = (
    "* { line-height: 1.5 !important; letter-spacing: 0.12em !important;"
    " word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }"
)


def test_no_page_scrolls_sideways_at_320_pixels_with_text_spacing(narrow):
    narrow.set_viewport_size({"width": 320, "height": 256})
    found = {}
    for path in ("/admin/users", "/measures/bury-4", "/measures/bury-1", "/"):
        narrow.goto(path)
        found[path] = sideways(narrow)
        narrow.add_style_tag(content=TEXT_SPACING)
        found[f"{path} spaced"] = sideways(narrow)
    assert {k: v for k, v in found.items() if v > 0} == {}


def test_the_chart_gives_way_to_the_table_on_a_narrow_screen(narrow):
    narrow.set_viewport_size({"width": 320, "height": 256})
    narrow.goto("/")
    assert not narrow.is_visible(".app-chart")
    assert narrow.is_visible("#theme-table")
    narrow.set_viewport_size({"width": 1280, "height": 800})
    assert narrow.is_visible(".app-chart") and narrow.is_visible("#chart-legend")
    # the key is in the page's typeface (it was the browser's default serif)
    font = narrow.evaluate("getComputedStyle(document.querySelector('#chart-legend')).fontFamily")
    assert font.lower().startswith("arial"), font
    # at full size the labels are drawn at their own size, never scaled below it
    size = narrow.evaluate(
        "document.querySelector('.app-chart__label').getBoundingClientRect().height"
    )
    assert size >= 14


def test_the_chart_is_drawn_in_the_systems_colours_in_forced_colours_mode(browser, server):
    context = browser.new_context(
        base_url=server,
        forced_colors="active",
        color_scheme="dark",
        viewport={"width": 1280, "height": 800},
    )
    try:
        page = context.new_page()
        sign_in(page, "ann", server)
        label, text, stroke = page.evaluate(
            "[getComputedStyle(document.querySelector('.app-chart__label')).fill,"
            " getComputedStyle(document.body).color,"
            " getComputedStyle(document.querySelector('.app-chart rect')).stroke]"
        )
        assert label == text == stroke, (label, text, stroke)
        assert label != "rgb(11, 12, 12)"  # not the near-black that vanished on a dark page
    finally:
        context.close()


def test_a_table_box_is_a_tab_stop_only_when_it_scrolls(browser, server):
    for script in (True, False):
        context = browser.new_context(
            base_url=server, java_script_enabled=script, viewport={"width": 1280, "height": 800}
        )
        try:
            page = context.new_page()
            sign_in(page, "ann", server)
            boxes = page.evaluate(
                "[...document.querySelectorAll('.app-table-scroll')].map(b =>"
                " [b.scrollWidth > b.clientWidth, b.getAttribute('tabindex'),"
                " b.getAttribute('role'), b.getAttribute('aria-label')])"
            )
            assert boxes, "the dashboard has no table box: test nothing"
            for scrolls, tabindex, role, label in boxes:
                if script and not scrolls:
                    assert (tabindex, role, label) == (None, None, None)
                else:  # it scrolls, or JavaScript is off: reachable, and named, either way
                    assert tabindex == "0" and role == "region" and label
            if script:
                page.set_viewport_size({"width": 320, "height": 600})
                page.wait_for_function(
                    "document.querySelector('#theme-table').parentElement"
                    ".getAttribute('tabindex') === '0'"
                )
        finally:
            context.close()


# A second accessibility review (WCAG 2.2 AA; the HTML-level checks are in test_web_a11y_review):
# what a viewer's suggestions look like to axe-core, where a refused unlink's error link puts
# focus, and a table box that scrolled by the one pixel of hidden text in its last cell.


def test_a_viewer_reads_the_suggestions_at_full_contrast(signed_in):
    page = signed_in("vi", bypass_csp=True)
    page.goto("/activities/B-1")
    assert page.locator("#suggested li").count() > 0
    assert page.locator("input[type=checkbox]").count() == 0
    assert axe_violations(page) == []


def test_a_refused_unlinks_error_link_puts_focus_on_the_links_heading(signed_in):
    page = signed_in("ann")
    page.goto("/activities/B-2")
    page.select_option("#measure", "bury-5")
    with page.expect_navigation():
        page.click("form[action$='/link'] button[type=submit]")
    # at desktop width the linked measures' table fits its box: no Tab stop with nothing to scroll
    box = page.evaluate(
        "(b => [b.scrollWidth - b.clientWidth, b.getAttribute('tabindex')])"
        "(document.querySelector('#links-table').parentElement)"
    )
    assert box == [0, None]
    other = page.context.new_page()
    for tab in (page, other):  # the same question in two tabs, answered in both
        tab.goto("/activities/B-2/unlink?measure=bury-5")
    for tab in (page, other):
        with tab.expect_navigation():
            tab.click("main button[type=submit]")
    assert other.title().startswith("Error: ")
    assert follow_summary_link(other) == "links"


# The People page: a refused change is shown at the page's own address (a refresh asks the same
# again, and the address bar opens the People page, never "That cannot be done here").


def test_a_refused_role_change_stays_at_the_people_pages_address(signed_in, server):
    page = signed_in("ann")
    page.goto("/admin/users")
    row = page.locator("#people tbody tr", has_text="ann").first
    row.locator("select").select_option("viewer")
    row.locator("button:has-text('Change role')").click()
    assert page.url == f"{server}/admin/users"
    assert page.title().startswith("Error: People")
    assert "the only admin" in page.inner_text(".govuk-error-summary")
    assert row.locator("select").input_value() == "viewer"  # the choice, beside why not
    page.goto(page.url)  # the address bar's address, opened
    assert page.inner_text("h1") == "People in Bristol"
    assert row.locator("select").input_value() == "admin"  # nothing changed


# The timeout warning (GOV.UK's pattern; WCAG 2.2.1), on a server whose sign-in lasts 28.8
# seconds unused (VALVECHECK_SESSION_HOURS=0.008): the warning comes 7 seconds before the end.

SHORT_HOURS = 0.008


@pytest.fixture(scope="module")
def short_server(tmp_path_factory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("browser-short-sign-in")
    with site_server(folder, VALVECHECK_SESSION_HOURS=str(SHORT_HOURS)) as url:
        yield url


@pytest.fixture
def writing(browser, short_server):  # type: ignore[no-untyped-def]
    """A new browser (its own cookies and storage) signed in as ed on the short-lived server,
    halfway through writing a rating's rationale; when its sign-in would end if left idle
    (epoch seconds: the cookie itself is kept to the longest limit, so the server can say why
    a sign-in ended)."""
    contexts = []

    def open_one(bypass_csp: bool = False, typed: bool = True):  # type: ignore[no-untyped-def]
        context = browser.new_context(base_url=short_server, bypass_csp=bypass_csp)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, "ed", short_server)
        page.goto("/measures/bury-3")
        if typed:
            page.fill("#rationale", "Half of a long rationale, not yet saved")
        page.evaluate("window.sameDocument = true")  # gone if the page is loaded again
        return page, time.time() + SHORT_HOURS * 3600

    yield open_one
    for context in contexts:
        context.close()


def focused_in_dialog(page) -> str:  # type: ignore[no-untyped-def]
    """The id of what has focus, if it is in the open timeout warning ('' if not)."""
    return str(
        page.evaluate(
            "(d => d.open && d.contains(document.activeElement) ? document.activeElement.id"
            " || document.activeElement.textContent.trim() : '')"
            "(document.getElementById('timeout-warning'))"
        )
    )


def test_the_timeout_warning_keeps_the_sign_in_and_the_typed_text(writing, short_server):
    from playwright.sync_api import expect

    by_button, page_before = writing(bypass_csp=True)  # axe-core is injected as a script
    by_escape, escape_before = writing()  # the site's own CSP, as a person's browser has it
    by_button.wait_for_selector("#timeout-warning[open]", timeout=60_000)
    dialog = by_button.locator("#timeout-warning")
    assert dialog.get_attribute("role") == "alertdialog"
    assert dialog.inner_text().startswith("You are about to be signed out")
    assert "You will be signed out in" in by_button.inner_text("#timeout-said")
    assert focused_in_dialog(by_button) == "timeout-stay"  # the safe choice has focus
    for key, lands_on in (
        ("Tab", "timeout-sign-out"),
        ("Tab", "timeout-stay"),
        ("Shift+Tab", "timeout-sign-out"),
    ):
        by_button.keyboard.press(key)
        assert focused_in_dialog(by_button) == lands_on, key  # focus stays in the dialog
    assert axe_violations(by_button) == []
    by_button.click("#timeout-stay")
    expect(by_button.locator("#timeout-warning")).to_be_hidden()
    assert by_button.evaluate("document.activeElement.id") == "rationale"  # back where it was
    by_escape.wait_for_selector("#timeout-warning[open]", timeout=60_000)
    assert focused_in_dialog(by_escape) == "timeout-stay"
    by_escape.keyboard.press("Escape")  # Escape, too, keeps the sign-in going
    expect(by_escape.locator("#timeout-warning")).to_be_hidden()
    # past the end the pages' sign-ins had: each was renewed, with no page loaded
    latest = max(page_before, escape_before)
    # (waited for in the page that allows a test's script: the other keeps the site's CSP)
    by_button.wait_for_function(f"Date.now() / 1000 > {latest + 1}", timeout=60_000)
    for page in (by_button, by_escape):
        assert page.input_value("#rationale") == "Half of a long rationale, not yet saved"
        assert page.evaluate("window.sameDocument") is True
        assert not page.locator("#timeout-warning").is_visible()
        assert page.request.get("/measures/bury-3", max_redirects=0).status == 200


def test_a_sign_in_left_to_time_out_goes_to_the_sign_in_page_saying_why(writing, short_server):
    """Nothing typed: the page goes to sign-in. Something typed: the page stays, saying so, and
    sending its form carries what was typed through signing in again."""
    from valvecheck.web.auth import duration

    page, _ = writing(typed=False)
    kept, _ = writing()
    page.wait_for_selector("#timeout-warning[open]", timeout=60_000)
    page.wait_for_url("**/login?**", timeout=60_000)  # nothing pressed: the time runs out
    kept.wait_for_selector("#timeout-gone:visible", timeout=60_000)
    assert kept.inner_text("#timeout-heading") == "You have been signed out"
    assert focused_in_dialog(kept) == "timeout-close"
    assert kept.url.endswith("/measures/bury-3") and kept.evaluate("window.sameDocument") is True
    kept.keyboard.press("Escape")
    assert not kept.locator("#timeout-warning").is_visible()
    assert kept.input_value("#rationale") == "Half of a long rationale, not yet saved"
    kept.click("#rating-form button[type=submit]")
    kept.wait_for_selector("#ended")
    assert kept.inner_text("h1") == "Your sign-in has ended"
    kept.fill("#username", "ed")
    kept.fill("#password", PASSWORD)
    kept.click("button:has-text('Sign in')")
    kept.wait_for_selector("#resume-form")
    assert kept.inner_text("h1") == "You are signed in again"
    assert page.inner_text("h1") == "You have been signed out"
    said = page.inner_text("#ended")
    assert said.startswith(f"You had not used Valvecheck for {duration(SHORT_HOURS * 3600)}")
    assert page.request.get("/", max_redirects=0).status == 303  # signed out indeed
    page.fill("#username", "ed")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{short_server}/measures/bury-3")  # back to the page it was on
