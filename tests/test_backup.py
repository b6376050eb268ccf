"""A council's backup restores onto SQLite and PostgreSQL exactly, and touches no other council."""

from __future__ import annotations

import json
import sqlite3

import pytest
from api_support import two_councils

from valvecheck.domain.people import Role
from valvecheck.errors import Conflict, ImportRejected, InputError
from valvecheck.services import (
    activities,
    backup,
    equivalence,
    impact,
    links,
    measures,
    people,
    programme,
    ratings,
    summary,
    weights,
)
from valvecheck.services import trajectory as trajectories
from valvecheck.services.context import Actor
from valvecheck.services.workspace import init_workspace, unit_of_work
from valvecheck.store.db import Workspace


def rich_council(url: str) -> Workspace:
    """Leeds and Bristol; Bristol with a rating history, a second assessment, activities, a link
    and its undoing, and a person with a password."""
    ws = two_councils(url)
    with unit_of_work(ws, write=True, council="Bristol", by="Ann") as ctx:
        ratings.rate(ctx, "bury-1", "amber", "SENCO network", "minutes.pdf")
        ratings.rate(ctx, "bury-1", "green", "Panel live")
        ratings.new_assessment(ctx, "Bristol: 2027", carry_from=None)
        ratings.rate(ctx, "stoke-on-trent-1", "red", "not yet", assessment="Bristol: 2027")
        ratings.lock_assessment(ctx, "Bristol: 2027")
        data = (
            b"id,title,status,start,end\nB-1,Hubs,in progress,01/04/2025,31/03/2026\nB-2,Panel,,,\n"
        )
        activities.import_activities(ctx, data, "b.csv")
        links.link(ctx, "B-1", "bury-1", "hubs")
        links.link(ctx, "B-2", "bury-2")
        links.unlink(ctx, "B-2", "bury-2", "wrong one")
        activities.edit_activity(ctx, "B-1", {"status": "at risk", "owner": "Bo"})  # its history
        programme.place(ctx, "bury-1", "Hubs", "North")  # the programme's history
        programme.unplace(ctx, "bury-1", "Hubs", "North")
        people.add_person(ctx, "bea", "editor", password="correct horse battery")
    with unit_of_work(ws, write=True, council="Bristol", by="Ann") as ctx:
        equivalence.decide(ctx, "bury-1", "stoke-on-trent-2", "same", "both EHCP quality")
    return ws


def dump_of(ws: Workspace, council: str, with_passwords: bool = False) -> dict:
    with unit_of_work(ws, council=council) as ctx:
        found = backup.backup(ctx, with_passwords=with_passwords)
    found.pop("written_at")
    return found


def exports(ws: Workspace, council: str) -> dict[str, str]:
    with unit_of_work(ws, council=council) as ctx:
        names = [a.name for a in ratings.list_assessments(ctx)]
        return {n: summary.export(ctx, "json", n) for n in names}


def restore(ws: Workspace, data: bytes) -> backup.Restored:
    admin = Actor("restorer", Role.ADMIN, None)  # the local administrator, of no one council
    with unit_of_work(ws, write=True, actor=admin) as ctx:
        return backup.restore(ctx, data, "backup.json", replace=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request, tmp_path):
    url = str(tmp_path / "t.db") if request.param == "sqlite" else request.getfixturevalue("pg_url")
    ws = Workspace(url)
    init_workspace(ws, empty=True)
    yield ws
    ws.dispose()


def test_a_backup_restored_into_an_empty_database_exports_identically(tmp_path, target):
    source = rich_council(str(tmp_path / "source.db"))
    original = dump_of(source, "Bristol", with_passwords=True)
    assert len(original["assessments"]) == 2 and len(original["links"]) == 3
    assert len(original["other"]["activity_change"]) == 2  # B-1's status and owner
    assert len(original["other"]["placement_event"]) == 2  # bury-1 placed and taken away
    first = original["assessments"][0]["ratings"]
    assert [r["version"] for r in first if r["measure"] == "bury-1"] == [1, 2]
    with unit_of_work(source, council="Bristol") as ctx:
        data = backup.dumps(backup.backup(ctx, with_passwords=True))
    done = restore(target, data)
    assert done.council == "Bristol" and done.counts["rating changes"] == original_changes(original)
    assert dump_of(target, "Bristol", with_passwords=True) == original
    assert exports(target, "Bristol") == exports(source, "Bristol")
    with unit_of_work(target, as_person="bea") as ctx:  # the password travelled
        assert ctx.actor.council == "Bristol"
    with unit_of_work(target, council="Bristol") as ctx:  # so did the shared catalogue's decisions
        assert [e.id for e in measures.measure_page(ctx, "bury-1").equivalents] == [
            "stoke-on-trent-2"
        ]
    source.dispose()


def original_changes(dump: dict) -> int:
    return sum(len(a["ratings"]) for a in dump["assessments"])


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "hosted.db")
    return request.getfixturevalue("pg_url")


def test_restoring_council_a_leaves_council_b_untouched(tmp_path, url):
    source = rich_council(str(tmp_path / "source.db"))
    with unit_of_work(source, council="Bristol") as ctx:
        data = backup.dumps(backup.backup(ctx))
    # the server hosts Leeds (its own ratings, activity and link) and an older Bristol
    hosted = two_councils(url)
    leeds_before = dump_of(hosted, "Leeds", with_passwords=True)
    leeds_exports = exports(hosted, "Leeds")
    restore(hosted, data)
    assert dump_of(hosted, "Leeds", with_passwords=True) == leeds_before
    assert exports(hosted, "Leeds") == leeds_exports
    restored = dump_of(hosted, "Bristol")
    expected = dump_of(source, "Bristol")
    restored.pop("catalogue"), expected.pop("catalogue")
    assert restored == expected
    source.dispose()
    hosted.dispose()


def test_a_restore_without_passwords_keeps_the_passwords_people_have(tmp_path):
    ws = rich_council(str(tmp_path / "a.db"))
    plain = dump_of(ws, "Bristol")
    assert all("password_hash" not in p for p in plain["people"])
    with unit_of_work(ws, council="Bristol") as ctx:
        data = backup.dumps(backup.backup(ctx))
    restore(ws, data)
    with_hash = dump_of(ws, "Bristol", with_passwords=True)
    assert [p["password_hash"] is not None for p in with_hash["people"]] == [True]


REFUSED = [
    (b"not json", "not a Valvecheck backup"),
    (b'{"format": "something-else", "version": 1}', "not a Valvecheck backup"),
    (b'{"format": "valvecheck-backup", "version": 99}', "newer version of Valvecheck"),
]


def test_a_file_that_cannot_be_restored_changes_nothing(tmp_path):
    ws = rich_council(str(tmp_path / "a.db"))
    before = dump_of(ws, "Bristol", with_passwords=True)
    for content, words in REFUSED:
        with pytest.raises(InputError, match=words):
            restore(ws, content)
    with pytest.raises(ImportRejected) as refused:  # the shape of a backup, but nothing in it
        restore(ws, b'{"format": "valvecheck-backup", "version": 1, "council": {}}')
    said = [str(p) for p in refused.value.problems]
    assert "backup.json: council.name: is missing [missing-field]" in said
    assert "backup.json: people: is missing [missing-field]" in said
    assert dump_of(ws, "Bristol", with_passwords=True) == before
    ws.dispose()


def test_backup_and_restore_commands(cli, tmp_path):
    assert cli("init")[0] == 0
    assert cli("rate", "bury-1", "red", "--rationale", "none yet")[0] == 0
    out = tmp_path / "bristol.json"
    code, text, _ = cli("backup", str(out))
    assert code == 0 and "Backed up Bristol" in text
    assert json.loads(out.read_text())["version"] == backup.VERSION
    assert cli("rate", "bury-1", "green", "--rationale", "after the backup")[0] == 0
    code, text, _ = cli("restore", str(out), "--replace")
    assert code == 0 and "Restored Bristol" in text
    code, text, _ = cli("history", "bury-1")
    assert "none yet" in text and "after the backup" not in text
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps({"format": "valvecheck-backup", "version": backup.VERSION + 1}))
    code, _, err = cli("restore", str(newer))
    assert code == 1 and "newer version" in err


def test_a_restore_onto_a_catalogue_already_here_says_which_decisions_it_left_out(cli, tmp_path):
    """The server's catalogue is every council's: a council's restore keeps it as it is, and
    says how many of the backup's decisions on common measures were not applied."""
    here = str(tmp_path / "here.db")
    assert cli("init")[0] == 0
    assert cli("same-as", "bury-1", "stoke-on-trent-1", "--rationale", "same thing")[0] == 0
    out = tmp_path / "b.json"
    assert cli("backup", str(out))[0] == 0
    assert cli("init", db=here)[0] == 0  # a catalogue of its own already
    code, said, err = cli("restore", str(out), "--replace", db=here)
    assert code == 0, err
    assert "1 decision on common measures in the backup differs" in " ".join(said.split())
    with sqlite3.connect(here) as db:
        assert db.execute("SELECT count(*) FROM equivalence_event").fetchone() == (0,)
    assert cli("same-as", "bury-1", "stoke-on-trent-1", db=here)[0] == 0
    code, said, _ = cli("restore", str(out), "--replace", db=here)
    assert code == 0 and "not applied" not in said  # decided the same here now


# -- a backup edited by hand -------------------------------------------------------------------

DELETE = object()


@pytest.fixture
def backed_up(cli, db_path, tmp_path):
    """A council with a person, activities, a link, a saving, weights and a trajectory, and its
    backup as written by the command (parsed, to be edited)."""
    assert cli("init")[0] == 0
    ws = Workspace(db_path)
    with unit_of_work(ws, write=True, by="Ann") as ctx:
        activities.import_activities(
            ctx, b"id,title,start\nB-1,Hubs,01/04/2025\nB-2,Panel,\n", "b.csv"
        )
        links.link(ctx, "B-1", "bury-1", "hubs")
        links.link(ctx, "B-1", "bury-2", "hubs too")
        impact.set_saving(ctx, "B-1", "2025-26", expected="1000")
        weights.set_weights(ctx, "B-1", "bury-1=0.5, bury-2=0.5")
        trajectories.set_trajectory(ctx, "2025-26", unmitigated="5000")
        activities.edit_activity(ctx, "B-1", {"status": "planned"})
        programme.place(ctx, "bury-1", "Hubs")
        people.add_person(ctx, "bea", "editor")
    ws.dispose()
    out = tmp_path / "backup.json"
    assert cli("backup", str(out))[0] == 0
    return json.loads(out.read_text())


def edited(dump: dict, *changes: tuple[tuple, object]) -> dict:
    dump = json.loads(json.dumps(dump))
    for path, value in changes:
        *parents, last = path
        holder = dump
        for key in parents:
            holder = holder[key]
        if value is DELETE:
            del holder[last]
        else:
            holder[last] = value
    return dump


# (what is edited, its new value, what the refusal says: the JSON path first)
BAD_VALUES = [
    (
        ("assessments", 0, "ratings", 0, "rag"),
        "purple",
        "assessments[0].ratings[0].rag: 'purple' is not a RAG rating; use one of: green (G), "
        "amber (A, yellow), red (R), unrated, not-applicable (n/a) [unknown-rag]",
    ),
    (
        ("other", "impact_entry", 0, "expected_pence"),
        "lots",
        "other.impact_entry[0].expected_pence: must be a whole number of pence, not 'lots' "
        "[not-a-whole-number]",
    ),
    (
        ("other", "trajectory", 0, "target_pence"),
        12.5,
        "other.trajectory[0].target_pence: must be a whole number of pence, not 12.5",
    ),
    (
        ("assessments", 0, "ratings", 0, "at"),
        "yesterday",
        "assessments[0].ratings[0].at: 'yesterday' is not a date and time: write it like "
        "2026-12-02T09:30:00+00:00 [bad-time]",
    ),
    (
        ("activities", 0, "start_date"),
        "31/03/2026",
        "activities[0].start_date: '31/03/2026' is not a date: write it like 2026-12-02 [bad-date]",
    ),
    (("activities", 0, "title"), DELETE, "activities[0].title: is missing [missing-field]"),
    (("activities", 0, "title"), None, "activities[0].title: must have a value, not null"),
    (("activities", 0, "title"), 5, "activities[0].title: must be text (in quotes), not 5"),
    (("activities",), None, "activities: must be a list ([...]), not null [not-a-list]"),
    (
        ("activities", 1, "code"),
        "b-1",
        "activities[1].code: 'b-1' is already at activities[0] as 'B-1' (case does not matter): "
        "the code must be unique [duplicate-key]",
    ),
    (
        ("assessments", 0, "ratings", 1, "version"),
        "1",
        "assessments[0].ratings[1].version: must be a whole number, not '1'",
    ),
    (("links", 0, "linked"), "yes", "links[0].linked: must be true or false, not 'yes'"),
    (
        ("links", 0, "measure"),
        "nope-99",
        "links[0].measure: there is no measure 'nope-99' in the backup's catalogue or this "
        "server's [unknown-measure]",
    ),
    (
        ("other", "impact_entry", 0, "activity"),
        "Z-9",
        "other.impact_entry[0].activity: there is no activity 'Z-9' in the backup's activities "
        "[unknown-activity]",
    ),
    (
        ("other", "trajectory", 0, "assessment"),
        "Bristol: 1999",
        "other.trajectory[0].assessment: there is no assessment 'Bristol: 1999' in the backup's "
        "assessments [unknown-assessment]",
    ),
    (
        ("other", "impact_entry", 0, "year"),
        "2025",
        "other.impact_entry[0].year: '2025' is not a financial year",
    ),
    (
        ("other", "impact_weight", 0, "weight"),
        "half",
        "other.impact_weight[0].weight: the weight 'half' is not a number",
    ),
    (
        ("other", "activity_change", 0, "field"),
        "colour",
        "other.activity_change[0].field: 'colour' is not a detail of an activity",
    ),
    (
        ("other", "activity_change", 0, "activity"),
        "Z-9",
        "other.activity_change[0].activity: there is no activity 'Z-9' in the backup's activities",
    ),
    (
        ("other", "placement_event", 0, "change"),
        "moved",
        "other.placement_event[0].change: 'moved' is not a change of a placement; use placed or "
        "removed [unknown-change]",
    ),
    (
        ("other", "placement_event", 0, "measure"),
        "nope-99",
        "other.placement_event[0].measure: there is no measure 'nope-99' in the backup's "
        "catalogue or this server's [unknown-measure]",
    ),
    (("people", 0, "role"), "boss", "people[0].role: 'boss' is not a role"),
    (("people", 0, "nickname"), "B", "people[0].nickname: is not a field a backup has here"),
    (
        ("catalogue", "measure", 0, "agreement_id"),
        99,
        "catalogue.measure[0].agreement_id: 99 is not the id of a row in catalogue.agreement",
    ),
]


@pytest.mark.parametrize(
    ("where", "value", "said"), BAD_VALUES, ids=[".".join(map(str, w)) for w, _, _ in BAD_VALUES]
)
def test_a_backup_with_a_bad_value_is_refused_where_it_is_and_changes_nothing(
    cli, tmp_path, backed_up, where, value, said
):
    before = cli("summary")
    assert before[0] == 0
    assert cli("rate", "bury-1", "red", "--rationale", "after the backup")[0] == 0
    after_rating = cli("summary")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(edited(backed_up, (where, value))))
    code, _, err = cli("restore", str(bad))
    assert code == 1
    lines = err.splitlines()
    assert "nothing was restored: 1 problem(s) found" in lines[0]
    assert f"{bad}: {said}" in " ".join(" ".join(lines[1:]).split()), err
    assert cli("summary") == after_rating != before  # the data since the backup is all there
    assert cli("history", "bury-1")[1].count("after the backup") == 1


def test_every_problem_of_a_backup_is_told_at_once(backed_up, tmp_path, cli):
    bad = tmp_path / "bad.json"
    dump = edited(
        backed_up,
        (("assessments", 0, "ratings", 0, "rag"), "purple"),
        (("other", "impact_entry", 0, "expected_pence"), "lots"),
        (("activities", 0, "title"), DELETE),
    )
    bad.write_text(json.dumps(dump))
    code, _, err = cli("restore", str(bad))
    assert code == 1 and "3 problem(s) found" in err
    places = [line.split(": ")[1] for line in err.splitlines()[1:] if line.startswith("  ")]
    assert places == [
        "assessments[0].ratings[0].rag",
        "activities[0].title",
        "other.impact_entry[0].expected_pence",
    ]


def test_a_rag_word_as_people_write_it_is_restored_as_the_scale_s_own(backed_up, tmp_path, cli):
    good = tmp_path / "edited.json"
    rated = [r["measure"] for r in backed_up["assessments"][0]["ratings"]]
    last = len(rated) - 1 - rated[::-1].index(rated[-1])  # the latest change of its measure
    good.write_text(
        json.dumps(edited(backed_up, (("assessments", 0, "ratings", last, "rag"), " Yellow ")))
    )
    code, _, err = cli("restore", str(good), "--replace")
    assert code == 0, err
    out = tmp_path / "again.json"
    assert cli("backup", str(out))[0] == 0
    assert json.loads(out.read_text())["assessments"][0]["ratings"][last]["rag"] == "amber"


@pytest.mark.parametrize(
    "encoding", ["utf-8-sig", "utf-16"], ids=["utf-8 with a BOM (Notepad)", "utf-16"]
)
def test_a_backup_saved_again_by_an_editor_is_still_read(backed_up, tmp_path, cli, encoding):
    again = tmp_path / "saved-again.json"
    again.write_bytes(json.dumps(backed_up).encode(encoding))
    code, text, err = cli("restore", str(again), "--replace")
    assert code == 0, err
    assert "Restored Bristol" in text


def test_a_restore_refuses_a_sign_in_name_another_council_has_in_another_case(tmp_path, url):
    source = rich_council(str(tmp_path / "source.db"))  # Bristol has "bea"
    with unit_of_work(source, council="Bristol") as ctx:
        data = backup.dumps(backup.backup(ctx))
    hosted = two_councils(url)
    with unit_of_work(hosted, write=True, council="Leeds", by="Lee") as ctx:
        people.add_person(ctx, "BEA", "viewer", password="correct horse battery")
    leeds_before = dump_of(hosted, "Leeds", with_passwords=True)
    with pytest.raises(Conflict, match="another council on this server: BEA"):
        restore(hosted, data)
    assert dump_of(hosted, "Leeds", with_passwords=True) == leeds_before
    source.dispose()
    hosted.dispose()
