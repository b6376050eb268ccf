"""Activities keep the history of their details (who changed what, from and to: migration 0012),
by an edit on the page or a re-import, shown on the activity's page, kept in a backup; and
people's last web sign-in, shown by `users list` and on the People page."""

# ruff: noqa: F811 (the tests take the imported fixtures as parameters)

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from api_support import two_councils
from sqlalchemy import inspect, select, text
from web_support import (
    PASSWORD,
    by_id,
    page,
    post,
    sign_in,
    site,  # noqa: F401 (a fixture)
    site_template,  # noqa: F401 (a fixture)
)
from web_support import text as text_of

from valvecheck.domain.people import Role
from valvecheck.errors import ImportRejected
from valvecheck.services import activities, activity_details, backup, people
from valvecheck.services.context import Actor
from valvecheck.services.workspace import init_workspace, unit_of_work
from valvecheck.store.db import Workspace
from valvecheck.store.models import COUNCIL_TABLES, PersonRow

TRACKER = b"id,title,status,owner,end\nB-1,Hubs,in progress,Ann,31/03/2027\nB-2,Panel,,,\n"
AGAIN = b"id,title,status,owner,end\nB-1,Hubs,delayed,Ann,30/06/2027\nB-2,Panel,,,\n"


def changes(ws: Workspace, council: str, activity: str) -> list[tuple[str, str, str, str, str]]:
    with unit_of_work(ws, council=council) as ctx:
        return [
            (c.field, c.before, c.after, c.by, c.file)
            for c in activity_details.activity_history(ctx, activity)
        ]


# -- migration 0012 ---------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "m.db")
    return request.getfixturevalue("pg_url")


def test_migration_0012_goes_down_and_up_again(url):
    ws = two_councils(url)
    with unit_of_work(ws, write=True, council="Leeds", by="leeds admin") as ctx:
        activities.edit_activity(ctx, "L-1", {"owner": "Someone else"})
    ws.downgrade("0011")
    with ws.engine.connect() as conn:
        assert not ws.engine.dialect.has_table(conn, "activity_change")
        columns = {c["name"] for c in inspect(conn).get_columns("person")}
        assert "last_signed_in_at" not in columns and "signed_out_at" in columns
    with ws.session(all_councils=True) as s:  # the activity itself is kept as it was changed
        assert s.scalar(text("SELECT owner FROM activity WHERE code = 'L-1'")) == "Someone else"
    ws.migrate()
    assert ws.revision() == ws.head()
    with ws.engine.connect() as conn:
        assert "last_signed_in_at" in {c["name"] for c in inspect(conn).get_columns("person")}
        if ws.engine.dialect.name == "postgresql":
            forced = conn.execute(
                text(
                    "SELECT relrowsecurity, relforcerowsecurity FROM pg_class "
                    "WHERE oid = to_regclass('activity_change')"
                )
            ).one()
            assert tuple(forced) == (True, True)
            policies = conn.execute(
                text(
                    "SELECT policyname FROM pg_policies WHERE tablename = 'activity_change' "
                    "AND schemaname = current_schema()"
                )
            ).scalars()
            assert list(policies) == ["council_isolation"]
    assert "activity_change" in COUNCIL_TABLES
    # the history starts again empty, and is written from then on
    assert changes(ws, "Leeds", "L-1") == []
    with unit_of_work(ws, write=True, council="Leeds", by="leeds admin") as ctx:
        activities.edit_activity(ctx, "L-1", {"owner": "Back again"})
    assert changes(ws, "Leeds", "L-1") == [
        ("Owner", "Someone else", "Back again", "leeds admin", "")
    ]
    ws.dispose()


# -- written by an edit and by an import ------------------------------------------------------


def test_an_import_that_changes_a_status_records_it(ws):
    with unit_of_work(ws, write=True, by="ann.lee") as ctx:
        activities.import_activities(ctx, TRACKER, "trackers/tracker.csv")
    assert changes(ws, "Bristol", "B-1") == []  # added, not changed
    with unit_of_work(ws, write=True, by="bo") as ctx:
        preview = activities.import_activities(ctx, AGAIN, "tracker.csv", preview=True)
    assert changes(ws, "Bristol", "B-1") == []  # a preview writes nothing
    assert {(c.field, c.after) for c in preview.changes} == {
        ("Status", "at_risk"),
        ("End date", "30 Jun 2027"),
    }
    with unit_of_work(ws, write=True, by="bo") as ctx:
        done = activities.import_activities(ctx, AGAIN, "trackers/tracker.csv")
    assert done.updated == 1
    assert changes(ws, "Bristol", "B-1") == [
        ("Status", "In progress", "At risk", "bo", "tracker.csv"),
        ("End date", "31 Mar 2027", "30 Jun 2027", "bo", "tracker.csv"),
    ]
    assert changes(ws, "Bristol", "B-2") == []
    with unit_of_work(ws, write=True, by="bo") as ctx:  # the same file again changes nothing
        assert activities.import_activities(ctx, AGAIN, "tracker.csv").updated == 0
    assert len(changes(ws, "Bristol", "B-1")) == 2


def test_an_edit_records_only_what_changed_and_a_blank_is_not_given(ws):
    with unit_of_work(ws, write=True, by="ann.lee") as ctx:
        activities.import_activities(ctx, TRACKER, "tracker.csv")
        activities.edit_activity(
            ctx, "b-1", {"title": "Hubs", "status": "", "owner": "Tom", "start": "01/09/2026"}
        )
    assert changes(ws, "Bristol", "B-1") == [
        ("Owner", "Ann", "Tom", "ann.lee", ""),
        ("Status", "In progress", "", "ann.lee", ""),
        ("Start date", "", "1 Sep 2026", "ann.lee", ""),
    ]


def test_the_activity_page_shows_the_change(site):
    client = site.client("ed")
    assert "No detail has been changed" in client.get("/activities/B-1").text
    form = page(client.get("/activities/B-1/edit"))
    typed = {
        name: form.find(f".//*[@id='{name}']").get("value") or ""
        for name in ("title", "theme", "owner", "start", "end")
    }
    typed["description"] = text_of(form.find(".//textarea[@id='description']"))
    typed["status"] = "at_risk"
    saved = post(client, "/activities/B-1/edit", typed, token_from="/activities/B-1/edit")
    assert saved.status_code == 303
    shown = client.get("/activities/B-1")
    table = page(shown).find(".//table[@id='changes-table']")
    assert table is not None
    rows = [[text_of(td) for td in tr.findall("td")] for tr in table.findall("tbody/tr")]
    assert [r[1:] for r in rows] == [["ed", "Status", "In progress", "At risk"]]
    assert table.find(".//time") is not None and rows[0][0]  # when, to the minute
    viewer = site.client("vi")  # anyone who reads the activity reads its changes
    assert "At risk" in text_of(by_id(viewer.get("/activities/B-1"), "changes-table"))
    leeds = site.client("lee")  # another council's activity is not found, nor its changes
    assert leeds.get("/activities/B-1").status_code == 404


# -- backup and restore ------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request, tmp_path):
    url = str(tmp_path / "t.db") if request.param == "sqlite" else request.getfixturevalue("pg_url")
    found = Workspace(url)
    init_workspace(found, empty=True)
    yield found
    found.dispose()


def _restore(ws: Workspace, data: bytes) -> backup.Restored:
    admin = Actor("restorer", Role.ADMIN, None)
    with unit_of_work(ws, write=True, actor=admin) as ctx:
        return backup.restore(ctx, data, "backup.json", replace=True)


def _backed_up(tmp_path) -> tuple[Workspace, dict]:  # type: ignore[no-untyped-def]
    source = Workspace(str(tmp_path / "source.db"))
    init_workspace(source)
    with unit_of_work(source, write=True, by="ann.lee") as ctx:
        activities.import_activities(ctx, TRACKER, "tracker.csv")
        activities.edit_activity(ctx, "B-1", {"status": "at risk", "owner": "Bo"})
    with unit_of_work(source, write=True, by="bo") as ctx:
        activities.import_activities(ctx, AGAIN, "tracker.csv")
    with unit_of_work(source, council="Bristol") as ctx:
        dump = json.loads(backup.dumps(backup.backup(ctx)))
    return source, dump


def test_a_backup_round_trip_keeps_the_history(tmp_path, target):
    source, dump = _backed_up(tmp_path)
    kept = dump["other"]["activity_change"]
    assert [(r["activity"], r["field"], r["before"], r["after"]) for r in kept][:2] == [
        ("B-1", "owner", "Ann", "Bo"),
        ("B-1", "status", "in_progress", "at_risk"),
    ]
    assert "id" not in kept[0] and "activity_id" not in kept[0]  # by the activity's id
    done = _restore(target, json.dumps(dump).encode())
    assert done.counts["activity changes"] == len(kept) == 4
    assert changes(target, "Bristol", "B-1") == changes(source, "Bristol", "B-1")
    with unit_of_work(target, council="Bristol") as ctx:
        again = backup.backup(ctx)
    assert again["other"]["activity_change"] == kept
    source.dispose()


def test_a_version_2_backup_without_the_history_still_restores(tmp_path):
    source, dump = _backed_up(tmp_path)
    del dump["other"]["activity_change"]
    dump["version"] = 2  # as a file written before activities kept their changes
    done = _restore(source, json.dumps(dump).encode())
    assert done.counts["activity changes"] == 0
    assert changes(source, "Bristol", "B-1") == []
    with unit_of_work(source, council="Bristol") as ctx:
        assert activities.show_activity(ctx, "B-1").activity.owner == "Ann"
    source.dispose()


@pytest.mark.parametrize(
    ("key", "value", "said"),
    [
        ("field", "colour", "other.activity_change[0].field: 'colour' is not a detail of an"),
        ("activity", "Z-9", "other.activity_change[0].activity: there is no activity 'Z-9'"),
        ("at", "yesterday", "other.activity_change[0].at: 'yesterday' is not a date and time"),
        ("before", None, "other.activity_change[0].before: must have a value, not null"),
    ],
)
def test_a_bad_history_row_is_refused_where_it_is(tmp_path, key, value, said):
    source, dump = _backed_up(tmp_path)
    dump["other"]["activity_change"][0][key] = value
    with pytest.raises(ImportRejected) as refused:
        _restore(source, json.dumps(dump).encode())
    assert any(said in p.message for p in refused.value.problems), refused.value.problems
    assert len(changes(source, "Bristol", "B-1")) == 4  # nothing was restored
    source.dispose()


# -- last signed in ----------------------------------------------------------------------------


def test_last_signed_in_is_shown_on_the_people_page_and_by_users_list(site, cli):
    admin = site.client()
    sign_in(admin, "ann", PASSWORD)
    rows = page(admin.get("/admin/users")).findall(".//table[@id='people']/tbody/tr")
    shown = {text_of(r.find("td")): [text_of(td) for td in r.findall("td")] for r in rows}
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d", shown["ann"][3]), shown["ann"]
    assert page(admin.get("/admin/users")).find(".//table[@id='people']//time") is not None
    assert shown["ed"][3] == "Never"  # ed's browser was given a session, not signed in
    db = str(site.ws.engine.url.database)
    code, out, _ = cli("--council", "Bristol", "users", "list", db=db)
    assert code == 0
    lines = {line.split("\t")[0]: line.split("\t") for line in out.splitlines()}
    assert lines["ann"][-1][:4].isdigit() and lines["ed"][-1] == "never"


def test_a_failed_sign_in_notes_nothing_and_a_second_within_a_minute_writes_nothing(site):
    client = site.client()
    token = page(client.get("/login")).find(".//input[@name='csrf_token']").get("value")
    refused = client.post(
        "/login", data={"username": "ed", "password": "not it at all", "csrf_token": token}
    )
    assert refused.status_code == 401
    with site.ws.session(all_councils=True) as s:
        assert s.scalar(select(PersonRow.last_signed_in_at).where(PersonRow.name == "ed")) is None
    first = datetime(2026, 12, 6, 10, 2, tzinfo=UTC)
    with site.ws.session(all_councils=True) as s:
        ed = site.people["ed"]
        people.note_signed_in(s, ed, first)
        people.note_signed_in(s, ed, first + timedelta(seconds=30))  # within the minute
        assert s.get(PersonRow, ed).last_signed_in_at == first
        people.note_signed_in(s, ed, first + timedelta(minutes=5))
        people.note_signed_in(s, None, first)  # no one: nothing
    with unit_of_work(site.ws, as_person="ann") as ctx:
        found = {p.name: p.last_signed_in_at for p in people.list_people(ctx)}
    assert found["ed"] == first + timedelta(minutes=5) and found["vi"] is None
