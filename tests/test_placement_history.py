"""Where a council places each measure in its programme keeps its history (migration 0017,
placement_event): who placed it or took a placement away, when, where (the theme and sub-theme
as then named) and the file an import placed it from; only the council's own, shown on the
measure's page, by `show` and in the API, kept in a backup, rewritten when a person is
forgotten."""

# ruff: noqa: F811 (the tests take the imported fixtures as parameters)

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from api_support import app_for, token, two_councils
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from web_support import (
    by_id,
    page,
    post,
    site,  # noqa: F401 (a fixture)
    site_template,  # noqa: F401 (a fixture)
)
from web_support import text as text_of

from valvecheck.catalogue.loader import load_catalogue
from valvecheck.domain.model import Placement
from valvecheck.domain.people import Role
from valvecheck.errors import ImportRejected, NotFound
from valvecheck.services import backup, catalogue, forget, measures, people, programme
from valvecheck.services.context import Actor
from valvecheck.services.workspace import init_workspace, unit_of_work
from valvecheck.store.db import Workspace
from valvecheck.store.models import COUNCIL_TABLES, PersonRow, PlacementEventRow

BUNDLED = load_catalogue()
TEXT = {m.id: m.text for m in BUNDLED.measures}
FIRST = next(iter(BUNDLED.programme.themes))  # bury-3 is placed in it alone (the seed's)
MEASURE = "bury-3"
NOON = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def table(*rows: tuple[str, str, str, str]) -> bytes:
    """A catalogue table: LA, Recommendation (a measure's text, word for word), Theme, Sub-Theme."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["LA", "Recommendation", "Theme", "Sub-Theme"])
    writer.writerows(rows)
    return out.getvalue().encode()


LEEDS_APPENDIX = table(
    ("Bury", TEXT["bury-3"], "Sufficiency", "Local places"),
    ("Bury", TEXT["bury-4"], "Inclusion in mainstream", ""),
)

Entry = tuple[str, str, str | None, str, str]  # change, theme, sub-theme, by, file


def history(ws: Workspace, council: str, measure: str = MEASURE) -> list[Entry]:
    """The measure's history of placements in ``council``'s programme, oldest first."""
    with unit_of_work(ws, council=council, by="reader") as ctx:
        return [
            (c.change, c.placement.theme, c.placement.sub_theme, c.by, c.file)
            for c in programme.placement_history(ctx, measure)
        ]


def events(ws: Workspace) -> int:
    """Every council's placement events (the maintenance session)."""
    with ws.session(all_councils=True) as s:
        return int(s.scalar(select(func.count()).select_from(PlacementEventRow)) or 0)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[datetime]]:
    """The units of work's clock, one moment a unit (the list, to move it on)."""
    moments = [NOON]
    monkeypatch.setattr("valvecheck.services.workspace.utc_now", lambda: moments[-1])
    yield moments


@pytest.fixture
def team(ws: Workspace) -> Workspace:
    """Bristol (the seed's council) with an editor and an admin, and Leeds."""
    with unit_of_work(ws, write=True, council="Bristol", by="setup") as ctx:
        people.add_council(ctx, "Leeds")
        people.add_person(ctx, "ed", "editor")
        people.add_person(ctx, "ann", "admin")
    return ws


# -- written by place and unplace --------------------------------------------------------------


def test_placing_and_taking_away_are_kept_with_who_and_when(team, clock):
    assert history(team, "Bristol") == []  # the seed's placements have no history
    with unit_of_work(team, write=True, as_person="ed") as ctx:
        programme.place(ctx, MEASURE, "Sufficiency", "Local places")
    clock.append(NOON + timedelta(hours=2))
    with unit_of_work(team, write=True, as_person="ann") as ctx:
        programme.unplace(ctx, MEASURE, "SUFFICIENCY", "local places")  # named as it is
    with unit_of_work(team, council="Bristol", by="reader") as ctx:
        found = programme.placement_history(ctx, MEASURE)
    assert [(c.change, c.placement, c.by, c.file) for c in found] == [
        ("placed", Placement("Sufficiency", "Local places"), "ed", ""),
        ("removed", Placement("Sufficiency", "Local places"), "ann", ""),
    ]
    assert [c.at for c in found] == [NOON, NOON + timedelta(hours=2)]
    assert all(c.at.utcoffset() == timedelta(0) for c in found)  # aware, in UTC
    # the theme and sub-theme went with their last placement; their history stays
    with unit_of_work(team, council="Bristol", by="reader") as ctx:
        assert "Sufficiency" not in measures.load_state(ctx).catalogue.programme.themes


def test_placing_where_it_is_placed_already_records_nothing(team):
    with unit_of_work(team, write=True, as_person="ed") as ctx:
        assert programme.place(ctx, MEASURE, "Sufficiency").changed
        assert not programme.place(ctx, MEASURE, " sufficiency ").changed
        assert not programme.place(ctx, MEASURE, FIRST.upper()).changed  # the seed's placement
    assert history(team, "Bristol") == [("placed", "Sufficiency", None, "ed", "")]
    # nor does taking away a placement it has not got
    with (
        pytest.raises(NotFound),
        unit_of_work(team, write=True, as_person="ed") as ctx,
    ):
        programme.unplace(ctx, MEASURE, "Sufficiency", "Local places")
    assert events(team) == 1


def test_a_theme_left_empty_has_no_entry_of_its_own(team):
    with unit_of_work(team, write=True, as_person="ed") as ctx:
        programme.place(ctx, MEASURE, "Hubs", "North")
        done = programme.unplace(ctx, MEASURE, "Hubs", "North")
    assert done.dropped == ("Hubs > North", "Hubs")
    assert events(team) == 2
    assert [e[0] for e in history(team, "Bristol")] == ["placed", "removed"]


# -- written by imports --------------------------------------------------------------------------


def test_an_import_records_each_placement_it_adds_naming_the_file(team):
    with unit_of_work(team, write=True, council="Leeds", by="leeds admin") as ctx:
        done = catalogue.import_catalogue(ctx, LEEDS_APPENDIX, "appendices/leeds-appendix.csv")
    assert done.added["placements"] == 2
    assert history(team, "Leeds") == [
        ("placed", "Sufficiency", "Local places", "leeds admin", "leeds-appendix.csv")
    ]
    assert history(team, "Leeds", "bury-4") == [
        ("placed", "Inclusion in mainstream", None, "leeds admin", "leeds-appendix.csv")
    ]
    # the same file again, its themes typed another way, places nothing new: nothing recorded
    again = LEEDS_APPENDIX.replace(b"Local places", b"LOCAL PLACES")
    with unit_of_work(team, write=True, council="Leeds", by="leeds admin") as ctx:
        assert catalogue.import_catalogue(ctx, again, "leeds-appendix.csv").added["placements"] == 0
    assert events(team) == 2
    # a preview writes nothing
    extra = table(("Bury", TEXT["bury-5"], "Sufficiency", ""))
    with unit_of_work(team, write=True, council="Leeds", by="leeds admin") as ctx:
        catalogue.import_catalogue(ctx, extra, "extra.csv", preview=True)
    assert events(team) == 2


def test_a_data_package_import_records_its_placements_by_the_importer(team, tmp_path: Path):
    with unit_of_work(team, write=True, council="Leeds", by="leeds admin") as ctx:
        catalogue.import_catalogue(ctx, LEEDS_APPENDIX, "leeds-appendix.csv")
    with unit_of_work(team, council="Leeds", by="leeds admin") as ctx:
        files = catalogue.export_package(ctx)
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    with unit_of_work(team, write=True, council="Bristol", by="setup") as ctx:
        people.add_council(ctx, "York")
    with unit_of_work(team, write=True, council="York", by="york admin") as ctx:
        done = catalogue.import_package(ctx, tmp_path / "datapackage.json")
    assert done.added["placements"] == 2
    assert history(team, "York") == [
        ("placed", "Sufficiency", "Local places", "york admin", "datapackage.json")
    ]


# -- each council's own --------------------------------------------------------------------------


def test_another_councils_history_is_never_shown(team):
    with unit_of_work(team, write=True, council="Leeds", by="leeds admin") as ctx:
        catalogue.import_catalogue(ctx, LEEDS_APPENDIX, "leeds-appendix.csv")
        programme.unplace(ctx, MEASURE, "Sufficiency", "Local places")
    with unit_of_work(team, write=True, as_person="ed") as ctx:
        programme.place(ctx, MEASURE, "Hubs")
    assert [e[0:2] for e in history(team, "Leeds")] == [
        ("placed", "Sufficiency"),
        ("removed", "Sufficiency"),
    ]
    assert history(team, "Bristol") == [("placed", "Hubs", None, "ed", "")]
    with unit_of_work(team, council="Bristol", by="reader") as ctx:
        shown = measures.measure_page(ctx, MEASURE).placement_history
    assert [(c.change, c.placement.theme, c.by) for c in shown] == [("placed", "Hubs", "ed")]


def test_the_command_line_shows_the_history_newest_first(cli, ws):
    assert "History of placements" not in cli("show", MEASURE)[1]  # none yet: no lines
    assert cli("place", MEASURE, "--theme", "Hubs", "--sub-theme", "North", "--by", "ann")[0] == 0
    assert cli("place", MEASURE, "--theme", "hubs", "--sub-theme", "north", "--by", "bo")[0] == 0
    assert cli("unplace", MEASURE, "--theme", "Hubs", "--sub-theme", "North", "--by", "bo")[0] == 0
    code, out, _ = cli("show", MEASURE)
    assert code == 0
    lines = out.splitlines()
    start = lines.index("History of placements in the programme (newest first):")
    listed = lines[start + 1 : start + 3]
    assert listed[0].endswith(" bo removed it from 'Hubs > North'")
    assert listed[1].endswith(" ann placed it in 'Hubs > North'")
    assert not lines[start + 3].startswith("  ")  # placing it again wrote nothing
    assert listed[0].strip()[:4].isdigit()  # when, on the clock in England


def test_the_api_carries_the_councils_own_history(db_path):
    ws = two_councils(db_path)
    secrets = {
        "bristol": token(ws, "Bristol", "dash", "editor"),
        "leeds": token(ws, "Leeds", "leeds-dash", "viewer"),
    }
    with TestClient(app_for(ws)) as client:

        def as_(who: str) -> dict[str, str]:
            return {"Authorization": f"Bearer {secrets[who]}"}

        url = f"/api/measures/{MEASURE}"
        made = client.post(f"{url}/placements", json={"theme": "Hubs"}, headers=as_("bristol"))
        assert made.status_code == 201, made.text
        read = client.get(url, headers=as_("bristol")).json()
        assert [
            (h["change"], h["theme"], h["sub_theme"], h["by"], h["file"])
            for h in read["placement_history"]
        ] == [("placed", "Hubs", None, "dash (API token)", "")]
        assert datetime.fromisoformat(read["placement_history"][0]["at"]).utcoffset() is not None
        assert client.get(url, headers=as_("leeds")).json()["placement_history"] == []
    ws.dispose()


# -- forgetting a person -----------------------------------------------------------------------


def test_forgetting_a_person_rewrites_their_name_in_the_history(team):
    with unit_of_work(team, write=True, as_person="ed") as ctx:
        programme.place(ctx, MEASURE, "Hubs")
    with unit_of_work(team, write=True, council="Leeds", by="ed") as ctx:  # Leeds' own "ed"
        programme.place(ctx, MEASURE, "Leeds hubs")
    with unit_of_work(team, write=True, as_person="ann") as ctx:
        people.deactivate(ctx, "ed")
    with team.session(all_councils=True) as s:
        ed = s.scalar(select(PersonRow.id).where(PersonRow.name == "ed"))
    with unit_of_work(team, write=True, as_person="ann") as ctx:
        done = forget.forget_person(ctx, int(ed))
    assert done.records == {"placement changes": 1}
    assert history(team, "Bristol") == [("placed", "Hubs", None, done.pseudonym, "")]
    assert history(team, "Leeds") == [("placed", "Leeds hubs", None, "ed", "")]  # untouched


# -- backups -----------------------------------------------------------------------------------


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


def _backed_up(tmp_path: Path) -> tuple[Workspace, dict]:  # type: ignore[type-arg]
    """Leeds with a programme imported, a placement taken away and one made by hand."""
    source = two_councils(str(tmp_path / "source.db"))
    with unit_of_work(source, write=True, council="Leeds", by="leeds admin") as ctx:
        catalogue.import_catalogue(ctx, LEEDS_APPENDIX, "leeds-appendix.csv")
    with unit_of_work(source, write=True, as_person="lee") as ctx:
        programme.unplace(ctx, MEASURE, "Sufficiency", "Local places")
        programme.place(ctx, MEASURE, "Inclusion in mainstream")
    with unit_of_work(source, write=True, council="Bristol", by="bristol admin") as ctx:
        programme.place(ctx, MEASURE, "Bristol's own")  # never in Leeds' backup
    with unit_of_work(source, council="Leeds") as ctx:
        dump = json.loads(backup.dumps(backup.backup(ctx)))
    return source, dump


def test_a_backup_round_trip_keeps_the_history(tmp_path, target):
    source, dump = _backed_up(tmp_path)
    kept = dump["other"]["placement_event"]
    assert [(r["measure"], r["change"], r["theme"], r["by"], r["file"]) for r in kept] == [
        ("bury-3", "placed", "Sufficiency", "leeds admin", "leeds-appendix.csv"),
        ("bury-4", "placed", "Inclusion in mainstream", "leeds admin", "leeds-appendix.csv"),
        ("bury-3", "removed", "Sufficiency", "lee", ""),
        ("bury-3", "placed", "Inclusion in mainstream", "lee", ""),
    ]
    assert "id" not in kept[0] and "measure_id" not in kept[0]  # by the measure's id
    done = _restore(target, json.dumps(dump).encode())
    assert done.counts["placement changes"] == 4
    assert history(target, "Leeds") == history(source, "Leeds")
    with unit_of_work(target, council="Leeds") as ctx:
        again = json.loads(backup.dumps(backup.backup(ctx)))
    assert again["other"]["placement_event"] == kept
    source.dispose()


def test_a_backup_written_before_placements_kept_history_still_restores(tmp_path):
    source, dump = _backed_up(tmp_path)
    del dump["other"]["placement_event"]
    done = _restore(source, json.dumps(dump).encode())
    assert done.counts["placement changes"] == 0
    assert history(source, "Leeds") == []
    assert history(source, "Bristol") == [("placed", "Bristol's own", None, "bristol admin", "")]
    with unit_of_work(source, council="Leeds", by="reader") as ctx:  # the programme is back
        placed = measures.show_measure(ctx, MEASURE).measure.placements
    assert placed == (Placement("Inclusion in mainstream"),)
    source.dispose()


def test_a_format_2_backup_keeps_the_programme_here_and_its_history(tmp_path):
    """A format 2 file's programme was the server's: restored over a council on a server with a
    catalogue, the council's programme stays as it is, and so does the programme's history."""
    source, dump = _backed_up(tmp_path)
    before = history(source, "Leeds")
    dump["version"] = 2
    del dump["other"]["placement_event"]
    _restore(source, json.dumps(dump).encode())
    assert history(source, "Leeds") == before
    source.dispose()


@pytest.mark.parametrize(
    ("key", "value", "said"),
    [
        ("change", "moved", "other.placement_event[0].change: 'moved' is not a change of a"),
        ("measure", "nope-9", "other.placement_event[0].measure: there is no measure 'nope-9'"),
        ("theme", " ", "other.placement_event[0].theme: is blank"),
        ("at", "yesterday", "other.placement_event[0].at: 'yesterday' is not a date and time"),
        ("by", None, "other.placement_event[0].by: must have a value, not null"),
    ],
)
def test_a_bad_history_row_is_refused_where_it_is(tmp_path, key, value, said):
    source, dump = _backed_up(tmp_path)
    dump["other"]["placement_event"][0][key] = value
    with pytest.raises(ImportRejected) as refused:
        _restore(source, json.dumps(dump).encode())
    assert any(said in p.message for p in refused.value.problems), refused.value.problems
    assert len(history(source, "Leeds")) == 3  # nothing was restored
    source.dispose()


# -- migration 0017 ----------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "m.db")
    return request.getfixturevalue("pg_url")


def test_migration_0017_upgrades_a_0016_database(url):
    ws = two_councils(url)
    with unit_of_work(ws, write=True, council="Leeds", by="leeds admin") as ctx:
        catalogue.import_catalogue(ctx, LEEDS_APPENDIX, "leeds-appendix.csv")
    ws.downgrade("0016")
    with ws.engine.connect() as conn:
        assert not ws.engine.dialect.has_table(conn, "placement_event")
    with ws.session(all_councils=True) as s:  # the placements themselves are kept
        leeds = (
            "SELECT count(*) FROM placement JOIN council ON council.id = placement.council_id "
            "WHERE council.name = 'Leeds'"
        )
        assert s.scalar(text(leeds)) == 2
    ws.migrate()
    assert ws.revision() == ws.head()
    with ws.engine.connect() as conn:
        if ws.engine.dialect.name == "postgresql":
            forced = conn.execute(
                text(
                    "SELECT relrowsecurity, relforcerowsecurity FROM pg_class "
                    "WHERE oid = to_regclass('placement_event')"
                )
            ).one()
            assert tuple(forced) == (True, True)
            policies = conn.execute(
                text(
                    "SELECT policyname FROM pg_policies WHERE tablename = 'placement_event' "
                    "AND schemaname = current_schema()"
                )
            ).scalars()
            assert list(policies) == ["council_isolation"]
    assert "placement_event" in COUNCIL_TABLES
    # the history starts empty, and is written from then on
    assert history(ws, "Leeds") == []
    with unit_of_work(ws, write=True, council="Leeds", by="leeds admin") as ctx:
        programme.unplace(ctx, MEASURE, "Sufficiency", "Local places")
    assert history(ws, "Leeds") == [("removed", "Sufficiency", "Local places", "leeds admin", "")]
    ws.dispose()


# -- the measure's page --------------------------------------------------------------------------


def listed(response) -> list[str]:  # type: ignore[no-untyped-def]
    found = by_id(response, "placement-history-list")
    return [] if found is None else [text_of(li) for li in found.iter("li")]


def test_a_long_history_shows_the_newest_five_and_the_rest_one_click_away(site):
    with unit_of_work(site.ws, write=True, council="Bristol", by="ann") as ctx:
        for n in range(4):  # eight changes: placed and removed, four times
            programme.place(ctx, MEASURE, f"Theme {n}")
            programme.unplace(ctx, MEASURE, f"Theme {n}")
    shown = site.client("ed").get(f"/measures/{MEASURE}")
    assert [e.split(": ", 1)[1] for e in listed(shown)] == [
        "ann removed it from ‘Theme 3’",
        "ann placed it in ‘Theme 3’",
        "ann removed it from ‘Theme 2’",
        "ann placed it in ‘Theme 2’",
        "ann removed it from ‘Theme 1’",
    ]
    earlier = by_id(shown, "placement-history-earlier")
    assert earlier is not None and earlier.tag == "details"
    assert text_of(earlier.find(".//summary")) == "Show 3 earlier changes"
    rest = by_id(shown, "placement-history-earlier-list")
    assert rest is not None
    assert [text_of(li).split(": ", 1)[1] for li in rest.iter("li")] == [
        "ann placed it in ‘Theme 1’",
        "ann removed it from ‘Theme 0’",
        "ann placed it in ‘Theme 0’",
    ]


def test_the_measures_page_lists_the_history_newest_first(site):
    ed = site.client("ed")
    shown = ed.get(f"/measures/{MEASURE}")
    assert "History of placements in your programme" in text_of(by_id(shown, "placement-history"))
    assert listed(shown) == []
    assert "No placement of this measure" in text_of(page(shown).find(".//main"))
    for path, theme in (("placements", "Hubs"), ("placements/remove", "Hubs")):
        sent = post(
            ed, f"/measures/{MEASURE}/{path}", {"theme": theme}, token_from=f"/measures/{MEASURE}"
        )
        assert sent.status_code == 303
    with unit_of_work(site.ws, write=True, council="Leeds", by="lee") as ctx:
        programme.place(ctx, MEASURE, "Leeds hubs")
    after = ed.get(f"/measures/{MEASURE}")
    entries = listed(after)
    assert [e.split(": ", 1)[1] for e in entries] == [
        "ed removed it from ‘Hubs’",
        "ed placed it in ‘Hubs’",
    ]
    found = by_id(after, "placement-history-list")
    assert found is not None and found.find(".//time") is not None  # when, to the minute
    # a viewer reads it too; Leeds reads only its own
    assert listed(site.client("vi").get(f"/measures/{MEASURE}")) == entries
    leeds = listed(site.client("les").get(f"/measures/{MEASURE}"))
    assert [e.split(": ", 1)[1] for e in leeds] == ["lee placed it in ‘Leeds hubs’"]
