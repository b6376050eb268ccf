"""A phone-sized window (360 CSS pixels, WCAG 1.4.10's reflow width is 320): no page scrolls
sideways, a wide table scrolls in its own focusable box, and axe-core, which checks target sizes
(WCAG 2.2, 2.5.8) against the layout actually drawn, finds nothing."""

# ruff: noqa: F811 (the tests take the imported fixtures as parameters)

from __future__ import annotations

import pytest
from browser_support import (  # noqa: F401 (fixtures)
    axe_violations,
    browser,
    server,
)
from web_support import PASSWORD

pytestmark = pytest.mark.browser

PAGES = (
    ("dashboard", "/"),
    ("measures", "/measures"),
    ("measure", "/measures/bury-1"),
    ("activities", "/activities"),
    ("activity", "/activities/B-1"),
    ("assessments", "/assessments"),
    ("reports", "/reports"),
    ("impact", "/impact"),
    ("people", "/admin/users"),
)


@pytest.fixture
def narrow(browser, server):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=server, bypass_csp=True, viewport={"width": 360, "height": 740}
    )
    page = context.new_page()
    page.goto("/login")
    page.fill("#username", "ann")
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{server}/")
    yield page
    context.close()


def sideways(page) -> int:  # type: ignore[no-untyped-def]
    """How many pixels the page reaches beyond the window's width."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def test_no_page_scrolls_sideways_in_a_phone_sized_window(narrow):
    found = {}
    for name, path in PAGES:
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


def test_a_wide_table_scrolls_in_its_own_box_reached_by_keyboard(narrow):
    narrow.goto("/measures")
    box = narrow.locator(".app-table-scroll").first
    assert box.evaluate("b => b.scrollWidth > b.clientWidth"), "the table is wider than the box"
    box.focus()
    assert narrow.evaluate("document.activeElement.classList.contains('app-table-scroll')")
    narrow.keyboard.press("ArrowRight")
    narrow.wait_for_function("document.querySelector('.app-table-scroll').scrollLeft > 0")


def test_no_wcag_a_or_aa_violation_in_a_phone_sized_window(narrow):
    found = {}
    for name, path in PAGES:
        narrow.goto(path)
        found[name] = axe_violations(narrow)
    assert {k: v for k, v in found.items() if v} == {}
