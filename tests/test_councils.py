"""Councils in one database, people and roles, checked in the services (issue: one service layer)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import inspect, select
from support import admin

from valvecheck.domain.people import PERMITTED, Action, Role
from valvecheck.errors import Forbidden, NotFound
from valvecheck.services import links, ratings, suggestions
from valvecheck.services.workspace import unit_of_work
from valvecheck.store.models import COUNCIL_TABLES, Base
from valvecheck.store.tenancy import OWNED, owned

DATA = Path(__file__).parent / "data"
SMALL = DATA / "activities-small.csv"
SEED_ASSESSMENT = "Bristol: mitigation validation exercise"


@pytest.fixture
def two(cli):  # type: ignore[no-untyped-def]
    """The seed workspace (council Bristol) and a second council, Leeds, with the same names."""
    assert cli("init")[0] == 0
    assert cli("councils", "add", "Leeds")[0] == 0
    code, _, err = cli("--council", "Leeds", "assessments", "new", SEED_ASSESSMENT)
    assert code == 0, err
    for council in ("Bristol", "Leeds"):
        code, _, err = cli("--council", council, "activities", "import", str(SMALL))
        assert code == 0, err
    return cli


def test_a_rating_in_one_council_is_seen_only_there(two):
    cli = two
    code, out, err = cli(
        "--council", "Leeds", "rate", "bury-2", "red", "--rationale", "leeds-only-7f3a"
    )
    assert code == 0, err
    code, _, err = cli(
        "--council", "Bristol", "link", "a-1", "bury-4", "--rationale", "bristol-link"
    )
    assert code == 0, err

    def seen(council: str) -> str:
        parts = [
            cli("--council", council, "history", "bury-2")[1],
            cli("--council", council, "summary", "--json")[1],
            cli("--council", council, "export", "--format", "json")[1],
            cli("--council", council, "export", "--format", "csv")[1],
            cli("--council", council, "activities", "list")[1],
        ]
        return "\n".join(parts)

    leeds, bristol = seen("Leeds"), seen("Bristol")
    assert leeds.count("leeds-only-7f3a") >= 3 and "leeds-only-7f3a" not in bristol
    assert json.loads(cli("--council", "Leeds", "summary", "--json")[1])["rag"]["red"] == 1
    assert json.loads(cli("--council", "Bristol", "summary", "--json")[1])["rag"]["red"] == 3
    assert "bury-4" in cli("--council", "Bristol", "activities", "list")[1]
    assert "bury-4" not in cli("--council", "Leeds", "activities", "list")[1]


def test_with_two_councils_a_command_must_say_which(two):
    code, _, err = two("summary")
    assert code != 0 and "--council" in err and "Leeds" in err and "Bristol" in err


def test_users_add_acts_in_the_council_it_names(two, cli):  # type: ignore[no-untyped-def]
    """The README's form, in a workspace of several councils: the command's own --council says
    where the person goes, so the local administrator acts there without the root --council."""
    code, out, err = cli("users", "add", "lee.admin", "--council", "Leeds", "--role", "admin")
    assert code == 0, err
    assert "lee.admin, admin in Leeds" in out
    listed = cli("--council", "Leeds", "users", "list")[1]
    assert "lee.admin" in listed
    assert "lee.admin" not in cli("--council", "Bristol", "users", "list")[1]


def test_a_report_of_a_council_with_no_assessment_is_refused(ws, cli, tmp_path):  # type: ignore[no-untyped-def]
    """Nothing to report yet: a clear refusal, not a committee paper saying the council has
    cross-referenced every measure with all of them "not rated"."""
    assert cli("councils", "add", "Leeds")[0] == 0
    out = tmp_path / "out"
    code, _, err = cli("--council", "Leeds", "report", "--out", str(out))
    assert code != 0
    assert "Leeds has no assessment yet" in err
    assert not out.exists() or not any(out.iterdir())


def test_a_council_that_does_not_exist_is_named(two):
    code, _, err = two("--council", "York", "summary")
    assert code == 1 and "no council 'York'" in err


@pytest.fixture
def people(cli):  # type: ignore[no-untyped-def]
    assert cli("init")[0] == 0
    for name, role in (("vera", "viewer"), ("ed", "editor"), ("ada", "admin")):
        code, _, err = cli("users", "add", name, "--role", role)
        assert code == 0, err
    assert cli("activities", "import", str(SMALL))[0] == 0
    return cli


REFUSED = [
    ("rate", "bury-2", "green", "--rationale", "x"),
    ("link", "a-1", "bury-4"),
    ("activities", "import", str(SMALL)),
    ("users", "add", "zed", "--role", "viewer"),
    ("assessments", "new", "Viewer's own"),
    ("suggest", "--accept"),
]


@pytest.mark.sqlite_only  # compares the SQLite file's bytes
@pytest.mark.parametrize("args", REFUSED, ids=lambda a: " ".join(a[:2]))
def test_a_viewer_is_refused_and_nothing_changes(people, db_path, args):
    before = Path(db_path).read_bytes()
    code, out, err = people("--as", "vera", *args)
    assert code == 3, (out, err)
    assert "vera is a viewer" in err and "a viewer may not" in err
    assert Path(db_path).read_bytes() == before


@pytest.mark.parametrize(
    ("who", "args", "allowed"),
    [
        ("ed", ("rate", "bury-2", "green", "--rationale", "x"), True),
        ("ed", ("link", "a-1", "bury-4"), True),
        ("ed", ("activities", "import", str(SMALL)), True),
        ("ed", ("users", "add", "zed", "--role", "viewer"), False),
        ("ed", ("councils", "add", "York"), False),
        ("ada", ("users", "add", "zed", "--role", "viewer"), True),
        ("vera", ("summary",), True),
        ("vera", ("history", "bury-1"), True),
    ],
)
def test_roles(people, who, args, allowed):
    code, out, err = people("--as", who, *args)
    assert (code == 0) is allowed, (out, err)
    if not allowed:
        assert code == 3 and f"{who} is" in err


def test_changes_record_the_person_acting(people):
    people("--as", "ed", "rate", "bury-2", "amber", "--rationale", "emerging")
    assert "\ted\t" in people("history", "bury-2")[1]


def test_an_unknown_person_is_refused(people):
    code, _, err = people("--as", "nobody", "summary")
    assert code == 3 and "no active person called 'nobody'" in err


def test_role_table_is_what_the_issue_says():
    assert PERMITTED[Role.VIEWER] == {Action.READ}
    assert {Action.RATE, Action.LINK, Action.IMPORT_ACTIVITIES, Action.SUGGEST} <= PERMITTED[
        Role.EDITOR
    ]
    assert (
        not {Action.MANAGE_PEOPLE, Action.MANAGE_COUNCILS, Action.MANAGE_CATALOGUE}
        & PERMITTED[Role.EDITOR]
    )
    assert PERMITTED[Role.ADMIN] == set(Action)


def test_a_batch_accept_with_one_bad_pair_writes_none(ws, cli):
    assert cli("activities", "import", str(SMALL))[0] == 0
    # the first two are suggested (accept links nothing else); the third names no measure
    pairs = [("a-1", "hammersmith-fulham-6"), ("a-2", "kingston-richmond-6"), ("a-3", "no-such")]
    with pytest.raises(NotFound), admin(ws) as ctx:
        suggestions.accept(ctx, pairs)
    with admin(ws, write=False) as ctx:
        assert links.link_events(ctx) == []
    with admin(ws) as ctx:
        done = suggestions.accept(ctx, pairs[:2])
    assert [(e.activity_id, e.measure_id) for e in done] == pairs[:2]


def test_use_cases_refuse_before_reading_or_writing(ws):
    with unit_of_work(ws, write=True) as ctx:
        viewer = type(ctx.actor)("v", Role.VIEWER, ctx.actor.council_id, ctx.actor.council, 99)
        ctx.actor = viewer
        with pytest.raises(Forbidden):
            ratings.rate(ctx, "bury-1", "green")


def test_every_council_table_is_filtered_by_council(two, db_path):
    """Every table with a council column is in the tenancy list, and a second council's rows
    never come back through it."""
    from valvecheck.store.db import Workspace

    ws = Workspace(db_path)
    with ws.session(write=False, all_councils=True) as session:
        columns = {t.name for t in Base.metadata.sorted_tables if "council_id" in t.columns}
        assert columns == set(COUNCIL_TABLES) == set(OWNED)
        live = set(inspect(session.get_bind()).get_table_names())
        assert set(COUNCIL_TABLES) <= live
        leeds, bristol = 2, 1
        for model in OWNED.values():
            rows = session.scalars(owned(model, leeds)).all()
            assert all(r.council_id == leeds for r in rows)
            every = session.scalars(select(model)).all()
            assert {r.council_id for r in every} <= {leeds, bristol}
    ws.dispose()


def test_users_password_and_restore_at_the_command_line(ws, cli, monkeypatch):  # type: ignore[no-untyped-def]
    """A forgotten password is set anew from standard input, never the command line; a person
    whose access was removed is let back in with their role."""
    import io

    from valvecheck.services.people import sign_in

    monkeypatch.setattr("sys.stdin", io.StringIO("first password 1\n"))
    assert cli("users", "add", "pat", "--role", "editor", "--password-stdin")[0] == 0
    code, _, err = cli("users", "password", "pat")
    assert code == 2 and "--password-stdin" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("second password 2\n"))
    code, out, err = cli("users", "password", "pat", "--password-stdin")
    assert code == 0 and "pat has a new password" in out, err
    assert cli("users", "remove", "pat")[0] == 0
    code, out, _ = cli("users", "restore", "pat")
    assert code == 0 and "pat can sign in again, as editor" in out
    with ws.session(all_councils=True) as s:
        assert sign_in(s, "pat", "second password 2").name == "pat"


def test_commands_about_the_shared_catalogue_need_no_council(two, cli, tmp_path):  # type: ignore[no-untyped-def]
    """Several councils on one workspace: common measures, a same-as decision and the
    catalogue's data package are the catalogue's, so no --council is asked for."""
    code, out, err = cli("common", "--min-prevalence", "2")
    assert code == 0 and "groups of measures" in out, err
    code, out, err = cli("same-as", "bury-1", "stoke-on-trent-2", "--rationale", "one panel")
    assert code == 0, err
    code, out, err = cli("export", "--format", "datapackage", "--out", str(tmp_path / "pkg"))
    assert code == 0 and (tmp_path / "pkg" / "datapackage.json").exists(), err
    # the programme is a council's own: without one named, the package has none, and says so
    assert "no programme or placements" in out
    assert (tmp_path / "pkg" / "placements.csv").read_text().count("\n") == 1  # its header
    code, out, err = cli(
        "--council", "Bristol", "export", "--format", "datapackage", "--out", str(tmp_path / "b")
    )
    assert code == 0 and "no programme" not in out, err
    assert (tmp_path / "b" / "placements.csv").read_text().count("\n") > 20
    assert "say which one" in cli("summary")[2]  # a council's own figures still need one
