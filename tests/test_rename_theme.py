"""A programme lead renames a theme or a sub-theme of the council's programme (a spelling put
right, a workstream the board renamed): what is placed in it stays, each measure's history says
so, a report dated before keeps the old name; the programme page, the command line and the
service, on SQLite and PostgreSQL (the ``ws`` fixture)."""

# ruff: noqa: F811 (the tests take the imported fixtures as parameters)

from __future__ import annotations

from datetime import date

import pytest
from api_support import Server, on_both_stores  # noqa: F401 (a fixture)
from reports_support import today_is
from support import write_reports
from web_support import (
    by_id,
    page,
    post,
    site,  # noqa: F401 (a fixture)
    site_template,  # noqa: F401 (a fixture)
    text,
)

from valvecheck.catalogue.loader import load_catalogue
from valvecheck.domain.model import Placement
from valvecheck.errors import Forbidden, InputErrors, NotFound
from valvecheck.services import measures, people, programme, ratings
from valvecheck.services.workspace import init_workspace, unit_of_work
from valvecheck.store.db import Workspace

BUNDLED = load_catalogue()
THEMES = BUNDLED.programme.themes  # Bristol's: the seed's three themes
FIRST = next(iter(THEMES))  # with eight sub-themes
SUB = THEMES[FIRST][0]
IN_FIRST = sorted(m.id for m in BUNDLED.measures if FIRST in m.themes)
IN_SUB = sorted(m.id for m in BUNDLED.measures if Placement(FIRST, SUB) in m.placements)


def programme_of(ws: Workspace, council: str = "Bristol") -> dict[str, list[str]]:
    with unit_of_work(ws, council=council, by="reader") as ctx:
        return dict(measures.load_state(ctx).catalogue.programme.themes)


def placements_of(ws: Workspace, measure: str) -> list[Placement]:
    with unit_of_work(ws, by="reader") as ctx:
        return list(measures.show_measure(ctx, measure).measure.placements)


@pytest.fixture
def team(ws: Workspace) -> Workspace:
    with unit_of_work(ws, write=True, by="setup") as ctx:
        for name, role in (("ed", "editor"), ("vi", "viewer")):
            people.add_person(ctx, name, role)
    return ws


def test_a_theme_renamed_keeps_its_measures_its_order_and_its_sub_themes(team):
    before = programme_of(team)
    assert IN_FIRST  # the seed places measures in the first theme
    with unit_of_work(team, write=True, as_person="ed") as ctx:
        done = programme.rename(ctx, FIRST.upper(), "  Sufficiency   and demand ")
    assert done.changed and done.what == "theme"
    assert done.before == Placement(FIRST) and done.after == Placement("Sufficiency and demand")
    assert sorted(done.measures) == IN_FIRST
    after = programme_of(team)
    assert list(after) == ["Sufficiency and demand", *list(before)[1:]]  # in its place
    assert after["Sufficiency and demand"] == before[FIRST]
    for measure in IN_FIRST:
        assert all(p.theme != FIRST for p in placements_of(team, measure))
    # the history of each measure placed in it says what happened, and who
    with unit_of_work(team, by="reader") as ctx:
        history = programme.placement_history(ctx, IN_FIRST[0])
    assert [(c.change, c.placement.theme, c.by) for c in history[-2:]] == [
        ("removed", FIRST, "ed"),
        ("placed", "Sufficiency and demand", "ed"),
    ]


def test_a_rename_reads_as_one_step_of_a_measures_history(team, cli, site):
    """From a QA pass: the history kept a rename as the old name taken away and the new one
    placed, and said it as two manual moves; the page and ``show`` say it once."""
    from valvecheck.domain.views import placement_steps

    measure = IN_FIRST[0]
    was = sorted(p.where for p in placements_of(team, measure) if p.theme == FIRST)
    where = was[0]
    with unit_of_work(team, write=True, as_person="ed") as ctx:
        programme.rename(ctx, FIRST, "Sufficiency and demand")
        programme.place(ctx, measure, "Another theme")  # a placing of its own, after
    with unit_of_work(team, by="reader") as ctx:
        steps = placement_steps(programme.placement_history(ctx, measure))
    renamed = [s for s in steps if s.renamed_from is not None]  # one per placement in it
    assert sorted(s.renamed_from.where for s in renamed if s.renamed_from) == was
    assert len(steps) == len(was) + 1
    assert steps[-1].renamed_from is None and steps[-1].change.placement.theme == "Another theme"
    shown = [line.strip() for line in cli("show", measure)[1].splitlines()]
    new_where = where.replace(FIRST, "Sufficiency and demand", 1)
    said = f"ed renamed the theme '{FIRST}' to 'Sufficiency and demand'; it stays placed in '{new_where}'"
    assert any(line.endswith(said) for line in shown), shown
    assert not any("removed it from" in line for line in shown)
    # the web page of the site's own workspace says it the same way
    with unit_of_work(site.ws, write=True, as_person="ed") as ctx:
        programme.rename(ctx, FIRST, "Sufficiency and demand")
    listed = by_id(site.client("vi").get(f"/measures/{measure}"), "placement-history-list")
    lines = [text(li) for li in listed.iter("li")]
    assert len(lines) == len(was)
    assert any(
        x.endswith(
            f"ed renamed the theme ‘{FIRST}’ to ‘Sufficiency and demand’; it stays placed in "
            f"‘{new_where}’"
        )
        for x in lines
    )


def test_only_a_rename_s_own_pair_of_changes_reads_as_one_step() -> None:
    """A removal and a placing at one moment by one person are a rename only by hand, and only
    when the theme or the sub-theme changed, not both (that is a move)."""
    from datetime import UTC, datetime

    from valvecheck.domain.model import PLACED, REMOVED, PlacementChange
    from valvecheck.domain.views import placement_steps

    at = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)

    def change(kind: str, theme: str, sub: str | None, file: str = "") -> PlacementChange:
        return PlacementChange("bury-1", kind, Placement(theme, sub), "ed", at, file)

    renamed = [change(REMOVED, "A", "s"), change(PLACED, "B", "s")]
    sub_renamed = [change(REMOVED, "A", "s"), change(PLACED, "A", "t")]
    moved = [change(REMOVED, "A", "s"), change(PLACED, "B", "t")]
    imported = [change(REMOVED, "A", "s", "f.csv"), change(PLACED, "B", "s", "f.csv")]
    assert [s.renamed_from for s in placement_steps(renamed)] == [Placement("A", "s")]
    assert [s.renamed_from for s in placement_steps(sub_renamed)] == [Placement("A", "s")]
    assert [s.renamed_from for s in placement_steps(moved)] == [None, None]
    assert [s.renamed_from for s in placement_steps(imported)] == [None, None]


def test_a_sub_theme_renamed_leaves_the_theme_and_its_other_sub_themes(team):
    with unit_of_work(team, write=True, as_person="ed") as ctx:
        done = programme.rename(ctx, FIRST, "Assessment and review", SUB.lower())
    assert done.what == "sub-theme" and sorted(done.measures) == IN_SUB
    assert done.after == Placement(FIRST, "Assessment and review")
    subs = programme_of(team)[FIRST]
    assert subs[0] == "Assessment and review" and SUB not in subs
    assert subs[1:] == THEMES[FIRST][1:]


def test_a_change_of_case_is_a_rename_and_the_same_name_changes_nothing(team):
    with unit_of_work(team, write=True, as_person="ed") as ctx:
        same = programme.rename(ctx, FIRST, FIRST)
        assert not same.changed
        cased = programme.rename(ctx, FIRST, FIRST.lower())
    assert cased.changed and FIRST.lower() in programme_of(team)


def test_a_name_another_theme_has_is_refused_and_nothing_changes(team):
    second = list(THEMES)[1]
    with unit_of_work(team, write=True, as_person="ed") as ctx, pytest.raises(InputErrors) as e:
        programme.rename(ctx, FIRST, second.upper())
    assert e.value.errors == {
        "name": f"Bristol's programme has a theme named '{second}' already: "
        "place the measures there instead"
    }
    sibling = THEMES[FIRST][1]
    with unit_of_work(team, write=True, as_person="ed") as ctx, pytest.raises(InputErrors) as e:
        programme.rename(ctx, FIRST, sibling, SUB)
    assert f"a sub-theme named '{sibling}' already" in e.value.errors["name"]
    assert programme_of(team) == dict(THEMES)


@pytest.mark.parametrize(
    ("new", "said"),
    [
        ("", "Enter the theme's new name"),
        ("  ", "Enter the theme's new name"),
        ("x" * 301, "The theme is 301 characters long"),
        ("a\x1bb", "The theme may not contain control characters"),
        ("!!", "Enter a theme with at least one letter or digit"),
    ],
)
def test_a_bad_new_name_is_refused_against_the_name(team, new, said):
    with unit_of_work(team, write=True, as_person="ed") as ctx, pytest.raises(InputErrors) as e:
        programme.rename(ctx, FIRST, new)
    assert list(e.value.errors) == ["name"] and e.value.errors["name"].startswith(said)


def test_an_unknown_theme_is_not_found_and_a_viewer_may_not_rename(team):
    with unit_of_work(team, write=True, as_person="ed") as ctx, pytest.raises(NotFound) as e:
        programme.rename(ctx, "No such theme", "Anything")
    assert str(e.value) == "Bristol's programme has no theme No such theme"
    with unit_of_work(team, write=True, as_person="ed") as ctx, pytest.raises(NotFound):
        programme.rename(ctx, FIRST, "Anything", "No such sub-theme")
    with unit_of_work(team, write=True, as_person="vi") as ctx, pytest.raises(Forbidden):
        programme.rename(ctx, FIRST, "Anything")
    assert programme_of(team) == dict(THEMES)


def test_another_councils_theme_of_the_same_name_is_never_renamed(db_path):
    two = Workspace(db_path)
    init_workspace(two, council="Leeds")  # Bristol has the bundled programme, Leeds none yet
    with unit_of_work(two, write=True, council="Leeds", by="lee") as ctx:
        programme.place(ctx, "bury-3", FIRST)
    with unit_of_work(two, write=True, council="Bristol", by="ann") as ctx:
        programme.rename(ctx, FIRST, "Bristol's own name")
    assert list(programme_of(two, "Leeds")) == [FIRST]
    assert "Bristol's own name" in programme_of(two, "Bristol")
    with unit_of_work(two, write=True, council="Leeds", by="lee") as ctx:
        assert programme.rename(ctx, FIRST, "Leeds's name").measures == ("bury-3",)
    assert list(programme_of(two, "Leeds")) == ["Leeds's name"]
    two.dispose()


def q1_locked(ws: Workspace) -> None:
    """A new workspace of the seed whose assessment "Bristol: Q1" is locked (today, as set)."""
    init_workspace(ws)
    with unit_of_work(ws, write=True, by="Ann") as ctx:
        ratings.new_assessment(ctx, "Bristol: Q1", use=True)
        ratings.lock_assessment(ctx)


def test_a_report_dated_before_the_rename_keeps_the_old_name(tmp_path):
    ws = Workspace(str(tmp_path / "rename.db"))
    with today_is(date(2099, 4, 20)):
        q1_locked(ws)
    with today_is(date(2099, 5, 1)):
        with unit_of_work(ws, write=True, by="Bo") as ctx:
            ratings.new_assessment(ctx, "Bristol: Q2", carry_from="Bristol: Q1", use=True)
            programme.rename(ctx, FIRST, "Sufficiency and demand")
        write_reports(ws, "md", tmp_path / "locked", "Bristol: Q1")
        write_reports(ws, "md", tmp_path / "now")
    locked = (tmp_path / "locked" / "report.md").read_text("utf-8")
    now = (tmp_path / "now" / "report.md").read_text("utf-8")
    assert FIRST in locked and "Sufficiency and demand" not in locked
    assert "Sufficiency and demand" in now and FIRST not in now
    ws.dispose()


def test_the_locked_paper_is_the_same_after_renames_in_every_order(tmp_path):
    """The paper that went to committee, word for word: the renamed theme in its place among
    the themes, a renamed sub-theme in its place among its theme's, and each measure's
    sub-themes in their order (a rename undone as a removal and a placing put them last)."""
    ws = Workspace(str(tmp_path / "paper.db"))
    with today_is(date(2099, 4, 20)):
        q1_locked(ws)
        write_reports(ws, "md", tmp_path / "then")
    with today_is(date(2099, 5, 1)):
        with unit_of_work(ws, write=True, by="Bo") as ctx:
            ratings.new_assessment(ctx, "Bristol: Q2", carry_from="Bristol: Q1", use=True)
            programme.rename(ctx, FIRST, "LPS")
            programme.rename(ctx, "LPS", "Assessment and review", SUB)
            programme.rename(ctx, "lps", "Sufficiency")  # twice
        write_reports(ws, "md", tmp_path / "later", "Bristol: Q1")
    then = (tmp_path / "then" / "report.md").read_text("utf-8")
    assert (tmp_path / "later" / "report.md").read_text("utf-8") == then
    ws.dispose()


def test_a_renamed_theme_keeps_its_place_where_positions_were_reused(team):
    """A theme emptied and dropped leaves its position free; one added after it and the one
    renamed must not then swap places."""
    data = list(THEMES)[1]
    with unit_of_work(team, write=True, as_person="ed") as ctx:
        programme.place(ctx, "bury-2", "Zeta")
        for m in (m.id for m in BUNDLED.measures if data in m.themes):
            for p in [p for p in placements_of(team, m) if p.theme == data]:
                programme.unplace(ctx, m, p.theme, p.sub_theme)
        programme.place(ctx, "hammersmith-fulham-6", "Omega")
    before = list(programme_of(team))
    assert data not in before and before[-2:] == ["Zeta", "Omega"]
    with unit_of_work(team, write=True, as_person="ed") as ctx:
        programme.rename(ctx, "Zeta", "Zed")
    assert list(programme_of(team))[-2:] == ["Zed", "Omega"]


def test_placing_under_a_name_renamed_since_says_what_it_became(team):
    """A form opened before the rename places a measure under the old name: that starts a new
    theme (the person may mean one), and the answer says the old name was renamed, to what, by
    whom and when, so a slip is seen at once."""
    measure = next(m.id for m in BUNDLED.measures if FIRST not in m.themes)
    with unit_of_work(team, write=True, as_person="ed") as ctx:
        programme.rename(ctx, FIRST, "Sufficiency")
        programme.rename(ctx, "Sufficiency", "Local places", sub_theme=SUB)
    with unit_of_work(team, write=True, as_person="ed") as ctx:
        done = programme.place(ctx, measure, FIRST.lower())  # the old name, in another case
    assert done.new_theme and done.renamed is not None
    said = programme.renamed_since(done)
    assert said.startswith(f"The theme '{FIRST}' was renamed by ed on ")
    assert said.endswith(
        " and is called 'Sufficiency' now: if you meant that theme, place the measure there and "
        "take this placement away"
    )
    with unit_of_work(team, write=True, as_person="ed") as ctx:
        sub = programme.place(ctx, measure, "Sufficiency", SUB)
        plain = programme.place(ctx, measure, "A theme never renamed")
        again = programme.place(ctx, measure, "Sufficiency", SUB)
    assert sub.new_sub_theme and programme.renamed_since(sub).startswith(
        f"The sub-theme '{SUB}' was renamed by ed on "
    )
    assert " and is called 'Local places' now: " in programme.renamed_since(sub)
    assert plain.new_theme and plain.renamed is None and programme.renamed_since(plain) == ""
    assert not again.changed and again.renamed is None  # placed there already: nothing to say


def test_a_filter_on_a_name_renamed_since_says_what_it_is_called_now(team, site):
    """A saved Measures address or a bookmark from before a rename filters on the old name: it is
    still refused (no measure is in it), and the refusal says what the theme is called now, by
    whom and when it was renamed, rather than only listing the themes."""
    from valvecheck.domain.views import Filters
    from valvecheck.errors import InputError
    from valvecheck.services.listing import measure_listing

    with unit_of_work(team, write=True, as_person="ed") as ctx:
        programme.rename(ctx, FIRST, "Sufficiency")
        programme.rename(ctx, "Sufficiency", "Local places", sub_theme=SUB)
    with unit_of_work(team, as_person="ed") as ctx:
        with pytest.raises(InputError) as theme:
            measure_listing(ctx, Filters(theme=FIRST.upper()))
        with pytest.raises(InputError) as sub:
            measures.list_measures(ctx, Filters(theme="Sufficiency", sub_theme=SUB))
        with pytest.raises(InputError) as never:
            measure_listing(ctx, Filters(theme="A theme never there"))
        assert len(measure_listing(ctx, Filters(theme="sufficiency")).views) == len(IN_FIRST)
    assert theme.value.field == "theme"
    assert str(theme.value).startswith(
        f"there is no theme '{FIRST.upper()}' in your programme: it was renamed by ed on "
    )
    assert str(theme.value).endswith(" and is called 'Sufficiency' now")
    assert sub.value.field == "sub_theme"
    assert str(sub.value).endswith(" and is called 'Local places' now")
    assert "the themes are: " in str(never.value)  # nothing renamed: the themes, as before
    # the web's listing says so at the filter
    with unit_of_work(site.ws, write=True, as_person="ed") as ctx:
        programme.rename(ctx, FIRST, "Sufficiency")
    shown = site.client("ed").get("/measures", params={"theme": FIRST})
    assert shown.status_code == 422
    said = text(by_id(shown, "theme-error"))
    assert "it was renamed by ed on " in said and "is called 'Sufficiency' now" in said


def test_no_hint_when_the_name_it_became_has_gone_too(team):
    """Renamed, then emptied (so it left the programme): the old name is just a new theme."""
    data = list(THEMES)[1]
    held = sorted(m.id for m in BUNDLED.measures if data in m.themes)
    with unit_of_work(team, write=True, as_person="ed") as ctx:
        programme.rename(ctx, data, "Data")
        for m in held:
            for p in [p for p in placements_of_in(ctx, m) if p.theme == "Data"]:
                programme.unplace(ctx, m, p.theme, p.sub_theme)
    assert "Data" not in programme_of(team)
    with unit_of_work(team, write=True, as_person="ed") as ctx:
        done = programme.place(ctx, held[0], data)
    assert done.new_theme and done.renamed is None


def test_the_hint_follows_every_later_rename_and_says_nothing_after_a_rename_back(team):
    """A typo put right and then the board's new name; a change of case; a sub-theme renamed
    and then its theme; a theme renamed and renamed back (then the old name is just a new
    theme); a measure already placed in what the name became."""
    free = [m.id for m in BUNDLED.measures if FIRST not in m.themes]
    themes = list(THEMES)

    def place(theme: str, sub: str | None = None, measure: str = free[0]) -> programme.Placed:
        with unit_of_work(team, write=True, as_person="ed") as ctx:
            return programme.place(ctx, measure, theme, sub)

    def rename(theme: str, new: str, sub: str | None = None) -> None:
        with unit_of_work(team, write=True, as_person="ed") as ctx:
            programme.rename(ctx, theme, new, sub)

    rename(FIRST, "Sufficency")  # a typo
    rename("Sufficency", "Sufficiency")  # put right
    rename("Sufficiency", "SUFFICIENCY")  # a change of case is a rename too
    rename("SUFFICIENCY", "Local places", sub=SUB)  # then one of its sub-themes
    rename("SUFFICIENCY", "Places")  # and its theme again
    done = place(FIRST)
    assert done.renamed is not None and done.renamed.after == Placement("Places")
    assert " and is called 'Places' now: if you meant that theme" in programme.renamed_since(done)
    sub = place("Places", SUB)  # the sub-theme's old name under the theme's new one
    assert sub.renamed is not None and sub.renamed.after == Placement("Places", "Local places")
    # placed in what the old name became already: the advice is only to take this one away
    with unit_of_work(team, write=True, as_person="ed") as ctx:
        programme.unplace(ctx, free[0], FIRST)  # the slip undone (the theme goes with it)
    inside = next(m.id for m in BUNDLED.measures if FIRST in m.themes)
    there = place(FIRST, measure=inside)
    assert there.renamed is not None and there.renamed.placed_there
    assert programme.renamed_since(there).endswith(
        ": the measure is placed there already, so take this placement away"
    )
    # renamed and renamed back, the name it had then started again by someone: no hint
    rename(themes[1], "Digital")
    rename("Digital", themes[1])
    with unit_of_work(team, write=True, as_person="ed") as ctx:
        for m in sorted(m.id for m in BUNDLED.measures if themes[1] in m.themes):
            programme.unplace(ctx, m, themes[1])
    place("Digital", measure=free[1])  # an unrelated new theme of that name
    back = place(themes[1], measure=free[1])
    assert back.new_theme and back.renamed is None


def test_another_councils_renames_never_give_a_hint(db_path):
    two = Workspace(db_path)
    init_workspace(two, council="Leeds")  # Bristol has the bundled programme, Leeds none yet
    with unit_of_work(two, write=True, council="Bristol", by="ann") as ctx:
        programme.rename(ctx, FIRST, "Sufficiency")
    with unit_of_work(two, write=True, council="Leeds", by="lee") as ctx:
        programme.place(ctx, IN_FIRST[0], "Sufficiency")
        done = programme.place(ctx, IN_FIRST[1], FIRST)  # Bristol's old name: Leeds never had it
    assert done.new_theme and done.renamed is None
    with unit_of_work(two, write=True, council="Bristol", by="ann") as ctx:
        assert programme.place(ctx, IN_FIRST[1], FIRST.upper()).renamed is not None  # Bristol's
    two.dispose()


def placements_of_in(ctx, measure: str) -> list[Placement]:
    return list(measures.show_measure(ctx, measure).measure.placements)


# -- the command line -----------------------------------------------------------------------------


def test_the_command_line_renames_in_one_line(cli, ws):
    code, out, err = cli("rename-theme", FIRST, "Sufficiency and demand")
    assert code == 0, err
    assert out.strip() == (
        f"Renamed the theme {FIRST} to Sufficiency and demand; the {len(IN_FIRST)} measures "
        "placed in it stay placed there."
    )
    code, out, err = cli("rename-theme", "sufficiency and demand", "EHC plans", "--sub-theme", SUB)
    assert code == 0, err
    assert out.strip().startswith(f"Renamed the sub-theme Sufficiency and demand > {SUB} to ")
    code, out, err = cli("rename-theme", "Sufficiency and demand", "Sufficiency and demand")
    assert (code, out.strip()) == (
        0,
        "The theme is called Sufficiency and demand already: nothing changed.",
    )
    code, out, err = cli("rename-theme", "Sufficiency and demand", "x", "--sub-theme", "Nope")
    assert code == 1 and "--sub-theme: Bristol's programme has no sub-theme" in err
    code, out, err = cli("rename-theme", "Sufficiency and demand", list(THEMES)[1])
    assert code == 1 and "already: place the measures there instead" in err
    measure = next(m.id for m in BUNDLED.measures if FIRST not in m.themes)
    code, out, err = cli("place", measure, "--theme", FIRST)  # the old name: a warning too
    lines = out.strip().splitlines()
    assert code == 0 and lines[0] == f"Placed {measure} in {FIRST} (a new theme of the programme)."
    assert lines[1].startswith(f"The theme '{FIRST}' was renamed by ")
    assert " and is called 'Sufficiency and demand' now: if you meant " in lines[1]


# -- the programme page -----------------------------------------------------------------------------


def test_the_programme_page_lists_the_themes_and_renames_one(site):
    ed = site.client("ed")
    listed = ed.get("/measures")
    assert by_id(listed, "programme-link").get("href") == "/programme"
    shown = ed.get("/programme")
    assert shown.status_code == 200
    assert text(page(shown).find(".//h1")) == "Bristol's programme"
    # the menu names the page (a person asked to rename a theme finds it there) and marks it
    menu = {a.get("href"): a for a in by_id(shown, "navigation").iter("a")}
    assert text(menu["/programme"]) == "Programme"
    assert menu["/programme"].get("aria-current") == "page"
    assert menu["/measures"].get("aria-current") is None
    table = by_id(shown, "programme-table")
    rows = [text(r.find("./*")) for r in table.find(".//tbody").iter("tr")]
    assert rows[0] == FIRST and rows[1] == f"{FIRST}: {SUB}"  # a sub-theme names its theme
    assert len(rows) == sum(1 + len(s) for s in THEMES.values())
    links = [a.get("href") for a in table.iter("a") if a.get("href").startswith("/programme/")]
    assert links[0] == "/programme/rename?theme=" + FIRST.replace(" ", "+")
    form = ed.get(links[0])
    assert text(page(form).find(".//h1")) == f"Rename the theme ‘{FIRST}’"
    assert by_id(form, "name").get("value") == FIRST
    refused = post(ed, "/programme/rename", {"theme": FIRST, "name": " "}, token_from=links[0])
    assert refused.status_code == 422
    assert "Enter the theme's new name" in text(by_id(refused, "name-error"))
    assert page(refused).find(".//*[@class='govuk-error-summary']") is not None
    sent = post(
        ed, "/programme/rename", {"theme": FIRST, "name": "Sufficiency"}, token_from=links[0]
    )
    assert (sent.status_code, sent.headers["location"]) == (303, "/programme")
    after = ed.get("/programme")
    banner = text(page(after).find(".//*[@class='govuk-notification-banner__heading']"))
    assert banner == (
        f"Renamed the theme {FIRST} to Sufficiency; the {len(IN_FIRST)} measures placed in it "
        "stay placed there"
    )
    data = list(THEMES)[1]  # two measures; their sub-theme-less theme renamed, then one moved out
    one = sorted(m.id for m in BUNDLED.measures if data in m.themes)
    with unit_of_work(site.ws, write=True, council="Bristol", by="ann") as ctx:
        programme.place(ctx, one[0], "Elsewhere")
        programme.unplace(ctx, one[0], data)
    sent = post(ed, "/programme/rename", {"theme": data, "name": "Data"}, token_from="/programme")
    banner = text(
        page(ed.get("/programme")).find(".//*[@class='govuk-notification-banner__heading']")
    )
    assert (
        banner
        == f"Renamed the theme {data} to Data; the measure placed in it ({one[1]}) stays placed there"
    )
    assert text(by_id(after, "programme-table").find(".//tbody/tr/*")) == "Sufficiency"
    # the old name renames nothing: the form asks about the name it has now
    gone = post(ed, "/programme/rename", {"theme": FIRST, "name": "X"}, token_from="/programme")
    assert gone.status_code == 409
    assert "Nothing was renamed" in text(by_id(gone, "name-error"))
    assert text(by_id(after, "programme-table").find(".//tbody/tr/*")) == "Sufficiency"
    # a measure's page opened before the rename places under the old name: the banner says so
    measure = next(m.id for m in BUNDLED.measures if FIRST not in m.themes)
    stale = post(
        ed, f"/measures/{measure}/placements", {"theme": FIRST}, token_from=f"/measures/{measure}"
    )
    shown = text(page(ed.get(stale.headers["location"])).find(".//*[@role='alert']"))
    assert f"Placed {measure} in {FIRST} (a new theme of your programme). " in shown
    assert f"The theme '{FIRST}' was renamed by ed on " in shown
    assert "and is called 'Sufficiency' now: if you meant that theme, place the measure" in shown


def test_two_renaming_one_theme_at_once_the_second_is_asked_with_the_name_kept(site):
    """From a QA pass: the second of two people renaming one theme was shown a green "Nothing
    changed: ... has no theme Workforce", and what they typed was gone. Now the form comes back
    for the name the theme has now, with theirs kept and who renamed it to what; saving it again
    renames that."""
    ed, ann = site.client("ed"), site.client("ann")
    opened = "/programme/rename?theme=" + FIRST.replace(" ", "+")
    first = post(
        ed, "/programme/rename", {"theme": FIRST, "name": "Sufficiency"}, token_from=opened
    )
    assert first.status_code == 303
    second = post(
        ann, "/programme/rename", {"theme": FIRST, "name": "Places and demand"}, token_from=opened
    )
    assert second.status_code == 409
    said = text(by_id(second, "name-error"))
    assert f"Nothing was renamed: the theme '{FIRST}' was renamed by ed on " in said
    assert "is called 'Sufficiency' now. Save again to rename 'Sufficiency'" in said
    assert by_id(second, "name").get("value") == "Places and demand"
    form = page(second).find(".//main//form")
    hidden = {
        i.get("name"): i.get("value") for i in form.iter("input") if i.get("type") == "hidden"
    }
    assert hidden["theme"] == "Sufficiency"
    again = post(ann, "/programme/rename", {"theme": "Sufficiency", "name": "Places and demand"})
    assert again.status_code == 303
    assert "Places and demand" in programme_of(site.ws) and FIRST not in programme_of(site.ws)


def test_a_sub_theme_rename_after_its_theme_was_renamed_asks_and_a_rename_to_the_same_name_is_done(
    site,
):
    """From a review: renaming a sub-theme from a form opened before its theme was renamed gave
    the green "Nothing changed" and lost the name typed; a colleague renaming a theme to the very
    name typed was asked about as if it still needed doing."""
    ed, ann = site.client("ed"), site.client("ann")
    opened = "/programme/rename?theme=" + FIRST.replace(" ", "+")
    assert (
        post(
            ed, "/programme/rename", {"theme": FIRST, "name": "Sufficiency"}, token_from=opened
        ).status_code
        == 303
    )
    sent = {"theme": FIRST, "sub_theme": SUB, "name": "Local places"}
    asked = post(ann, "/programme/rename", sent, token_from=opened)
    assert asked.status_code == 409
    said = text(by_id(asked, "name-error"))
    assert f"Nothing was renamed: the theme '{FIRST}' was renamed by ed on " in said
    assert f"Save again to rename its sub-theme '{SUB}' to the name you typed" in said
    form = page(asked).find(".//main//form")
    hidden = {
        i.get("name"): i.get("value") for i in form.iter("input") if i.get("type") == "hidden"
    }
    assert (hidden["theme"], hidden["sub_theme"]) == ("Sufficiency", SUB)
    again = {"theme": "Sufficiency", "sub_theme": SUB, "name": "Local places"}
    assert post(ann, "/programme/rename", again, token_from=opened).status_code == 303
    assert "Local places" in programme_of(site.ws)["Sufficiency"]
    # a rename to the very name typed: nothing to ask
    same = post(
        ann, "/programme/rename", {"theme": FIRST, "name": "sufficiency"}, token_from=opened
    )
    assert same.status_code == 303
    banner = text(
        page(ann.get("/programme")).find(".//*[@class='govuk-notification-banner__heading']")
    )
    assert banner.startswith(f"Nothing changed: the theme '{FIRST}' was renamed by ed on ")
    assert banner.endswith("and is called 'Sufficiency' now, the name you typed")


def test_a_viewer_reads_the_programme_but_is_offered_no_rename(site):
    vi = site.client("vi")
    shown = vi.get("/programme")
    assert shown.status_code == 200 and "Rename" not in shown.text
    form = vi.get("/programme/rename?theme=" + FIRST.replace(" ", "+"))
    assert form.status_code == 403 and 'name="name"' not in form.text
    refused = post(vi, "/programme/rename", {"theme": FIRST, "name": "X"}, token_from="/programme")
    assert refused.status_code == 403


# -- the JSON API ---------------------------------------------------------------------------------


def test_the_api_lists_the_programme_and_renames_a_theme(on_both_stores: Server):
    s = on_both_stores
    listed = s.client.get("/api/programme", headers=s.as_("A-viewer"))
    assert listed.status_code == 200, listed.text
    first = listed.json()[0]
    assert (first["theme"], first["sub_theme"]) == (FIRST, None)
    assert sorted(first["measures"]) == IN_FIRST
    assert s.client.get("/api/programme", headers=s.as_("B-editor")).json() == []  # Leeds's own
    sent = {"theme": FIRST.lower(), "name": "Sufficiency"}
    refused = s.client.post("/api/programme/rename", json=sent, headers=s.as_("A-viewer"))
    assert refused.status_code == 403
    done = s.client.post("/api/programme/rename", json=sent, headers=s.as_("A-editor"))
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["before"] == {"theme": FIRST, "sub_theme": None}
    assert body["after"] == {"theme": "Sufficiency", "sub_theme": None}
    assert body["changed"] is True and sorted(body["measures"]) == IN_FIRST
    assert s.client.get("/api/programme", headers=s.as_("A-viewer")).json()[0]["theme"] == (
        "Sufficiency"
    )
    clash = s.client.post(
        "/api/programme/rename",
        json={"theme": "Sufficiency", "name": list(THEMES)[1]},
        headers=s.as_("A-editor"),
    )
    assert clash.status_code == 422 and clash.json()["field"] == "name"
    missing = s.client.post(
        "/api/programme/rename", json={"theme": FIRST, "name": "X"}, headers=s.as_("A-editor")
    )
    assert missing.status_code == 404 and missing.json()["code"] == "not-found"
    measure = next(m.id for m in BUNDLED.measures if FIRST not in m.themes)
    stale = s.client.post(
        f"/api/measures/{measure}/placements", json={"theme": FIRST}, headers=s.as_("A-editor")
    )
    assert stale.status_code == 201, stale.text
    assert stale.json()["renamed_to"] == {"theme": "Sufficiency", "sub_theme": None}
    fresh = s.client.post(
        f"/api/measures/{measure}/placements", json={"theme": "New"}, headers=s.as_("A-editor")
    )
    assert fresh.status_code == 201 and fresh.json()["renamed_to"] is None
    typo = s.client.post(
        "/api/programme/rename",
        json={"theme": "Sufficiency", "nmae": "X"},
        headers=s.as_("A-editor"),
    )
    assert typo.status_code == 422  # a field it does not know is refused, never dropped
