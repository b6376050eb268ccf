"""A council team places a measure in its own programme, and takes a wrong placement away: the
service (on SQLite and PostgreSQL), who may, each council's own, the command line, the JSON API
and the measure's page."""

# ruff: noqa: F811 (the tests take the imported fixtures as parameters)

from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_support import Server, on_both_stores  # noqa: F401 (a fixture)
from sqlalchemy import func, select
from web_support import (
    by_id,
    page,
    post,
    site,  # noqa: F401 (a fixture)
    site_template,  # noqa: F401 (a fixture)
    text,
)

from valvecheck.catalogue.loader import load_catalogue
from valvecheck.errors import Forbidden, InputError, InputErrors, NotFound
from valvecheck.services import measures, people, programme
from valvecheck.services.workspace import init_workspace, unit_of_work
from valvecheck.store.db import Workspace
from valvecheck.store.models import PlacementRow, ThemeRow

BUNDLED = load_catalogue()
THEMES = list(BUNDLED.programme.themes)  # Bristol's: the seed's three themes
# bury-3 is placed in the first theme alone; the others are where a team might move it.
MEASURE = "bury-3"
FIRST, THIRD, SECOND = THEMES  # the second of them has sub-themes, the third none
SUBS = BUNDLED.programme.themes[SECOND]


def placed(ws: Workspace, council: str = "Bristol", measure: str = MEASURE) -> list[tuple]:
    """The measure's placements as the council's pages read them, in a unit of work of its own."""
    with unit_of_work(ws, council=council, by="reader") as ctx:
        view = measures.show_measure(ctx, measure)
    return [(p.theme, p.sub_theme) for p in view.measure.placements]


def themes_of(ws: Workspace, council: str = "Bristol") -> dict[str, list[str]]:
    with unit_of_work(ws, council=council, by="reader") as ctx:
        return dict(measures.load_state(ctx).catalogue.programme.themes)


def rows(ws: Workspace, model: type) -> int:
    with ws.session(all_councils=True) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def team(ws: Workspace) -> Workspace:
    """Bristol (the seed's council) with an editor, a viewer and an admin."""
    with unit_of_work(ws, write=True, by="setup") as ctx:
        for name, role in (("ed", "editor"), ("vi", "viewer"), ("ann", "admin")):
            people.add_person(ctx, name, role)
    return ws


# -- the service, on both stores ------------------------------------------------------------------


def test_an_editor_places_a_measure_and_the_next_page_shows_it_then_removes_it(team):
    before = placed(team)  # read (and kept: services/snapshot.py) before the change
    assert before == [(FIRST, None)]
    with unit_of_work(team, write=True, as_person="ed") as ctx:
        done = programme.place(ctx, MEASURE, SECOND, SUBS[0])
    assert done.changed and not done.new_theme and not done.new_sub_theme
    assert done.placement.theme == SECOND and done.placement.sub_theme == SUBS[0]
    assert [(p.theme, p.sub_theme) for p in done.placements] == [(FIRST, None), (SECOND, SUBS[0])]
    assert placed(team) == [(FIRST, None), (SECOND, SUBS[0])]
    # the summary groups it under its new place too
    with unit_of_work(team, council="Bristol", by="reader") as ctx:
        listed = measures.list_measures(ctx, measures.Filters(theme=SECOND))
    assert MEASURE in [v.id for v in listed]

    with unit_of_work(team, write=True, as_person="ed") as ctx:
        gone = programme.unplace(ctx, MEASURE, FIRST)
    assert gone.changed and gone.placement.theme == FIRST
    assert [(p.theme, p.sub_theme) for p in gone.placements] == [(SECOND, SUBS[0])]
    assert placed(team) == [(SECOND, SUBS[0])]
    # the theme stays in the programme, with nothing of this measure placed in it
    assert list(themes_of(team)) == THEMES


def test_a_wrong_placement_moved_without_a_read_between_is_read_afresh(team):
    """Taken away and placed again elsewhere (two commands, or another worker, while the pages'
    state is kept): the next read sees the move, though the table then has as many rows as
    before. A placement's id is never used again (tables.py: AUTOINCREMENT on SQLite), so the
    kept state's fingerprint (counts and highest ids) always changes."""
    with unit_of_work(team, write=True, as_person="ed") as ctx:
        programme.place(ctx, MEASURE, THIRD)
    assert placed(team) == [(FIRST, None), (THIRD, None)]  # read, and kept
    with unit_of_work(team, write=True, as_person="ed") as ctx:
        programme.unplace(ctx, MEASURE, THIRD)
    with unit_of_work(team, write=True, as_person="ed") as ctx:
        programme.place(ctx, MEASURE, SECOND)
    assert placed(team) == [(FIRST, None), (SECOND, None)]


def test_a_theme_retyped_in_another_case_or_punctuation_is_the_councils_own(team):
    themes, subs = rows(team, ThemeRow), themes_of(team)[SECOND]
    retyped = THIRD.upper().replace(",", "")  # "DATA OUTCOMES AND DIGITAL"
    with unit_of_work(team, write=True, as_person="ed") as ctx:
        theme = programme.place(ctx, MEASURE, f"  {retyped} ")
        sub = programme.place(ctx, MEASURE, SECOND.lower(), f" {SUBS[1].upper()}")
    assert (theme.placement.theme, theme.placement.sub_theme) == (THIRD, None)
    assert (sub.placement.theme, sub.placement.sub_theme) == (SECOND, SUBS[1])
    assert not any((theme.new_theme, theme.new_sub_theme, sub.new_theme, sub.new_sub_theme))
    assert rows(team, ThemeRow) == themes and themes_of(team)[SECOND] == subs
    assert placed(team) == [(FIRST, None), (THIRD, None), (SECOND, SUBS[1])]
    # taken away as it is typed, too
    with unit_of_work(team, write=True, as_person="ed") as ctx:
        programme.unplace(ctx, MEASURE, SECOND.upper(), SUBS[1].lower())
        programme.unplace(ctx, MEASURE, retyped.lower())
    assert placed(team) == [(FIRST, None)]


def test_a_new_name_starts_a_theme_or_sub_theme_of_the_councils_programme(team):
    with unit_of_work(team, write=True, as_person="ed") as ctx:
        theme = programme.place(ctx, MEASURE, "Preparing for adulthood")
        sub = programme.place(ctx, MEASURE, FIRST, "Post-16 places")
    assert theme.new_theme and not theme.new_sub_theme
    assert sub.new_sub_theme and not sub.new_theme
    programme_now = themes_of(team)
    assert list(programme_now) == [*THEMES, "Preparing for adulthood"]
    assert programme_now[FIRST][-1] == "Post-16 places"
    assert placed(team) == [
        (FIRST, None),
        ("Preparing for adulthood", None),
        (FIRST, "Post-16 places"),
    ]


def test_placing_it_where_it_is_placed_already_changes_nothing_and_says_so(team):
    count = rows(team, PlacementRow)
    with unit_of_work(team, write=True, as_person="ed") as ctx:
        done = programme.place(ctx, MEASURE, FIRST.lower())
    assert not done.changed and done.placement == programme.Placement(FIRST, None)
    assert rows(team, PlacementRow) == count
    assert placed(team) == [(FIRST, None)]


@pytest.mark.parametrize(
    ("theme", "sub_theme", "problems"),
    [
        ("", None, {"theme": "Enter the theme to place the measure in"}),
        ("   ", "", {"theme": "Enter the theme to place the measure in"}),
        ("", "Local places", {"theme": "Enter the theme the sub-theme belongs to"}),
        ("x" * 301, None, {"theme": "a theme can have at most 300 characters"}),
        (FIRST, "y" * 301, {"sub_theme": "a sub-theme can have at most 300 characters"}),
        (
            "",
            "y" * 301,
            {
                "theme": "Enter the theme the sub-theme belongs to",
                "sub_theme": "a sub-theme can have at most 300 characters",
            },
        ),
        ("--", None, {"theme": "at least one letter or digit"}),
    ],
)
def test_a_bad_theme_or_sub_theme_is_refused_against_its_field(team, theme, sub_theme, problems):
    count = rows(team, PlacementRow)
    with (
        pytest.raises(InputErrors) as refused,
        unit_of_work(team, write=True, as_person="ed") as ctx,
    ):
        programme.place(ctx, MEASURE, theme, sub_theme)
    assert list(refused.value.errors) == list(problems)
    assert refused.value.field == next(iter(problems))
    for field, words in problems.items():
        assert words in refused.value.errors[field]
    assert rows(team, PlacementRow) == count


def test_names_of_300_characters_are_placed_whole(team):
    long_theme, long_sub = "T" * 300, "S" * 300
    with unit_of_work(team, write=True, as_person="ed") as ctx:
        done = programme.place(ctx, MEASURE, long_theme, long_sub)
    assert done.changed
    assert placed(team)[-1] == (long_theme, long_sub)


def test_an_unknown_measure_is_not_found_by_its_id(team):
    for use_case in (programme.place, programme.unplace):
        with (
            pytest.raises(NotFound, match="there is no measure 'nope-9'") as missing,
            unit_of_work(team, write=True, as_person="ed") as ctx,
        ):
            use_case(ctx, "nope-9", FIRST)
        assert missing.value.field == "measure"


def test_taking_away_a_placement_it_has_not_is_not_found_naming_where_it_is(team):
    for theme, sub, field in ((SECOND, None, "theme"), (FIRST, "Nowhere", "sub_theme")):
        with (
            pytest.raises(NotFound) as missing,
            unit_of_work(team, write=True, as_person="ed") as ctx,
        ):
            programme.unplace(ctx, MEASURE, theme, sub)
        assert missing.value.field == field
        assert f"it is placed in: {FIRST}" in str(missing.value)
    with (
        pytest.raises(InputError, match="Enter the theme of the placement to take away"),
        unit_of_work(team, write=True, as_person="ed") as ctx,
    ):
        programme.unplace(ctx, MEASURE, " ")
    assert placed(team) == [(FIRST, None)]


def test_a_viewer_may_not_place_or_take_away_an_editor_and_an_admin_may(team):
    for use_case, theme in ((programme.place, SECOND), (programme.unplace, FIRST)):
        with (
            pytest.raises(Forbidden, match="may not place measures in the council's programme"),
            unit_of_work(team, write=True, as_person="vi") as ctx,
        ):
            use_case(ctx, MEASURE, theme)
    assert placed(team) == [(FIRST, None)]
    with unit_of_work(team, write=True, as_person="ann") as ctx:
        programme.place(ctx, MEASURE, THIRD)
    with unit_of_work(team, write=True, as_person="ed") as ctx:
        programme.unplace(ctx, MEASURE, THIRD)
    assert placed(team) == [(FIRST, None)]


@pytest.fixture
def two(db_path: str) -> Iterator[Workspace]:
    """Bristol (the bundled programme) and Leeds (none yet), each with an editor."""
    ws = Workspace(db_path)
    init_workspace(ws, council="Leeds")
    with unit_of_work(ws, write=True, council="Bristol", by="setup") as ctx:
        people.add_person(ctx, "ed", "editor", "Bristol")
        people.add_person(ctx, "les", "editor", "Leeds")
    yield ws
    ws.dispose()


def test_another_council_never_sees_the_placement_nor_can_take_it_away(two):
    assert placed(two, "Leeds") == [] and themes_of(two, "Leeds") == {}
    with unit_of_work(two, write=True, as_person="les") as ctx:
        done = programme.place(ctx, MEASURE, FIRST, "Leeds places")
    # Leeds' first theme, named as Bristol's is: its own, not Bristol's
    assert done.new_theme and done.new_sub_theme
    assert placed(two, "Leeds") == [(FIRST, "Leeds places")]
    assert themes_of(two, "Leeds") == {FIRST: ["Leeds places"]}
    assert placed(two, "Bristol") == [(FIRST, None)]
    assert "Leeds places" not in themes_of(two, "Bristol")[FIRST]
    # Bristol's editor cannot take Leeds' placement away, nor Leeds' Bristol's
    with pytest.raises(NotFound), unit_of_work(two, write=True, as_person="ed") as ctx:
        programme.unplace(ctx, MEASURE, FIRST, "Leeds places")
    with unit_of_work(two, write=True, as_person="les") as ctx:
        programme.unplace(ctx, MEASURE, FIRST, "Leeds places")
        with pytest.raises(NotFound):
            programme.unplace(ctx, MEASURE, FIRST)
    assert placed(two, "Leeds") == []
    assert placed(two, "Bristol") == [(FIRST, None)]


# -- the command line -----------------------------------------------------------------------------


def test_the_command_line_places_and_takes_away_in_one_line_each(cli, ws):
    code, out, err = cli("place", MEASURE, "--theme", SECOND.upper(), "--sub-theme", SUBS[0])
    assert code == 0, err
    assert out.strip() == f"Placed {MEASURE} in {SECOND} > {SUBS[0]}."
    code, out, err = cli("place", MEASURE, "--theme", SECOND, "--sub-theme", SUBS[0])
    assert (code, out.strip()) == (
        0,
        f"{MEASURE} is already placed in {SECOND} > {SUBS[0]}: nothing changed.",
    )
    code, out, err = cli("place", MEASURE, "--theme", "Preparing for adulthood")
    assert (
        out.strip()
        == f"Placed {MEASURE} in Preparing for adulthood (a new theme of the programme)."
    )
    code, out, err = cli("unplace", MEASURE, "--theme", FIRST)
    assert code == 0, err
    assert out.strip() == (
        f"Removed {MEASURE} from {FIRST}; placed now in: {SECOND} > {SUBS[0]}; "
        "Preparing for adulthood."
    )
    assert placed(ws) == [(SECOND, SUBS[0]), ("Preparing for adulthood", None)]


def test_the_command_lines_refusals_name_the_option_and_exit_as_documented(cli, ws):
    code, out, err = cli("place", MEASURE, "--theme", " ")
    assert code == 1 and "--theme: Enter the theme to place the measure in" in err
    code, out, err = cli("place", MEASURE, "--theme", FIRST, "--sub-theme", "s" * 301)
    assert code == 1 and "--sub-theme: The sub-theme is 301 characters long" in err
    code, out, err = cli("unplace", MEASURE, "--theme", SECOND)
    assert code == 1 and f"--theme: {MEASURE} is not placed in {SECOND}" in err
    code, out, err = cli("place", "nope-9", "--theme", FIRST)
    assert code == 1 and "there is no measure 'nope-9'" in err
    assert cli("users", "add", "vi", "--role", "viewer")[0] == 0
    code, out, err = cli("--as", "vi", "place", MEASURE, "--theme", SECOND)
    assert code == 3 and "may not place measures" in err
    assert placed(ws) == [(FIRST, None)]


def test_the_command_line_places_in_the_council_it_names(cli, db_path):
    ws = Workspace(db_path)
    init_workspace(ws, council="Leeds")
    try:
        code, out, err = cli("--council", "Leeds", "place", MEASURE, "--theme", "Leeds theme")
        assert code == 0, err
        assert placed(ws, "Leeds") == [("Leeds theme", None)]
        assert placed(ws, "Bristol") == [(FIRST, None)]
    finally:
        ws.dispose()


# -- the JSON API ---------------------------------------------------------------------------------

PROBLEM = "application/problem+json"


def problem(response, status: int, code: str) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["code"] == code, body
    return body


def test_the_api_places_and_takes_away_with_an_editors_token(on_both_stores: Server):
    s = on_both_stores
    url = f"/api/measures/{MEASURE}/placements"
    made = s.client.post(
        url, json={"theme": SECOND.lower(), "sub_theme": SUBS[0]}, headers=s.as_("A-editor")
    )
    assert made.status_code == 201, made.text
    assert made.headers["location"] == f"/api/measures/{MEASURE}"
    assert made.json() == {
        "measure": MEASURE,
        "placement": {"theme": SECOND, "sub_theme": SUBS[0]},
        "changed": True,
        "placements": [
            {"theme": FIRST, "sub_theme": None},
            {"theme": SECOND, "sub_theme": SUBS[0]},
        ],
        "renamed_to": None,  # set when the theme named was renamed since (test_rename_theme)
    }
    read = s.client.get(f"/api/measures/{MEASURE}", headers=s.as_("A-viewer")).json()
    assert read["placements"] == made.json()["placements"]
    again = s.client.post(
        url, json={"theme": SECOND, "sub_theme": SUBS[0]}, headers=s.as_("A-editor")
    )
    assert again.status_code == 200 and again.json()["changed"] is False

    gone = s.client.delete(url, params={"theme": FIRST}, headers=s.as_("A-editor"))
    assert gone.status_code == 200, gone.text
    assert gone.json()["placements"] == [{"theme": SECOND, "sub_theme": SUBS[0]}]
    read = s.client.get(f"/api/measures/{MEASURE}", headers=s.as_("A-viewer")).json()
    assert read["placements"] == [{"theme": SECOND, "sub_theme": SUBS[0]}]
    body = problem(
        s.client.delete(url, params={"theme": FIRST}, headers=s.as_("A-editor")), 404, "not-found"
    )
    assert body["field"] == "theme" and f"it is placed in: {SECOND}" in body["detail"]
    # Leeds reads the same measure without Bristol's placements
    leeds = s.client.get(f"/api/measures/{MEASURE}", headers=s.as_("B-editor")).json()
    assert leeds["placements"] == []


def test_the_api_refuses_a_viewer_a_bad_body_and_an_unknown_measure(on_both_stores: Server):
    s = on_both_stores
    url = f"/api/measures/{MEASURE}/placements"
    problem(s.client.post(url, json={"theme": SECOND}, headers=s.as_("A-viewer")), 403, "forbidden")
    problem(
        s.client.delete(url, params={"theme": FIRST}, headers=s.as_("A-viewer")), 403, "forbidden"
    )
    body = problem(
        s.client.post(url, json={"theme": " ", "sub_theme": "x"}, headers=s.as_("A-editor")),
        422,
        "invalid-input",
    )
    assert body["field"] == "theme"
    assert body["detail"] == "Enter the theme the sub-theme belongs to"
    body = problem(
        s.client.post(url, json={"theme": "t" * 301}, headers=s.as_("A-editor")),
        422,
        "invalid-input",
    )
    assert body["field"] == "theme" and "at most 300 characters" in body["detail"]
    body = problem(
        s.client.post(url, json={"theme": SECOND, "subtheme": "x"}, headers=s.as_("A-editor")),
        422,
        "invalid-input",
    )
    assert body["detail"] == "subtheme: unknown field; did you mean sub_theme?"
    body = problem(
        s.client.delete(url, params={"theme": FIRST, "sub": "x"}, headers=s.as_("A-editor")),
        422,
        "invalid-input",
    )
    assert "sub: unknown query parameter" in body["detail"]
    problem(
        s.client.post(
            "/api/measures/nope-9/placements", json={"theme": SECOND}, headers=s.as_("A-editor")
        ),
        404,
        "not-found",
    )
    read = s.client.get(f"/api/measures/{MEASURE}", headers=s.as_("A-viewer")).json()
    assert read["placements"] == [{"theme": FIRST, "sub_theme": None}]


# -- the measure's page ---------------------------------------------------------------------------


def banner(response) -> str:  # type: ignore[no-untyped-def]
    return text(page(response).find(".//*[@class='govuk-notification-banner__heading']"))


def placed_in(response) -> list[str]:  # type: ignore[no-untyped-def]
    """The placements the page lists under Placed in, as a person reads each."""
    found = by_id(response, "placed-in")
    assert found is not None
    return [
        " ".join("".join(t for t in li.itertext() if t.strip() and t != "Remove").split())
        for li in found.iter("li")
    ]


def test_an_editor_places_the_measure_from_its_page_and_removes_a_placement(site):
    ed = site.client("ed")
    shown = ed.get(f"/measures/{MEASURE}")
    form = page(shown).find(".//form[@id='place-form']")
    assert form is not None and form.get("action") == f"/measures/{MEASURE}/placements"
    assert form.get("method") == "post"
    # the council's themes and sub-themes are offered as they are typed
    themes = page(shown).find(".//datalist[@id='programme-themes']")
    assert [o.get("value") for o in themes.iter("option")] == THEMES
    theme_box = by_id(shown, "place-theme")
    assert theme_box.get("list") == "programme-themes" and theme_box.get("name") == "theme"
    labels = {label.get("for"): text(label) for label in page(shown).iter("label")}
    assert labels["place-theme"] == "Theme"
    assert labels["place-sub-theme"] == "Sub-theme (optional)"

    sent = post(
        ed,
        f"/measures/{MEASURE}/placements",
        {"theme": SECOND.upper(), "sub_theme": SUBS[0]},
        token_from=f"/measures/{MEASURE}",
    )
    assert (sent.status_code, sent.headers["location"]) == (303, f"/measures/{MEASURE}")
    after = ed.get(sent.headers["location"])
    assert banner(after) == f"Placed {MEASURE} in {SECOND} > {SUBS[0]}"
    assert placed_in(after) == [
        f"{FIRST} from {FIRST}",
        f"{SECOND} > {SUBS[0]} from {SECOND}, {SUBS[0]}",  # the hidden label: no ">" read aloud
    ]

    # each placement has its own Remove button, naming it to a screen reader
    removes = [
        f
        for f in page(after).iter("form")
        if f.get("action") == f"/measures/{MEASURE}/placements/remove"
    ]
    assert len(removes) == 2
    hidden = {i.get("name"): i.get("value") for i in removes[0].iter("input")}
    assert (hidden["theme"], hidden["sub_theme"]) == (FIRST, "")
    removed = post(
        ed,
        f"/measures/{MEASURE}/placements/remove",
        {"theme": FIRST, "sub_theme": ""},
        token_from=f"/measures/{MEASURE}",
    )
    assert removed.status_code == 303
    after = ed.get(removed.headers["location"])
    assert banner(after) == f"Removed {MEASURE} from {FIRST}"
    assert placed_in(after) == [f"{SECOND} > {SUBS[0]} from {SECOND}, {SUBS[0]}"]
    # pressed again (or removed by someone else first): nothing changes, and the page says so
    again = post(
        ed,
        f"/measures/{MEASURE}/placements/remove",
        {"theme": FIRST, "sub_theme": ""},
        token_from=f"/measures/{MEASURE}",
    )
    assert again.status_code == 303
    assert banner(ed.get(again.headers["location"])).startswith(
        f"Nothing changed: {MEASURE} is not placed in {FIRST}"
    )
    # Leeds' pages never show Bristol's placements
    leeds = site.client("les").get(f"/measures/{MEASURE}")
    assert SUBS[0] not in text(by_id(leeds, "placed-in"))


def test_a_refused_placing_is_shown_against_its_field_with_what_was_typed(site):
    ed = site.client("ed")
    refused = post(
        ed,
        f"/measures/{MEASURE}/placements",
        {"theme": "", "sub_theme": "Outreach"},
        token_from=f"/measures/{MEASURE}",
    )
    assert refused.status_code == 422
    summary = page(refused).find(".//*[@class='govuk-error-summary']")
    assert [(a.get("href"), text(a)) for a in summary.iter("a")] == [
        ("#place-theme", "Enter the theme the sub-theme belongs to")
    ]
    assert text(by_id(refused, "theme-error")) == "Error: Enter the theme the sub-theme belongs to"
    box = by_id(refused, "place-theme")
    assert "govuk-input--error" in box.get("class") and "theme-error" in box.get("aria-describedby")
    assert by_id(refused, "place-sub-theme").get("value") == "Outreach"

    too_long = post(
        ed,
        f"/measures/{MEASURE}/placements",
        {"theme": FIRST, "sub_theme": "s" * 301},
        token_from=f"/measures/{MEASURE}",
    )
    assert too_long.status_code == 422
    assert "at most 300 characters" in text(by_id(too_long, "sub_theme-error"))
    assert by_id(too_long, "place-theme").get("value") == FIRST
    assert placed_in(ed.get(f"/measures/{MEASURE}")) == [f"{FIRST} from {FIRST}"]


def test_a_viewer_sees_the_placements_but_no_form_and_is_refused_a_post(site):
    vi = site.client("vi")
    shown = vi.get(f"/measures/{MEASURE}")
    assert shown.status_code == 200
    assert text(by_id(shown, "placed-in")) == FIRST
    assert by_id(shown, "place-form") is None
    assert not [f for f in page(shown).iter("form") if "/placements" in (f.get("action") or "")]
    for address in ("placements", "placements/remove"):
        sent = post(
            vi,
            f"/measures/{MEASURE}/{address}",
            {"theme": FIRST},
            token_from=f"/measures/{MEASURE}",
        )
        assert sent.status_code == 403, address
    assert text(by_id(vi.get(f"/measures/{MEASURE}"), "placed-in")) == FIRST


def test_a_placing_without_the_pages_csrf_token_is_refused(site):
    ed = site.client("ed")
    sent = ed.post(f"/measures/{MEASURE}/placements", data={"theme": SECOND})
    assert sent.status_code == 403
    assert placed_in(ed.get(f"/measures/{MEASURE}")) == [f"{FIRST} from {FIRST}"]


def test_the_forms_addresses_opened_go_to_the_measures_page(site):
    ed = site.client("ed")
    for address in ("placements", "placements/remove"):
        opened = ed.get(f"/measures/{MEASURE.upper()}/{address}")
        assert (opened.status_code, opened.headers["location"]) == (303, f"/measures/{MEASURE}")
    assert ed.get("/measures/nope-9/placements").status_code == 404


# -- after the review: a typo undone, invisible marks, a filter on one placement ---------------------


def test_taking_away_a_theme_typed_wrong_takes_the_theme_out_of_the_programme(team):
    """A theme or sub-theme left with nothing placed in it goes with the placement, so a typo
    made on the web is undone by its Remove button; one still in use stays."""
    typo = SECOND[:-2]
    with unit_of_work(team, write=True, as_person="ed") as ctx:
        assert programme.place(ctx, MEASURE, typo, "Comissioning").new_theme
        programme.place(ctx, MEASURE, SECOND, "Comissioning")
    assert typo in themes_of(team) and "Comissioning" in themes_of(team)[SECOND]
    with unit_of_work(team, write=True, as_person="ed") as ctx:
        gone = programme.unplace(ctx, MEASURE, typo, "Comissioning")
        kept = programme.unplace(ctx, MEASURE, SECOND, "Comissioning")
    assert gone.dropped == (f"{typo} > Comissioning", typo)
    assert kept.dropped == (f"{SECOND} > Comissioning",)  # the theme has other measures in it
    assert typo not in themes_of(team)
    assert themes_of(team)[SECOND] == SUBS  # as it was
    assert placed(team) == [(FIRST, None)]


def test_invisible_marks_pasted_with_a_name_never_make_a_second_theme(team):
    with unit_of_work(team, write=True, as_person="ed") as ctx:
        done = programme.place(ctx, MEASURE, f"{SECOND}\u200b", f"\u00ad{SUBS[0]}")
    assert not done.new_theme and not done.new_sub_theme
    assert (done.placement.theme, done.placement.sub_theme) == (SECOND, SUBS[0])
    assert list(themes_of(team)) == THEMES


@pytest.mark.parametrize(
    ("theme", "said"),
    [
        ("Red\x1b[31m", "The theme may not contain control characters"),
        ("!!!", "Enter a theme with at least one letter or digit"),
    ],
)
def test_a_name_no_one_can_read_is_refused(team, theme, said):
    with (
        unit_of_work(team, write=True, as_person="ed") as ctx,
        pytest.raises(InputErrors) as refused,
    ):
        programme.place(ctx, MEASURE, theme)
    assert refused.value.errors == {"theme": said}


def test_a_theme_and_sub_theme_filter_is_one_placements(team):
    """A measure placed in two themes is not under one theme's sub-theme by its other placement:
    the list agrees with the summary's count."""
    from valvecheck.domain.views import Filters

    with unit_of_work(team, write=True, as_person="ed") as ctx:
        programme.place(ctx, MEASURE, THIRD)
        programme.place(ctx, MEASURE, SECOND, SUBS[0])
    with unit_of_work(team, council="Bristol", by="reader") as ctx:
        under = measures.list_measures(ctx, Filters(theme=THIRD, sub_theme=SUBS[0]))
        in_second = measures.list_measures(ctx, Filters(theme=SECOND, sub_theme=SUBS[0]))
    assert MEASURE not in {v.id for v in under}
    assert MEASURE in {v.id for v in in_second}
