"""Adding one activity (services.activities.add_activity) and `valvecheck activities add`: the
details checked as an imported row's, every problem at once, a taken id refused, who and when
kept in its history, and each council's activities its own."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from api_support import two_councils

from valvecheck.domain.activity import Status
from valvecheck.errors import (
    Conflict,
    Forbidden,
    ImportRejected,
    InputError,
    InputErrors,
    NotFound,
    exit_status,
)
from valvecheck.services import activities, people
from valvecheck.services.activity_details import activity_history
from valvecheck.services.workspace import unit_of_work
from valvecheck.store.db import Workspace

HUBS = {
    "code": "SEN-12",
    "title": "Inclusion hubs",
    "description": "Hubs in mainstream\nschools",
    "theme": "Inclusion",
    "owner": "Ann Lee",
    "status": "on track",
    "start": "September 2026",
    "end": "March 2027",
}


@pytest.fixture
def both(db_path: str):  # type: ignore[no-untyped-def]
    """Bristol (no activities) and Leeds (L-1), on the test's store."""
    ws = two_councils(db_path)
    with unit_of_work(ws, write=True, council="Bristol", by="setup") as ctx:
        people.add_person(ctx, "vi", "viewer")
        people.add_person(ctx, "ed", "editor")
    yield ws
    ws.dispose()


def codes(ws: Workspace, council: str) -> list[str]:
    with unit_of_work(ws, council=council, by="x") as ctx:
        return [v.activity.id for v in activities.list_activities(ctx)]


# -- the service -----------------------------------------------------------------------------------


def test_an_activity_is_added_with_its_details_read_as_an_import_reads_them(both):
    before = datetime.now(UTC)
    with unit_of_work(both, write=True, as_person="ed") as ctx:
        view = activities.add_activity(ctx, {**HUBS, "title": "  Inclusion   hubs "})
    after = datetime.now(UTC)
    a = view.activity
    assert (a.id, a.title, a.description, a.theme, a.owner) == (
        "SEN-12",
        "Inclusion hubs",
        "Hubs in mainstream\nschools",
        "Inclusion",
        "Ann Lee",
    )
    assert (a.status, a.start, a.end) == (Status.IN_PROGRESS, date(2026, 9, 1), date(2027, 3, 31))
    assert view.links == [] and codes(both, "Bristol") == ["SEN-12"]
    # who added it and when: each detail given, from nothing, in its history
    with unit_of_work(both, as_person="vi") as ctx:
        history = activity_history(ctx, "sen-12")
    assert [(c.field, c.before, c.after, c.by, c.file) for c in history] == [
        ("Title", "", "Inclusion hubs", "ed", ""),
        ("Description", "", "Hubs in mainstream\nschools", "ed", ""),
        ("Theme", "", "Inclusion", "ed", ""),
        ("Owner", "", "Ann Lee", "ed", ""),
        ("Status", "", "In progress", "ed", ""),
        ("Start date", "", "1 Sep 2026", "ed", ""),
        ("End date", "", "31 Mar 2027", "ed", ""),
    ]
    assert all(before <= c.at.replace(tzinfo=c.at.tzinfo or UTC) <= after for c in history)


def test_only_the_details_given_are_kept_and_a_later_import_updates_it(both):
    with unit_of_work(both, write=True, as_person="ed") as ctx:
        view = activities.add_activity(ctx, {"code": "B7", "title": "Outreach"})
        assert [c.field for c in activity_history(ctx, "B7")] == ["Title"]
        a = view.activity
        assert (a.description, a.owner, a.status, a.start, a.end) == ("", "", None, None, None)
        done = activities.import_activities(ctx, b"id,title\nb7,Outreach team\n", "t.csv")
        assert (done.added, done.updated) == (0, 1)
        assert activities.show_activity(ctx, "B7").activity.title == "Outreach team"


def test_every_problem_is_said_at_once_in_the_forms_order_and_nothing_is_added(both):
    typed = {"code": " ", "title": "", "status": "sideways", "start": "32/13/2026", "end": "x"}
    with unit_of_work(both, write=True, as_person="ed") as ctx, pytest.raises(InputErrors) as e:
        activities.add_activity(ctx, typed)
    assert list(e.value.errors) == ["code", "title", "status", "start", "end"]
    assert e.value.errors["code"] == "Enter the activity's id, for example SEN-12"
    assert e.value.errors["title"] == "Enter the activity's title"
    assert e.value.errors["start"] == "'32/13/2026' is not a real date"
    assert e.value.field == "code"
    assert codes(both, "Bristol") == []


def test_the_end_before_the_start_is_refused_as_an_edit_refuses_it(both):
    typed = {"code": "B8", "title": "Hubs", "start": "01/09/2026", "end": "01/03/2026"}
    with unit_of_work(both, write=True, as_person="ed") as ctx, pytest.raises(InputErrors) as e:
        activities.add_activity(ctx, typed)
    assert e.value.errors == {"end": "The end date must be on or after the start date"}


def test_an_id_title_or_owner_longer_than_kept_is_refused(both):
    typed = {"code": "X" * 201, "title": "Hubs " * 201, "owner": "O" * 201}
    with unit_of_work(both, write=True, as_person="ed") as ctx, pytest.raises(InputErrors) as e:
        activities.add_activity(ctx, typed)
    assert e.value.errors == {
        "code": "The id can be at most 200 characters; this one is 201",
        "title": "The title can be at most 1,000 characters; this one is 1,004",
        "owner": "The owner can be at most 200 characters; this one is 201",
    }
    with unit_of_work(both, write=True, as_person="ed") as ctx:  # 200 and 1,000 are kept
        added = activities.add_activity(ctx, {"code": "X" * 200, "title": "T" * 1000})
        assert added.activity.id
        with pytest.raises(InputErrors) as e:  # an edit reads the title as the add does
            activities.edit_activity(ctx, "X" * 200, {"title": "T" * 1001})
        assert e.value.errors == {
            "title": "The title can be at most 1,000 characters; this one is 1,001"
        }


def test_a_long_title_kept_from_before_the_limit_stays_editable_and_re_importable(both):
    """A title over 1,000 characters stored before the limit (or restored from a backup) does
    not make its activity uneditable: the edit form sends it back unchanged with a new status,
    and a tracker re-imported as it was is read; a new long title is still refused."""
    from valvecheck.domain.activity import Activity
    from valvecheck.services.context import council_id
    from valvecheck.store import activities as store

    long = "Review " * 200  # 1,400 characters once tidied
    long = " ".join(long.split())
    with unit_of_work(both, write=True, as_person="ed") as ctx:
        store.save_activities(ctx.session, council_id(ctx), [Activity("OLD-1", long)], ctx.now())
    with unit_of_work(both, write=True, as_person="ed") as ctx:
        view = activities.edit_activity(ctx, "old-1", {"title": long, "status": "complete"})
        assert view.activity.status == Status.DONE and view.activity.title == long
        again = f"ID,Title\nOLD-1,{long}\n".encode()
        assert activities.import_activities(ctx, again, "tracker.csv").updated == 0
        with pytest.raises(InputErrors) as e:
            activities.edit_activity(ctx, "old-1", {"title": long + " again"})
        assert e.value.errors["title"].startswith("The title can be at most 1,000 characters")
        changed = f"ID,Title\nOLD-1,{long} again\nNEW-1,{long}\n".encode()
        with pytest.raises(ImportRejected) as refused:
            activities.import_activities(ctx, changed, "tracker.csv")
    said = [(p.code, p.line, p.column) for p in refused.value.problems]
    assert said == [("too-long", 2, "Title"), ("too-long", 3, "Title")]


@pytest.mark.parametrize(
    ("code", "said"),
    [
        ("new", "'new' cannot be an activity id (the web app's addresses use it)"),
        ("..", "'..' cannot be an activity id (the web app's addresses use it)"),
        ("X/Edit", "an activity id cannot end in '/edit' (the web app's address of a page of 'X')"),
        ("A/b/not-relevant", "an activity id cannot end in '/not-relevant'"),
    ],
)
def test_an_id_the_web_could_not_give_a_page_is_refused_by_add_and_import(
    both, tmp_path, code, said
):
    """ "new" is the add form's address and "X/edit" the edit form of X: an activity so named
    would have no page of its own, so neither adding nor importing takes it."""
    with unit_of_work(both, write=True, as_person="ed") as ctx, pytest.raises(InputErrors) as e:
        activities.add_activity(ctx, {"code": code, "title": "Hubs"})
    assert said.lower() in e.value.errors["code"].lower()
    from valvecheck.importers.activities import read_activities

    path = tmp_path / "a.csv"
    path.write_text(f"ID,Title\n{code},Hubs\nX/editing,Fine\n", encoding="utf-8")
    parsed = read_activities(path.read_bytes(), str(path))
    assert [(p.code, p.line, p.column) for p in parsed.problems] == [("unusable-id", 2, "ID")]
    assert said in parsed.problems[0].message


def test_a_detail_an_activity_has_not_is_refused(both):
    with unit_of_work(both, write=True, as_person="ed") as ctx, pytest.raises(InputError) as e:
        activities.add_activity(ctx, {"code": "B9", "title": "Hubs", "colour": "red"})
    assert str(e.value) == "an activity has no detail 'colour'"


def test_an_id_the_council_has_in_any_case_is_a_conflict_naming_it(both):
    with unit_of_work(both, write=True, as_person="ed") as ctx:
        activities.add_activity(ctx, {"code": "SEN-12", "title": "Hubs"})
    with unit_of_work(both, write=True, as_person="ed") as ctx, pytest.raises(Conflict) as e:
        activities.add_activity(ctx, {"code": "sen-12", "title": "Other"})
    assert (e.value.reason, e.value.field) == ("already-exists", "code")
    assert "'sen-12'" in str(e.value) and "'SEN-12'" in str(e.value)
    assert exit_status(e.value) == 4
    # with other problems, it is one of them, so that all are put right at once
    with unit_of_work(both, write=True, as_person="ed") as ctx, pytest.raises(InputErrors) as e2:
        activities.add_activity(ctx, {"code": "SEN-12", "title": "", "end": "soon"})
    assert list(e2.value.errors) == ["code", "title", "end"]
    assert e2.value.codes == {"code": "already-exists"}
    assert e2.value.errors["code"].startswith("the council already has an activity 'SEN-12'")
    with unit_of_work(both, as_person="ed") as ctx:
        assert activities.show_activity(ctx, "SEN-12").activity.title == "Hubs"


def test_a_viewer_may_not_add_one(both):
    with unit_of_work(both, write=True, as_person="vi") as ctx, pytest.raises(Forbidden) as e:
        activities.add_activity(ctx, {"code": "B1", "title": "Hubs"})
    assert "viewer may not add, change or import activities" in str(e.value)
    assert codes(both, "Bristol") == []


def test_another_councils_id_is_free_and_the_new_activity_is_not_theirs_to_see(both):
    with unit_of_work(both, write=True, as_person="ed") as ctx:
        view = activities.add_activity(ctx, {"code": "l-1", "title": "Bristol's own"})
        activities.add_activity(ctx, {"code": "SEN-99", "title": "Bristol's hubs"})
    assert view.activity.id == "l-1"
    assert codes(both, "Bristol") == ["l-1", "SEN-99"]
    assert codes(both, "Leeds") == ["L-1"]
    with unit_of_work(both, as_person="lee") as ctx:
        assert activities.show_activity(ctx, "l-1").activity.title == "Leeds inclusion hubs"
        assert [c.by for c in activity_history(ctx, "L-1")] == []  # Bristol's add is not here
        with pytest.raises(NotFound):
            activities.show_activity(ctx, "SEN-99")
        with pytest.raises(NotFound):
            activity_history(ctx, "SEN-99")


def test_an_edit_reads_its_details_as_before(both):
    with unit_of_work(both, write=True, as_person="ed") as ctx:
        activities.add_activity(ctx, {"code": "B2", "title": "Hubs", "start": "01/09/2026"})
        with pytest.raises(InputErrors) as e:
            activities.edit_activity(ctx, "b2", {"title": " ", "end": "01/01/2026"})
        assert e.value.errors == {
            "title": "Enter the activity's title",
            "end": "The end date must be on or after the start date",
        }
        view = activities.edit_activity(ctx, "b2", {"owner": "Tom", "status": "complete"})
    assert (view.activity.owner, view.activity.status) == ("Tom", Status.DONE)


# -- the command line ------------------------------------------------------------------------------


def test_the_command_adds_one_and_says_so(ws, cli):
    code, out, err = cli(
        "activities",
        "add",
        "--code",
        "SEN-12",
        "--title",
        "Inclusion hubs",
        "--owner",
        "Ann Lee",
        "--status",
        "on track",
        "--start",
        "2026-09-01",
        "--end",
        "March 2027",
        "--by",
        "ann.lee",
    )
    assert (code, err) == (0, "")
    assert out == "Added SEN-12: Inclusion hubs (by ann.lee).\n"
    with unit_of_work(ws, by="x") as ctx:
        a = activities.show_activity(ctx, "SEN-12").activity
        history = activity_history(ctx, "SEN-12")
    assert (a.owner, a.status, a.start, a.end) == (
        "Ann Lee",
        Status.IN_PROGRESS,
        date(2026, 9, 1),
        date(2027, 3, 31),
    )
    assert {c.by for c in history} == {"ann.lee"}


def test_the_command_names_every_problem_by_its_option_and_adds_nothing(ws, cli):
    code, out, err = cli("activities", "add", "--code", "B1", "--status", "sideways")
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert lines[0] == "error: nothing was changed: 2 problems found"
    assert lines[1] == "  --title: Enter the activity's title"
    assert lines[2].startswith("  --status: 'sideways' is not a status; use one of: planned")
    code, out, err = cli("activities", "add", "--title", "Hubs")
    assert code == 1
    assert "--code: Enter the activity's id, for example SEN-12" in err
    with unit_of_work(ws, by="x") as ctx:
        assert activities.list_activities(ctx) == []


def test_the_command_refuses_a_taken_id_with_the_conflicts_exit_status(ws, cli):
    assert cli("activities", "add", "--code", "B1", "--title", "Hubs")[0] == 0
    code, out, err = cli("activities", "add", "--code", "b1", "--title", "Other")
    assert code == 4 and out == ""
    assert err.startswith("error: --code: the council already has an activity 'b1' (written 'B1'")


def test_a_name_to_record_longer_than_kept_is_refused_before_anything_is_written(ws, cli):
    """--by names who a change is recorded under, in columns of 200 characters: a longer one
    is refused with its option named (PostgreSQL failed with a database error), nothing saved."""
    long = "x" * 201
    for args in (
        ("activities", "add", "--code", "L1", "--title", "Long", "--by", long),
        ("rate", "bury-1", "green", "--by", long),
    ):
        code, out, err = cli(*args)
        assert code == 1, err
        assert err.strip() == (
            "error: --by: the name changes are recorded under can be at most 200 characters; "
            "this one is 201"
        )
    assert cli("activities", "list")[1].count("L1") == 0
    assert "Green" not in cli("show", "bury-1")[1].split("History")[0]
    assert cli("rate", "bury-1", "green", "--by", "y" * 200)[0] == 0
