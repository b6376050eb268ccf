"""Each council's programme is its own: its Themes and Sub-Themes, and where it places each
measure of the shared catalogue in them.

Two councils on one server rate the same measures, but each places them in its own programme:
Leeds' appendix, placing measures in Leeds' themes, is Leeds' to import and never shows on
Bristol's pages; Bristol's programme never shows on Leeds'. A council's backup carries its
programme, and an upgrade gives the programme a workspace had to the council it belonged to.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from valvecheck.catalogue.loader import load_catalogue
from valvecheck.services import backup, catalogue, measures
from valvecheck.services.workspace import init_workspace, unit_of_work
from valvecheck.store import repository as repo
from valvecheck.store.db import Workspace
from valvecheck.store.models import CouncilRow, PlacementRow, ThemeRow

BUNDLED = load_catalogue()
TEXT = {m.id: m.text for m in BUNDLED.measures}


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
    ("Stoke-on-Trent", TEXT["stoke-on-trent-5"], "Inclusion in mainstream", "Outreach"),
)


@pytest.fixture
def two(db_path: str) -> Iterator[Workspace]:
    """Bristol (the seed's council: the bundled programme) and Leeds, with its own appendix."""
    ws = Workspace(db_path)
    init_workspace(ws, council="Leeds")
    with unit_of_work(ws, write=True, council="Leeds", by="leeds admin") as ctx:
        done = catalogue.import_catalogue(ctx, LEEDS_APPENDIX, "leeds-appendix.csv")
    assert done.added["placements"] == 3 and done.added["measures"] == 0
    yield ws
    ws.dispose()


def placed(ws: Workspace, council: str) -> dict[str, tuple[tuple[str, str | None], ...]]:
    """Each placed measure's placements, as ``council``'s pages read them."""
    with unit_of_work(ws, council=council, by="reader") as ctx:
        state = measures.load_state(ctx)
    return {
        v.id: tuple((p.theme, p.sub_theme) for p in v.measure.placements)
        for v in state.views
        if v.measure.placements
    }


def programme(ws: Workspace, council: str) -> list[str]:
    with unit_of_work(ws, council=council, by="reader") as ctx:
        return list(measures.load_state(ctx).catalogue.programme.themes)


def bundled_placements() -> dict[str, tuple[tuple[str, str | None], ...]]:
    return {
        m.id: tuple((p.theme, p.sub_theme) for p in m.placements)
        for m in BUNDLED.measures
        if m.placements
    }


def test_each_council_places_the_shared_measures_in_its_own_programme(two):
    assert placed(two, "Leeds") == {
        "bury-3": (("Sufficiency", "Local places"),),
        "bury-4": (("Inclusion in mainstream", None),),
        "stoke-on-trent-5": (("Inclusion in mainstream", "Outreach"),),
    }
    assert programme(two, "Leeds") == ["Sufficiency", "Inclusion in mainstream"]
    # Bristol's programme and placements are the bundled ones, untouched by Leeds' appendix
    assert placed(two, "Bristol") == bundled_placements()
    assert programme(two, "Bristol") == list(BUNDLED.programme.themes)
    assert "Sufficiency" not in programme(two, "Bristol")


def test_a_second_import_of_the_same_appendix_adds_nothing(two):
    with unit_of_work(two, write=True, council="Leeds", by="leeds admin") as ctx:
        again = catalogue.import_catalogue(ctx, LEEDS_APPENDIX, "leeds-appendix.csv")
    assert again.added["placements"] == 0
    with two.session(all_councils=True) as s:
        leeds = s.scalar(select(CouncilRow.id).where(CouncilRow.name == "Leeds"))
        assert s.scalar(select(func.count()).where(PlacementRow.council_id == leeds)) == 3
        assert s.scalar(select(func.count()).where(ThemeRow.council_id == leeds)) == 2


def test_a_theme_retyped_in_another_case_is_the_councils_theme_already_there(two):
    retyped = table(("Bury", TEXT["bury-5"], "SUFFICIENCY", "local places"))
    with unit_of_work(two, write=True, council="Leeds", by="leeds admin") as ctx:
        catalogue.import_catalogue(ctx, retyped, "more.csv")
    assert placed(two, "Leeds")["bury-5"] == (("Sufficiency", "Local places"),)
    assert programme(two, "Leeds") == ["Sufficiency", "Inclusion in mainstream"]


def test_two_councils_may_each_have_a_theme_of_the_same_name(two):
    bristol_theme = BUNDLED.programme.pairs()[0].theme
    same = table(("Bury", TEXT["bury-1"], bristol_theme, ""))
    with unit_of_work(two, write=True, council="Leeds", by="leeds admin") as ctx:
        catalogue.import_catalogue(ctx, same, "same-name.csv")
    assert placed(two, "Leeds")["bury-1"] == ((bristol_theme, None),)
    assert placed(two, "Bristol") == bundled_placements()


def test_a_councils_summary_export_shows_its_own_placements_only(two):
    with unit_of_work(two, council="Leeds", by="reader") as ctx:
        from valvecheck.services import summary

        rows = {r["id"]: r for r in json.loads(summary.export(ctx, "json"))["measures"]}
    assert rows["bury-3"]["themes"] == ["Sufficiency"]
    assert rows["bury-1"]["themes"] == []  # Bristol places it; Leeds does not


def test_a_councils_backup_carries_its_own_programme_and_restores_it(two, tmp_path):
    with unit_of_work(two, council="Leeds", by="leeds admin") as ctx:
        dump = backup.backup(ctx)
    themes = dump["catalogue"]["theme"]
    assert [t["name"] for t in themes] == ["Sufficiency", "Inclusion in mainstream"]
    assert all(
        "council_id" not in row
        for t in ("theme", "sub_theme", "placement")
        for row in dump["catalogue"][t]
    )
    assert len(dump["catalogue"]["placement"]) == 3
    data = backup.dumps(dump)

    # Leeds places another measure, then restores the backup: its programme is the file's again
    with unit_of_work(two, write=True, council="Leeds", by="leeds admin") as ctx:
        catalogue.import_catalogue(ctx, table(("Bury", TEXT["bury-5"], "Later", "")), "l.csv")
    assert "Later" in programme(two, "Leeds")
    with unit_of_work(two, write=True, council="Leeds", by="leeds admin") as ctx:
        backup.restore(ctx, data, "leeds.json", replace=True)
    assert programme(two, "Leeds") == ["Sufficiency", "Inclusion in mainstream"]
    assert "bury-5" not in placed(two, "Leeds") and len(placed(two, "Leeds")) == 3
    assert placed(two, "Bristol") == bundled_placements()

    # onto a server with no catalogue: the catalogue is written, and Leeds' programme with it
    fresh = Workspace(f"sqlite:///{tmp_path / 'fresh.db'}")
    init_workspace(fresh, empty=True)
    with unit_of_work(fresh, write=True, by="admin") as ctx:
        backup.restore(ctx, data, "leeds.json")
    assert placed(fresh, "Leeds") == placed(two, "Leeds")
    fresh.dispose()


def test_a_backup_placing_measures_the_server_lacks_is_refused_naming_them(two, tmp_path):
    with unit_of_work(two, council="Leeds", by="leeds admin") as ctx:
        dump = backup.backup(ctx)
    other = Workspace(f"sqlite:///{tmp_path / 'other.db'}")
    init_workspace(other, empty=True, council="Elsewhere")
    small = table(("Bury", TEXT["bury-1"], "", ""))  # a catalogue of one agreement's measure
    with unit_of_work(other, write=True, by="admin") as ctx:
        catalogue.import_catalogue(ctx, small, "small.csv")
    from valvecheck.errors import Conflict

    with (
        unit_of_work(other, write=True, by="admin") as ctx,
        pytest.raises(Conflict, match="rates or places .*stoke-on-trent-5"),
    ):
        backup.restore(ctx, backup.dumps(dump), "leeds.json")
    other.dispose()


def test_the_data_package_carries_the_exporting_councils_programme(two):
    with unit_of_work(two, council="Leeds", by="reader") as ctx:
        files = catalogue.export_package(ctx)
    rows = list(csv.DictReader(io.StringIO(files["programme.csv"].decode())))
    assert {r["theme"] for r in rows} == {"Sufficiency", "Inclusion in mainstream"}
    with unit_of_work(two, council="Bristol", by="reader") as ctx:
        files = catalogue.export_package(ctx)
    rows = list(csv.DictReader(io.StringIO(files["programme.csv"].decode())))
    assert {r["theme"] for r in rows} == set(BUNDLED.programme.themes)


def test_a_plain_catalogue_with_placements_into_an_empty_workspace_makes_its_council(empty_ws):
    with unit_of_work(empty_ws, write=True, by="admin") as ctx:
        assert ctx.actor.council_id is None
        catalogue.import_catalogue(ctx, LEEDS_APPENDIX, "appendix.csv")
    # numbered as the file numbers them: the workspace had no agreement to match
    assert placed(empty_ws, "My council") == {
        "bury-1": (("Sufficiency", "Local places"),),
        "bury-2": (("Inclusion in mainstream", None),),
        "stoke-on-trent-1": (("Inclusion in mainstream", "Outreach"),),
    }


def test_the_shared_catalogue_alone_has_no_programme(two):
    with two.session(all_councils=True) as s:
        shared = repo.load_catalogue(s, None)
    assert not shared.programme.themes and not any(m.placements for m in shared.measures)


# -- upgrading a workspace from before programmes were a council's (0016) -----------------------


def rows(path: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(query).fetchall()


@pytest.mark.sqlite_only
def test_upgrading_gives_the_programme_to_the_council_it_belonged_to(tmp_path):
    path = tmp_path / "w.db"
    ws = Workspace(str(path))
    init_workspace(ws, council="Leeds")
    themes = len(BUNDLED.programme.themes)
    ws.downgrade("0015")
    assert rows(path, "SELECT count(*) FROM theme") == [(themes,)]
    ws.migrate()
    assert rows(
        path,
        "SELECT council.name, count(*) FROM theme JOIN council ON council.id = theme.council_id "
        "GROUP BY council.name",
    ) == [("Bristol", themes)]
    assert placed(ws, "Bristol") == bundled_placements()
    assert placed(ws, "Leeds") == {}
    ws.dispose()


@pytest.mark.sqlite_only
def test_upgrading_a_programme_with_no_council_gives_it_the_council_an_import_would(tmp_path):
    path = tmp_path / "w.db"
    ws = Workspace(str(path))
    init_workspace(ws, empty=True)
    ws.downgrade("0015")
    with ws.engine.begin() as conn:
        conn.execute(text("INSERT INTO theme (name, position) VALUES ('Inclusion', 0)"))
    ws.migrate()
    assert rows(
        path, "SELECT council.name FROM theme JOIN council ON council.id = theme.council_id"
    ) == [("My council",)]
    ws.dispose()
