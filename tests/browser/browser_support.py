"""One real server and one Chromium per test session (Debian's chromium, driven by Playwright),
and axe-core (vendored from npm by scripts/vendor-assets.sh) run in the page.

Skipped with the reason on a machine without chromium; under CI=true a missing browser fails.
(No conftest.py here: the tests' own conftest module name is taken by tests/conftest.py.)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import need
from test_web_serve import free_port, wait_for
from web_support import PASSWORD, make_site

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe.min.js"


@contextmanager
def site_server(
    folder: Path, prepare: Callable[[str], None] | None = None, **settings: str
) -> Iterator[str]:
    """The test site (web_support.make_site) served by `valvecheck serve` in a process of its
    own, with these VALVECHECK_ settings; its address while the block runs. ``prepare`` is given
    the site's database file to add to it before it is served."""
    make_site(folder).ws.dispose()
    if prepare is not None:
        prepare(str(folder / "web.db"))
    port = free_port()
    env = {**os.environ, "VALVECHECK_SECRET_KEY": "browser-tests-" + "k" * 40, **settings}
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "valvecheck", "--db", str(folder / "web.db")]
        + ["serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{url}/login", process)
        yield url
    finally:
        process.terminate()
        process.communicate(timeout=30)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with site_server(tmp_path_factory.mktemp("browser-site")) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    need(Path(CHROMIUM).exists(), f"Debian's chromium is not installed ({CHROMIUM})")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        found = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield found
        found.close()


def sign_in(page, name: str, server: str) -> None:  # type: ignore[no-untyped-def]
    """Sign ``page`` in as ``name`` through the sign-in form, and wait for the dashboard."""
    page.goto("/login")
    page.fill("#username", name)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{server}/")


@pytest.fixture
def signed_in(browser, server):  # type: ignore[no-untyped-def]
    """A new browser context signed in as the person named (through the sign-in form)."""
    contexts = []

    def open_as(name: str, bypass_csp: bool = False):  # type: ignore[no-untyped-def]
        # axe-core is injected as a script, which the app's own CSP rightly refuses
        context = browser.new_context(base_url=server, accept_downloads=True, bypass_csp=bypass_csp)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, name, server)
        return page

    yield open_as
    for context in contexts:
        context.close()


def axe_violations(page) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']})"
    )
    assert result["passes"], "axe-core checked nothing: was it loaded?"
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]
