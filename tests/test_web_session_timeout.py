"""The timeout warning (GOV.UK's pattern; WCAG 2.2.1 Timing Adjustable): every signed-in page
carries the dialog and its timings, "Stay signed in" renews the sign-in with no page loaded, and
the sign-in page says when a sign-in timed out. What a browser does with them is in
tests/browser/test_browser.py."""

# ruff: noqa: F811 (the tests take the imported fixtures as parameters)

from __future__ import annotations

import time
from pathlib import Path

from web_support import (
    by_id,
    csrf_of,
    heading,
    page,
    post,
    site,  # noqa: F401 (a fixture)
    site_template,  # noqa: F401 (a fixture)
    text,
)

from valvecheck.web.app import CSP
from valvecheck.web.session import Sessions, WebSession

STATIC = Path(__file__).resolve().parents[1] / "src" / "valvecheck" / "web" / "static"


def later(client, seconds: float) -> None:  # type: ignore[no-untyped-def]
    """The server's clock moved on by ``seconds``."""
    client.app.state.sessions.clock = lambda: time.time() + seconds


def stay(client, token: str | None):  # type: ignore[no-untyped-def]
    """What the dialog's "Stay signed in" sends: a POST with the token in a header, no form."""
    headers = {"X-CSRF-Token": token} if token else {}
    return client.post("/stay-signed-in", headers={**headers, "Accept": "application/json"})


def test_stay_signed_in_renews_the_sign_in_with_no_page_loaded(site):
    client = site.client("ed")
    idle = site.settings.session_hours * 3600
    token = csrf_of(client, "/measures/bury-3")  # the page, drawn now
    later(client, idle * 0.9)  # the warning is up: someone has been writing for a long while
    renewed = stay(client, token)
    assert renewed.status_code == 200, renewed.text
    assert renewed.json() == {
        "signed_in": True,
        "seconds_left": int(idle),
        "warning_seconds": 300,
        "ends": "idle",
    }
    assert "valvecheck_session=" in renewed.headers["set-cookie"]
    later(client, idle * 1.7)  # past when the page's sign-in would have ended
    assert client.get("/measures/bury-3").status_code == 200
    # and without staying, it ends as before
    idle_one = site.client("ed")
    csrf_of(idle_one, "/measures/bury-3")
    later(idle_one, idle * 1.7)
    assert idle_one.get("/measures/bury-3").headers["location"].startswith("/login")


def test_stay_signed_in_is_refused_without_the_sessions_csrf_token(site):
    client = site.client("ed")
    another = csrf_of(site.client("ed"), "/")  # a real token, of another session
    for token in (None, another):
        refused = stay(client, token)
        assert refused.status_code == 403
        assert heading(refused) == "This form has expired"


def test_stay_signed_in_is_refused_when_nobody_is_signed_in(site):
    nobody = site.client()
    refused = stay(nobody, csrf_of(nobody, "/login"))  # a token of its own, valid, of nobody
    assert refused.status_code == 401
    assert refused.json() == {"signed_in": False}
    assert "set-cookie" not in refused.headers
    # signed out on another device: the session here has ended, with its token still good
    here, there = site.client("ed"), site.client("ed")
    token = csrf_of(here, "/")
    assert post(there, "/logout").status_code == 303
    refused = stay(here, token)
    assert refused.status_code == 401
    assert here.get("/").headers["location"].startswith("/login")
    # a sign-in that ran out cannot be brought back
    client = site.client("ed")
    token = csrf_of(client, "/")
    later(client, site.settings.session_hours * 3600 + 60)
    assert stay(client, token).status_code != 200
    assert client.get("/").headers["location"].startswith("/login")


def dialog_of(response):  # type: ignore[no-untyped-def]
    return by_id(response, "timeout-warning")


def test_every_signed_in_page_carries_the_warning_and_its_timings_for_the_script(site):
    client = site.client("ed")
    shown = client.get("/measures/bury-3?from=list")
    dialog = dialog_of(shown)
    assert dialog is not None and dialog.tag == "dialog"
    assert dialog.get("open") is None  # never shown with JavaScript off
    assert dialog.get("role") == "alertdialog"
    assert text(by_id(shown, dialog.get("aria-labelledby"))) == "You are about to be signed out"
    said = text(by_id(shown, dialog.get("aria-describedby")))
    assert "signs you out when no page has been opened and no form sent for 8 hours" in said
    assert (dialog.get("data-seconds-left"), dialog.get("data-warning-seconds")) == ("28800", "300")
    assert dialog.get("data-ends") == "idle"
    assert dialog.get("data-next") == "/measures/bury-3?from=list"  # back here after signing in
    buttons = [text(b) for b in dialog.iter("button")]
    assert buttons == ["Stay signed in", "Close", "Sign out"]
    sign_out = dialog.find(".//form")
    assert sign_out.get("action") == "/logout" and sign_out.get("method") == "post"
    assert sign_out.find(".//input[@name='csrf_token']").get("value") == csrf_of(client, "/")
    # the script is a file of the site's own (the pages allow no inline script), as is its style
    scripts = [s.get("src") for s in page(shown).iter("script")]
    assert "/static/js/timeout.js" in scripts
    assert "script-src 'self'" in CSP and "connect-src 'self'" in CSP
    assert (STATIC / "js" / "timeout.js").is_file() and (STATIC / "css" / "timeout.css").is_file()
    served = client.get("/static/js/timeout.js")
    assert served.status_code == 200
    # one request, to this site: no other site's address, nothing else fetched
    assert "://" not in served.text and served.text.count("fetch(") == 1
    assert "fetch('/stay-signed-in'" in served.text
    assert client.get("/static/css/timeout.css").status_code == 200
    # nobody signed in: nothing to warn about
    login = site.client().get("/login")
    assert dialog_of(login) is None and "/static/js/timeout.js" not in login.text


def test_a_page_drawn_in_answer_to_a_form_sends_the_timed_out_person_to_the_dashboard(site):
    client = site.client("ann")
    refused = post(client, "/admin/users", {"username": "", "password": "x"})
    assert refused.status_code == 422
    assert dialog_of(refused).get("data-next") == "/"  # not the address of a POST


def test_the_warning_comes_a_few_minutes_before_or_a_quarter_of_a_short_sign_in():
    now = [1000.0]
    eight_hours = Sessions("k" * 40, 8 * 3600, longest_seconds=24 * 3600, clock=lambda: now[0])
    signed_in = WebSession("token", 1, "ed", issued=now[0], seen=now[0])
    timing = eight_hours.timing(signed_in)
    assert (timing.seconds_left, timing.warning_seconds, timing.ends) == (28800, 300, "idle")
    assert (timing.idle, timing.longest) == ("8 hours", "24 hours")
    short = Sessions("k" * 40, 18, clock=lambda: now[0])  # VALVECHECK_SESSION_HOURS=0.005
    quick = short.timing(signed_in)
    assert (quick.seconds_left, quick.warning_seconds) == (18, 4)
    # near the longest limit, staying signed in cannot extend it: the warning says so
    now[0] += 20 * 3600
    near_the_end = eight_hours.timing(signed_in)
    assert (near_the_end.seconds_left, near_the_end.ends) == (4 * 3600, "longest")


def test_the_sign_in_page_says_a_sign_in_timed_out_and_how_long_it_lasts(site):
    nobody = site.client()
    timed_out = nobody.get("/login", params={"timeout": "idle", "next": "/measures/bury-3"})
    assert timed_out.status_code == 200
    assert heading(timed_out) == "You have been signed out"
    assert text(page(timed_out).find(".//title")).startswith("You have been signed out")
    assert text(by_id(timed_out, "ended")).startswith(
        "You had not used Valvecheck for 8 hours, so you were signed out."
    )
    form = page(timed_out).find(".//form[@action='/login']")
    assert form.find(".//input[@name='next']").get("value") == "/measures/bury-3"
    longest = nobody.get("/login", params={"timeout": "longest"})
    assert text(by_id(longest, "ended")).startswith("A sign-in lasts at most 24 hours")
    for other in ({"timeout": "soon"}, {}):
        assert heading(nobody.get("/login", params=other)) == "Sign in"
    # still signed in after all (another tab kept the sign-in going): back to the page
    busy = site.client("ed")
    back = busy.get("/login", params={"timeout": "idle", "next": "/measures/bury-3"})
    assert back.status_code == 303 and back.headers["location"] == "/measures/bury-3"
    offsite = busy.get("/login", params={"timeout": "idle", "next": "//elsewhere.example"})
    assert offsite.headers["location"] == "/"


def test_the_browser_keeps_the_cookie_past_the_idle_limit_so_the_server_can_say_why():
    # at the idle limit the browser forgot the cookie, so a form sent after it met "your
    # sign-in could not be found" and no name: the browser now keeps it to the longest limit,
    # and the server, which refuses it once idle, says it ran out, and whose it was
    from starlette.responses import Response

    now = [1000.0]
    sessions = Sessions("k" * 40, 8 * 3600, longest_seconds=24 * 3600, clock=lambda: now[0])
    signed_in = WebSession("token", 1, "ed", issued=now[0], seen=now[0])
    response = Response()
    sessions.write(response, signed_in)
    assert "Max-Age=86400" in response.headers["set-cookie"]
    now[0] += 9 * 3600  # idle past 8 hours, within the day
    assert sessions.ended(signed_in) == "idle"
