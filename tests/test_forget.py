"""Removing a leaver's personal details (UK GDPR erasure): their name leaves every record of their
council, the history stays whole under a pseudonym, and no other council is touched. On SQLite,
and on PostgreSQL (with row-level security) in the VALVECHECK_TEST_STORE=postgresql run."""

from __future__ import annotations

import json
import os
import pty
import select as selecting
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import String, Text, or_, select

from valvecheck.errors import Conflict, Forbidden, InputError, NotFound, Unauthenticated
from valvecheck.services import (
    activities,
    backup,
    equivalence,
    forget,
    impact,
    links,
    people,
    ratings,
    tokens,
    weights,
)
from valvecheck.services import trajectory as trajectories
from valvecheck.services.workspace import unit_of_work
from valvecheck.store import equivalence as decisions
from valvecheck.store import tables as t
from valvecheck.store.db import Workspace

NAME = "ann.lee"
PASSWORD = "correct horse battery"
ACTIVITIES = b"id,title,owner\nB-1,SENCO network,Inclusion lead\nB-2,Resource bases,Places\n"
RENAMED = b"id,title,owner\nB-1,SENCO network,ann.lee\nB-2,Resource bases,Places\n"

# Every text column of every table that holds no person's name, and why; every other text
# column must be one forget rewrites (a column added later is then caught here).
NOT_A_NAME = {
    ("authority", "slug"), ("authority", "name"), ("authority_alias", "alias"),
    ("agreement", "slug"), ("agreement", "title"), ("agreement", "year"), ("agreement", "kind"),
    ("agreement", "source_title"), ("agreement", "source_url"),
    ("measure", "code"), ("measure", "text"), ("measure", "source_title"),
    ("measure", "source_url"), ("measure", "source_locator"),
    ("measure_version", "text"), ("measure_version", "source_title"),
    ("theme", "name"), ("sub_theme", "name"),
    ("council", "name"),
    ("person", "role"), ("person", "password_hash"),  # the row itself: its own test
    ("person", "name"),
    ("assessment", "name"), ("assessment", "council"), ("assessment", "description"),
    ("assessment", "locked_measures"),  # measure ids and versions: no name in it
    ("rating", "rag"), ("rating", "previous"), ("rating", "rationale"), ("rating", "evidence"),
    ("rating", "source"),
    ("activity", "code"), ("activity", "title"), ("activity", "description"),
    ("activity", "theme"), ("activity", "sub_theme"), ("activity", "status"), ("activity", "link"),
    ("link_event", "rationale"),
    ("equivalence_event", "decision"), ("equivalence_event", "rationale"),
    ("equivalence_event", "council"),
    ("activity_change", "field"), ("activity_change", "file"),
    ("placement_event", "theme"), ("placement_event", "sub_theme"),
    ("placement_event", "change"), ("placement_event", "file"),
    ("api_token", "name"), ("api_token", "role"), ("api_token", "secret_hash"),
    ("impact_entry", "year"), ("impact_entry", "counts"), ("impact_entry", "note"),
    ("impact_entry", "source"),
    ("impact_weight", "weight"),
    ("trajectory", "year"), ("trajectory", "file"), ("trajectory", "ended_file"),
    ("common_index", "fingerprint"),
}  # fmt: skip


def rewritten() -> set[tuple[str, str]]:
    found = {(table, c) for table, (_, cs) in forget.RECORDED.items() for c in cs}
    found |= {("activity_change", c) for c in forget.OWNER_CHANGE}
    return found | {("equivalence_event", "by")}


def test_every_text_column_is_rewritten_or_holds_no_name():
    text_columns = {
        (table.name, c.name)
        for table in t.metadata.sorted_tables
        for c in table.columns
        if isinstance(c.type, String | Text)
    }
    assert text_columns - NOT_A_NAME == rewritten()


def ids(ws: Workspace) -> dict[str, int]:
    with ws.session(write=False, all_councils=True) as s:
        return {n: i for i, n in s.execute(select(t.person.c.id, t.person.c.name))}


def as_(ws: Workspace, name: str, write: bool = True):  # type: ignore[no-untyped-def]
    return unit_of_work(ws, write=write, as_person=name)


def local(ws: Workspace, council: str, by: str | None = None):  # type: ignore[no-untyped-def]
    return unit_of_work(ws, write=True, council=council, by=by)


def act(ws: Workspace, name: str) -> None:
    """Everything a person leaves their name on: ratings, links and unlinks, a decision on
    common measures, an import and an edit of activities, an assessment started and locked, a
    token, a saving, weights and a trajectory written twice."""
    with as_(ws, name) as ctx:
        ratings.rate(ctx, "bury-1", "amber", "SENCO network")
        ratings.rate(ctx, "bury-1", "green", "Panel live")
        activities.import_activities(ctx, ACTIVITIES, "a.csv")
        activities.import_activities(ctx, RENAMED, "b.csv")  # B-1's owner: the person
        activities.edit_activity(ctx, "B-2", {"status": "at risk"})
        links.link(ctx, "B-1", "bury-1", "hubs")
        links.link(ctx, "B-2", "bury-2")
        links.unlink(ctx, "B-2", "bury-2", "wrong one")
        equivalence.decide(ctx, "bury-1", "stoke-on-trent-2", "same", "both EHCP quality")
        tokens.create_token(ctx, "reporting", "viewer")
        impact.set_saving(ctx, "B-1", "2025-26", expected="£1,000")
        weights.set_weights(ctx, "B-1", "bury-1=1")
        trajectories.set_trajectory(ctx, "2025-26", unmitigated="£5,000")
        trajectories.set_trajectory(ctx, "2025-26", unmitigated="£6,000")
    with as_(ws, name) as ctx:
        ratings.new_assessment(ctx, "Bristol: 2027")
        ratings.lock_assessment(ctx, "Bristol: 2027")


@pytest.fixture
def made(ws: Workspace) -> Iterator[Workspace]:
    """Bristol (the seed's council) with its admin boss and ann.lee, an admin who did a bit of
    everything; Leeds, whose older records name an 'ann.lee' of its own (its local
    administrator's, as recorded), with a decision of its own."""
    with local(ws, "Bristol", by="setup") as ctx:
        people.add_council(ctx, "Leeds")
        people.add_person(ctx, "boss", "admin", password=PASSWORD)
        people.add_person(ctx, NAME, "admin", password=PASSWORD)
        people.add_person(ctx, "vi", "viewer")
        people.add_person(ctx, "ed", "editor")
    with local(ws, "Leeds", by="leeds admin") as ctx:
        people.add_person(ctx, "lee", "admin")
        ratings.new_assessment(ctx, "Leeds: autumn", use=True)
    with local(ws, "Leeds", by=NAME) as ctx:
        ratings.rate(ctx, "bury-2", "red", "Leeds' own")
        activities.import_activities(ctx, RENAMED, "leeds.csv")
        links.link(ctx, "B-1", "bury-2", "Leeds' link")
        activities.edit_activity(ctx, "B-1", {"status": "planned"})
        equivalence.decide(ctx, "bury-3", "stoke-on-trent-3", "different", "Leeds' decision")
    act(ws, NAME)
    yield ws


def removed(ws: Workspace, name: str, by: str = "boss") -> None:
    with as_(ws, by) as ctx:
        people.deactivate(ctx, name)


def forgotten(ws: Workspace, name: str, by: str = "boss") -> forget.Forgotten:
    person = ids(ws)[name]
    with as_(ws, by) as ctx:
        return forget.forget_person(ctx, person)


def council_id(ws: Workspace, council: str) -> int:
    with ws.session(write=False, all_councils=True) as s:
        return int(s.scalar(select(t.council.c.id).where(t.council.c.name == council)))


def holding(ws: Workspace, text: str, council: str) -> list[tuple[str, str, int]]:
    """Every (table, column, row id) of the council's rows, and of the catalogue's, whose text
    holds ``text`` anywhere; the shared decisions by the council that recorded them."""
    cid = council_id(ws, council)
    found = []
    with ws.session(write=False, all_councils=True) as s:
        for table in t.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text)]
            if not columns or "id" not in table.c:
                continue
            query = select(table.c.id).where(or_(*(c.contains(text) for c in columns)))
            if "council_id" in table.c:
                query = query.where(table.c.council_id == cid)
            if table.name == "equivalence_event":
                query = query.where(table.c.council == council)
            for row in s.execute(select(table).where(table.c.id.in_(query))):
                found += [
                    (table.name, c.name, row.id) for c in columns if text in (row._mapping[c] or "")
                ]
    return found


def rows(ws: Workspace) -> dict[str, list[dict[str, object]]]:
    """Every row of every table, in id order (to compare before and after)."""
    with ws.session(write=False, all_councils=True) as s:
        return {
            table.name: [
                dict(r._mapping) for r in s.execute(select(table).order_by(*table.primary_key))
            ]
            for table in t.metadata.sorted_tables
        }


def bristols(table: str, row: dict[str, object], bristol: int) -> bool:
    """Whether a row is Bristol's (a shared decision: one Bristol recorded; the catalogue's)."""
    if table == "equivalence_event":
        return row["council"] == "Bristol"
    return row.get("council_id", bristol) == bristol


def test_forgetting_replaces_the_name_on_every_record_of_the_council(made):
    ws = made
    before = rows(ws)
    named = holding(ws, NAME, "Bristol")
    assert {table for table, _, _ in named} == {
        "person", "assessment", "rating", "activity", "link_event", "equivalence_event",
        "activity_change", "api_token", "impact_entry", "impact_weight", "trajectory",
    }  # fmt: skip
    with as_(ws, "boss", write=False) as ctx:
        history = [(r.rag, r.by) for r in ratings.history(ctx, "bury-1")]
    removed(ws, NAME)
    done = forgotten(ws, NAME)

    assert done.pseudonym == "Former member 1"
    assert done.records == {
        "rating changes": 2,
        "link changes": 3,
        "assessments": 1,  # started and locked: one record
        "activity changes": 2,  # B-1's owner (by the person, to them), B-2's status
        "savings entries": 1,
        "saving weights": 1,
        "trajectory entries": 2,  # the first ended by the person, the second in force
        "API tokens": 1,
        "activities (as their owner)": 1,
        "decisions on common measures": 1,
    }
    assert done.total == sum(done.records.values()) == 15
    assert done.undated_decisions == 0
    assert holding(ws, NAME, "Bristol") == []
    # the same records now read the pseudonym, and nothing else changed: no row added or
    # removed, every row in its place (the history's order is the rows' ids)
    assert sorted(holding(ws, done.pseudonym, "Bristol")) == sorted(named)
    after, bristol = rows(ws), council_id(ws, "Bristol")
    for table, found in before.items():
        assert len(after[table]) == len(found), table
        for old, new in zip(found, after[table], strict=True):
            if table == "person" and old["name"] == NAME:
                continue  # its own test
            mine = bristols(table, old, bristol)
            same = {k: done.pseudonym if v == NAME and mine else v for k, v in old.items()}
            assert new == same, table
    with as_(ws, "boss", write=False) as ctx:
        assert [(r.rag, r.by) for r in ratings.history(ctx, "bury-1")] == [
            (rag, done.pseudonym if by == NAME else by) for rag, by in history
        ]


def test_the_person_row_keeps_no_name_password_or_session(made):
    ws = made
    person = ids(ws)[NAME]
    removed(ws, NAME)
    forgotten(ws, NAME)
    with ws.session(all_councils=True) as s:
        row = s.execute(select(t.person).where(t.person.c.id == person)).one()
        assert (row.name, row.password_hash, row.active) == ("Former member 1", None, False)
        assert row.signed_out_at is not None and row.last_signed_in_at is None
        for name in (NAME, "Former member 1"):
            with pytest.raises(Unauthenticated):
                people.sign_in(s, name, PASSWORD)
    with as_(ws, "boss") as ctx:
        listed = {p.id: p for p in people.list_people(ctx)}
        assert listed[person].forgotten and listed[person].name == "Former member 1"
        assert not listed[ids(ws)["vi"]].forgotten
        # their row is only what the pseudonym points at: no access, role or password again
        with pytest.raises(InputError, match="cannot be given access again"):
            people.restore_access(ctx, "Former member 1")
        with pytest.raises(InputError, match="cannot be given a role"):
            people.set_role(ctx, "Former member 1", "admin")
        with pytest.raises(InputError, match="cannot be given a password"):
            people.set_password(ctx, "Former member 1", "a long enough password 123")
        with pytest.raises(Conflict, match="removed already"):
            forget.forget_person(ctx, person)


def test_another_councils_records_under_the_same_name_are_untouched(made):
    ws = made
    leeds_before = holding(ws, NAME, "Leeds")
    assert {table for table, _, _ in leeds_before} == {
        "rating", "activity", "link_event", "equivalence_event", "activity_change",
    }  # fmt: skip
    removed(ws, NAME)
    forgotten(ws, NAME)
    assert holding(ws, NAME, "Leeds") == leeds_before
    assert holding(ws, "Former member", "Leeds") == []
    with local(ws, "Leeds") as ctx:
        assert [d.by for d in equivalence.decisions(ctx) if d.council == "Leeds"] == [NAME]


def test_the_freed_name_can_be_given_to_someone_new_anywhere(made):
    ws = made
    removed(ws, NAME)
    with as_(ws, "boss") as ctx, pytest.raises(Conflict, match="is taken"):
        people.add_person(ctx, NAME.upper(), "viewer")
    forgotten(ws, NAME)
    with as_(ws, "lee") as ctx:  # Leeds
        people.add_person(ctx, NAME, "editor", password=PASSWORD)
    with ws.session(all_councils=True) as s:
        assert people.sign_in(s, NAME, PASSWORD).council == "Leeds"
    with as_(ws, NAME) as ctx:
        ratings.rate(ctx, "bury-4", "amber", "the new ann.lee")
    assert ("rating", "by") in {(a, b) for a, b, _ in holding(ws, NAME, "Leeds")}
    assert holding(ws, NAME, "Bristol") == []


def test_a_second_forgotten_person_is_former_member_2(made):
    ws = made
    with as_(ws, "ed") as ctx:
        ratings.rate(ctx, "bury-2", "red", "nothing yet")
    removed(ws, NAME)
    removed(ws, "ed")
    assert forgotten(ws, NAME).pseudonym == "Former member 1"
    second = forgotten(ws, "ed")
    assert (second.pseudonym, second.records) == ("Former member 2", {"rating changes": 1})
    with as_(ws, "boss", write=False) as ctx:
        assert [r.by for r in ratings.history(ctx, "bury-2")][-1] == "Former member 2"
        assert [r.by for r in ratings.history(ctx, "bury-1")][-2:] == ["Former member 1"] * 2


def test_the_pseudonym_is_one_no_record_of_the_council_nor_anyone_on_the_server_has(made):
    """Leeds forgets first, so its former member 1 holds that sign-in name; a record of Bristol
    that reads 'Former member 2' already (older, by hand) keeps that number from Bristol's."""
    ws = made
    with local(ws, "Leeds", by="leeds admin") as ctx:
        people.add_person(ctx, "les", "editor")
        people.deactivate(ctx, "les")
    with local(ws, "Leeds", by="leeds admin") as ctx:
        assert forget.forget_person(ctx, ids(ws)["les"]).pseudonym == "Former member 1"
    with local(ws, "Bristol", by="Former member 2") as ctx:
        ratings.rate(ctx, "bury-5", "red", "by hand")
    removed(ws, NAME)
    assert forgotten(ws, NAME).pseudonym == "Former member 3"


def test_decisions_made_before_they_recorded_a_council_are_counted_and_left(made):
    ws = made
    with ws.session(write=True, all_councils=True) as s:
        first = s.scalar(select(t.measure.c.id).where(t.measure.c.code == "bury-4"))
        other = s.scalar(select(t.measure.c.id).where(t.measure.c.code == "stoke-on-trent-5"))
        decisions.record(s, first, other, "same", "before 0009", NAME, datetime.now(UTC))
    removed(ws, NAME)
    assert forgotten(ws, NAME).undated_decisions == 1
    with ws.session(all_councils=True) as s:
        e = t.equivalence_event.c
        assert s.scalar(select(e.by).where(e.rationale == "before 0009")) == NAME


def test_only_someone_whose_access_was_removed_can_be_forgotten(made):
    ws = made
    with pytest.raises(InputError, match="remove their access first"):
        forgotten(ws, NAME)
    assert holding(ws, "Former member", "Bristol") == []


@pytest.mark.parametrize("who", ["vi", "ed"])
def test_a_viewer_or_an_editor_may_not_forget_anyone(made, who):
    ws = made
    removed(ws, NAME)
    with pytest.raises(Forbidden, match="may not manage people"):
        forgotten(ws, NAME, by=who)
    assert holding(ws, "Former member", "Bristol") == []


def test_an_admin_of_another_council_cannot_forget_a_person_of_this_one(made):
    ws = made
    removed(ws, NAME)
    with pytest.raises(NotFound, match="there is no person"):
        forgotten(ws, NAME, by="lee")
    with pytest.raises(NotFound, match="there is no person"):
        forgotten(ws, "lee")  # and the other way
    assert holding(ws, "Former member", "Bristol") == holding(ws, "Former member", "Leeds") == []


def test_nobody_can_be_given_a_pseudonyms_name(made):
    with as_(made, "boss") as ctx:
        for name in ("Former member 7", "former  MEMBER 12"):
            with pytest.raises(InputError, match="choose another sign-in name"):
                people.add_person(ctx, name, "viewer")


def test_a_backup_written_after_forgetting_holds_no_trace_of_the_name(made):
    ws = made
    removed(ws, NAME)
    forgotten(ws, NAME)
    with local(ws, "Bristol") as ctx:
        dump = backup.backup(ctx, with_passwords=True)
    # the catalogue in it is every council's: Leeds' decision (by Leeds' own ann.lee) names
    # Leeds only, as Bristol's pages show it
    shared = dump["catalogue"]["equivalence_event"]
    assert [(d["council"], d["by"]) for d in shared] == [
        ("Leeds", "an administrator in Leeds"),
        ("Bristol", "Former member 1"),
    ]
    written = backup.dumps(dump).decode()
    assert NAME not in written and "Former member 1" in written
    assert "Former member 1" in [p["name"] for p in json.loads(written)["people"]]


# -- the command line -------------------------------------------------------------------------


def test_the_command_refuses_without_yes_when_not_at_a_terminal(made, cli):
    removed(made, NAME)
    code, out, err = cli("--council", "Bristol", "users", "forget", NAME)
    assert code == 1 and "--yes" in err and "nothing was changed" in err, err
    assert ("person", "name") in {(a, b) for a, b, _ in holding(made, NAME, "Bristol")}


def test_the_command_with_yes_says_what_it_replaced(made, cli):
    code, _, err = cli("--council", "Bristol", "users", "forget", NAME, "--yes")
    assert code == 1 and "remove their access first" in err
    assert cli("--council", "Bristol", "users", "remove", NAME)[0] == 0
    code, out, err = cli("--council", "Bristol", "users", "forget", NAME.upper(), "--yes")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == f"Removed {NAME}'s personal details: 15 records now read 'Former member 1'."
    assert "  rating changes: 2" in lines and "  decisions on common measures: 1" in lines
    assert holding(made, NAME, "Bristol") == []
    code, _, err = cli("--council", "Bristol", "users", "forget", NAME, "--yes")
    assert code == 1 and f"there is no person called '{NAME}'" in err
    code, out, _ = cli("--council", "Bristol", "users", "list")
    assert "Former member 1" in out and NAME not in out


def terminal(db: str, answer: str) -> tuple[int, str]:
    """``users forget`` run at a real (pseudo-)terminal, answering its question with ``answer``:
    (its exit status, everything it printed)."""
    here, there = pty.openpty()
    command = [sys.executable, "-m", "valvecheck", "--db", db, "--council", "Bristol"]
    env = {**os.environ, "COLUMNS": "200"}
    process = subprocess.Popen(
        [*command, "users", "forget", NAME], stdin=there, stdout=there, stderr=there, env=env
    )
    os.close(there)
    said = b""
    answered = False
    while True:
        ready, _, _ = selecting.select([here], [], [], 60)  # a guard against a hang, not a timing
        if not ready:
            process.kill()
            pytest.fail(f"no answer from the command: {said!r}")
        try:
            chunk = os.read(here, 4096)
        except OSError:  # the terminal closed: the command ended
            break
        if not chunk:
            break
        said += chunk
        if not answered and b"[y/N]" in said:
            os.write(here, answer.encode() + b"\n")
            answered = True
    os.close(here)
    return process.wait(), said.decode(errors="replace")


@pytest.mark.parametrize(("answer", "status"), [("n", 1), ("y", 0)])
def test_the_command_asks_at_a_terminal(made, db_path, answer, status):
    removed(made, NAME)
    code, said = terminal(db_path, answer)
    assert "cannot be undone" in said and code == status, said
    if answer == "y":
        assert "now read 'Former member 1'" in said
        assert holding(made, NAME, "Bristol") == []
    else:
        assert "Aborted" in said
        assert holding(made, "Former member", "Bristol") == []
