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
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from valvecheck.catalogue.loader import load_catalogue
from valvecheck.domain.model import Catalogue, Measure, Placement, PlacementChange, Programme
from valvecheck.domain.views import AssessmentState, Filters, programme_before
from valvecheck.errors import Conflict, InputError
from valvecheck.services import backup, catalogue, measures
from valvecheck.services.measures import list_measures
from valvecheck.services.workspace import init_workspace, unit_of_work
from valvecheck.store import repository as repo
from valvecheck.store.db import Workspace
from valvecheck.store.models import CouncilRow, MeasureRow, PlacementRow, ThemeRow

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


def test_a_restore_over_a_council_with_only_a_programme_asks_for_replace_first(two):
    """A programme is the council's data: a restore that would replace it is refused without
    --replace, saying so, as for ratings and people."""
    with unit_of_work(two, council="Leeds", by="leeds admin") as ctx:
        dump = backup.backup(ctx)
    dump["council"]["name"] = "York"  # a council whose only data is its programme
    with unit_of_work(two, write=True, council="Bristol", by="admin") as ctx:
        from valvecheck.services import people

        people.add_council(ctx, "York")
    with unit_of_work(two, write=True, council="York", by="york admin") as ctx:
        catalogue.import_catalogue(ctx, table(("Bury", TEXT["bury-1"], "York's", "")), "y.csv")
    with (
        unit_of_work(two, write=True, council="Bristol", by="admin") as ctx,
        pytest.raises(
            Conflict,
            match="York has 0 rating changes, 0 people, 0 link changes and 1 placement now",
        ) as refused,
    ):
        backup.restore(ctx, backup.dumps(dump), "york.json")
    assert refused.value.reason == "replaces-data"
    assert placed(two, "York") == {"bury-1": (("York's", None),)}
    with unit_of_work(two, write=True, council="Bristol", by="admin") as ctx:
        done = backup.restore(ctx, backup.dumps(dump), "york.json", replace=True)
    assert done.counts["placements"] == 3 and placed(two, "York") == placed(two, "Leeds")


def test_a_backup_from_before_programmes_were_a_councils_leaves_the_programme_here(two, tmp_path):
    """A format 2 file's programme was the server's one programme, which older versions wrote
    only into a server with no catalogue: restoring it over a council here leaves the council's
    programme as it is; onto a server with no catalogue it is written, as the council's."""
    with unit_of_work(two, council="Bristol", by="admin") as ctx:
        old = backup.backup(ctx)
    old["version"] = 2
    old["council"]["name"] = "Leeds"  # a guest council's old file held the host's programme
    old["people"] = []
    with unit_of_work(two, write=True, council="Bristol", by="admin") as ctx:
        done = backup.restore(ctx, backup.dumps(old), "old.json", replace=True)
    assert done.counts["placements"] == 0
    assert programme(two, "Leeds") == ["Sufficiency", "Inclusion in mainstream"]  # as it was
    fresh = Workspace(f"sqlite:///{tmp_path / 'fresh.db'}")
    init_workspace(fresh, empty=True)
    with unit_of_work(fresh, write=True, by="admin") as ctx:
        backup.restore(ctx, backup.dumps(old), "old.json")
    assert placed(fresh, "Leeds") == bundled_placements()
    fresh.dispose()


def test_a_restored_programme_is_what_a_server_shows_next_though_its_ids_are_the_same(two):
    """A server keeps each council's state while its rows' counts and highest ids are unchanged:
    a restore rewriting the programme with as many rows must still be seen (SQLite would use the
    same ids again)."""
    with unit_of_work(two, council="Leeds", by="leeds admin") as ctx:
        dump = backup.backup(ctx)
    assert placed(two, "Leeds")["bury-3"] == (("Sufficiency", "Local places"),)  # kept now
    for row in dump["catalogue"]["theme"]:
        row["name"] = row["name"].upper() + " (RENAMED)"
    with unit_of_work(two, write=True, council="Bristol", by="admin") as ctx:
        backup.restore(ctx, backup.dumps(dump), "renamed.json", replace=True)
    assert placed(two, "Leeds")["bury-3"] == (("SUFFICIENCY (RENAMED)", "Local places"),)


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        ("cross", r"catalogue\.placement\[0\]\.sub_theme_id: \d+ is a sub-theme of theme"),
        ("case", r"catalogue\.theme\[1\]\.name: 'SUFFICIENCY' is already at"),
    ],
)
def test_a_hand_edited_programme_that_breaks_its_own_rules_is_refused(two, edit, problem):
    from valvecheck.errors import ImportRejected

    with unit_of_work(two, council="Leeds", by="leeds admin") as ctx:
        dump = backup.backup(ctx)
    themes, subs = dump["catalogue"]["theme"], dump["catalogue"]["sub_theme"]
    placements = dump["catalogue"]["placement"]
    if edit == "cross":  # placed under a theme, with a sub-theme of the other theme
        other = next(t["id"] for t in themes if t["id"] != subs[0]["theme_id"])
        placements[0].update(theme_id=other, sub_theme_id=subs[0]["id"])
    else:  # two themes whose names differ only in case
        themes[1]["name"] = themes[0]["name"].upper()
    before = placed(two, "Leeds")
    with (
        unit_of_work(two, write=True, council="Bristol", by="admin") as ctx,
        pytest.raises(ImportRejected) as refused,
    ):
        backup.restore(ctx, backup.dumps(dump), "edited.json", replace=True)
    assert any(re.search(problem, p.message) for p in refused.value.problems), [
        p.message for p in refused.value.problems
    ]
    assert placed(two, "Leeds") == before


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
        pytest.raises(Conflict, match="rates, places or reported against .*stoke-on-trent-5"),
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


def test_a_programme_into_a_workspace_with_no_council_needs_the_council_named(empty_ws):
    """A programme is a council's own, and a workspace's first council keeps the catalogue: a
    table placing measures never makes a council nobody named."""
    with (
        unit_of_work(empty_ws, write=True, by="admin") as ctx,
        pytest.raises(
            InputError, match="no council yet.*name the council whose programme"
        ) as refused,
    ):
        catalogue.import_catalogue(ctx, LEEDS_APPENDIX, "appendix.csv")
    assert refused.value.field == "council"
    with empty_ws.session(all_councils=True) as s:
        assert s.scalar(select(func.count()).select_from(MeasureRow)) == 0  # nothing written
        assert s.scalar(select(func.count()).select_from(CouncilRow)) == 0
    with unit_of_work(empty_ws, write=True, by="admin") as ctx:
        catalogue.import_catalogue(ctx, LEEDS_APPENDIX, "appendix.csv", council="Leeds")
    # numbered as the file numbers them: the workspace had no agreement to match
    assert placed(empty_ws, "Leeds") == {
        "bury-1": (("Sufficiency", "Local places"),),
        "bury-2": (("Inclusion in mainstream", None),),
        "stoke-on-trent-1": (("Inclusion in mainstream", "Outreach"),),
    }


def test_a_preview_counts_the_placements_in_the_councils_own_programme(two):
    more = table(
        ("Bury", TEXT["bury-3"], "SUFFICIENCY", "local places"),  # already placed so
        ("Bury", TEXT["bury-5"], "Sufficiency", ""),
    )
    with unit_of_work(two, write=True, council="Leeds", by="leeds admin") as ctx:
        preview = catalogue.import_catalogue(ctx, more, "more.csv", preview=True)
    assert preview.added["placements"] == 1 and preview.added["measures"] == 0
    assert "bury-5" not in placed(two, "Leeds")


def test_a_theme_filter_names_the_councils_own_programme(two):
    with (
        unit_of_work(two, council="Leeds", by="reader") as ctx,
        pytest.raises(InputError, match="no theme 'Nowhere' in your programme; the themes are"),
    ):
        list_measures(ctx, Filters(theme="Nowhere"))


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


def test_imports_at_once_for_one_council_make_one_theme_of_a_name_however_typed(two):
    """Two people importing at once, each placing measures under "Hubs" typed their own way:
    the council's programme is changed by one writer at a time, so one theme is made."""
    import threading

    spellings = ("Hubs", "HUBS", "hubs", "Hubs.")
    measures_ = ("bury-1", "bury-2", "bury-5", "stoke-on-trent-1")
    la = {"bury": "Bury", "stoke-on-trent": "Stoke-on-Trent"}
    start, failures = threading.Barrier(len(spellings)), []

    def place(theme: str, measure: str) -> None:
        try:
            start.wait()
            with unit_of_work(two, write=True, council="Leeds", by="leeds admin") as ctx:
                catalogue.import_catalogue(
                    ctx, table((la[measure.rsplit("-", 1)[0]], TEXT[measure], theme, "")), "h.csv"
                )
        except Exception as exc:  # noqa: BLE001 (told below, with the thread's spelling)
            failures.append((theme, repr(exc)))

    threads = [
        threading.Thread(target=place, args=pair) for pair in zip(spellings, measures_, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    themes = [t for t in programme(two, "Leeds") if t.lower().startswith("hubs")]
    assert len(themes) == 1, themes
    hubs = {m for m, where in placed(two, "Leeds").items() if where[0][0] == themes[0]}
    assert hubs == set(measures_)


def test_a_catalogue_read_while_others_import_between_its_statements_is_read_whole(two):
    """PostgreSQL reads committed work statement by statement. Before each statement of one
    catalogue read, another import commits a new agreement with a measure placed under a new
    theme: the read never meets a placement whose theme it did not read, nor a measure whose
    agreement it did not (found by CI: a KeyError stopped one of four imports at once)."""
    from sqlalchemy import event

    la = iter(("Rutland", "Merton", "Sefton", "Halton", "Wigan", "Bolton", "Salford", "Bexley"))
    fired = []

    def meanwhile(conn, cursor, statement, parameters, context, many):  # noqa: ANN001
        if reading and len(fired) < 8:
            fired.append(statement)
            n = len(fired)
            row = (next(la), f"A measure made meanwhile, number {n}", f"Theme {n}", "Sub")
            reading.clear()  # the import's own statements do not start another
            with unit_of_work(two, write=True, council="Leeds", by="leeds admin") as other:
                catalogue.import_catalogue(other, table(row), f"meanwhile-{n}.csv")
            reading.append(True)

    reading: list[bool] = []
    # PostgreSQL: the read an import makes before it writes (a unit of work that only reads
    # reads one moment). SQLite: a reader, as its writers are one at a time (one would wait)
    pg = two.engine.dialect.name == "postgresql"
    event.listen(two.engine, "before_cursor_execute", meanwhile)
    try:
        with unit_of_work(two, write=pg, council="Leeds", by="reader") as ctx:
            reading.append(True)
            read = repo.load_catalogue(ctx.db, ctx.actor.council_id)
            reading.clear()
    finally:
        event.remove(two.engine, "before_cursor_execute", meanwhile)
    assert len(fired) >= 6  # an import before each of the read's statements
    slugs = {a.slug for a in read.agreements}
    assert all(m.agreement in slugs for m in read.measures)
    for m in read.measures:
        for placement in m.placements:
            assert placement.theme in read.programme.themes, placement
            subs = read.programme.themes[placement.theme]
            assert placement.sub_theme is None or placement.sub_theme in subs, placement
    made = [m for m in read.measures if m.text.startswith("A measure made meanwhile")]
    if pg:
        assert made and all(m.placements for m in made)  # some were read, whole
    else:
        assert made == []  # SQLite: a read transaction reads one moment, its first statement's


def test_a_backup_taken_while_others_import_reads_one_moment(two):
    """Before each statement of a backup, another import commits a new measure, placed and
    rated: the backup reads one moment (a unit of work that only reads does), so every rating
    and placement it holds is of a measure it holds, and it restores."""
    from sqlalchemy import event

    la = iter(("Rutland", "Merton", "Sefton", "Halton", "Wigan", "Bolton", "Salford", "Bexley"))
    fired, reading = [], []

    def meanwhile(conn, cursor, statement, parameters, context, many):  # noqa: ANN001
        if reading and len(fired) < 8:
            fired.append(statement)
            n = len(fired)
            out = io.StringIO()
            csv.writer(out).writerows(
                [
                    ["LA", "Recommendation", "Theme", "Sub-Theme", "RAG"],
                    [next(la), f"A measure rated meanwhile, number {n}", f"T{n}", "S", "GREEN"],
                ]
            )
            reading.clear()
            with unit_of_work(two, write=True, council="Leeds", by="leeds admin") as other:
                catalogue.import_catalogue(other, out.getvalue().encode(), f"rated-{n}.csv")
            reading.append(True)

    rated_before = (
        table(("Bury", TEXT["bury-1"], "Hubs", ""))
        .replace(b"Sub-Theme", b"Sub-Theme,RAG")
        .replace(b",\r\n", b",,AMBER\r\n")
    )
    with unit_of_work(two, write=True, council="Leeds", by="leeds admin") as ctx:
        catalogue.import_catalogue(ctx, rated_before, "rated-before.csv")
    event.listen(two.engine, "before_cursor_execute", meanwhile)
    try:
        with unit_of_work(two, council="Leeds", by="reader") as ctx:
            reading.append(True)
            dump = backup.backup(ctx)
            reading.clear()
    finally:
        event.remove(two.engine, "before_cursor_execute", meanwhile)
    assert len(fired) == 8
    rated = {r["measure"] for a in dump["assessments"] for r in a["ratings"]}
    assert rated == {"bury-1"}  # the moment it began: none of the files imported meanwhile
    texts = [row["text"] for row in dump["catalogue"]["measure"]]
    assert len(texts) == len(BUNDLED.measures)
    assert not any(t.startswith("A measure rated meanwhile") for t in texts)
    measure_ids = {row["id"] for row in dump["catalogue"]["measure"]}
    themes = {row["id"] for row in dump["catalogue"]["theme"]}
    placements = dump["catalogue"]["placement"]
    assert all(p["measure_id"] in measure_ids and p["theme_id"] in themes for p in placements)


# -- the programme as it stood before later changes (a locked assessment's report) ----------


def _change(measure: str, change: str, theme: str, sub: str | None = None) -> PlacementChange:
    at = datetime(2099, 5, 1, tzinfo=UTC)
    return PlacementChange(measure, change, Placement(theme, sub), "Ann", at)


def test_the_programme_before_later_changes_undoes_them_newest_first() -> None:
    """Now: a-1 in Old and New > Sub, a-2 nowhere (its Old > Gone taken away, which went);
    undone: a-1 in Old alone, a-2 back in Old > Gone, and the New theme gone."""
    now = Programme()
    now.add("Old", "Kept")
    now.add("New", "Sub")
    measures = [
        Measure("a", 1, "one", (Placement("Old"), Placement("New", "Sub"))),
        Measure("a", 2, "two", ()),
        Measure("a", 3, "three", (Placement("Old", "Kept"),)),
    ]
    state = AssessmentState("Q1", "Bristol", Catalogue(measures=measures, programme=now), [])
    later = [
        _change("a-1", "placed", "New", "Sub"),
        _change("a-2", "removed", "Old", "Gone"),
        _change("a-9", "placed", "Old", "Kept"),  # a measure no longer in the catalogue
    ]
    before = programme_before(state, later)
    assert {m.id: m.placements for m in before.catalogue.measures} == {
        "a-1": (Placement("Old"),),
        "a-2": (Placement("Old", "Gone"),),
        "a-3": (Placement("Old", "Kept"),),
    }
    assert before.catalogue.programme.themes == {"Old": ["Kept", "Gone"]}
    assert state.catalogue.programme.themes == {"Old": ["Kept"], "New": ["Sub"]}  # unchanged
    # a placement made and taken away again since, and a second placement in one theme
    again = [_change("a-3", "removed", "Old", "Kept"), _change("a-3", "placed", "Old", "Kept")]
    assert programme_before(state, again).catalogue.measures[2].placements == (
        Placement("Old", "Kept"),
    )
    assert programme_before(state, []) is state


def test_a_rename_is_undone_in_place() -> None:
    """A placement taken away and one made for the same measure, by one person at one moment,
    is a rename: undone, the old name stands where the new one does."""
    now = Programme()
    now.add("First", "Kept")
    now.add("New name", "Sub")
    now.add("Last")
    measures = [Measure("a", 1, "one", (Placement("Last"), Placement("New name", "Sub")))]
    state = AssessmentState("Q1", "Bristol", Catalogue(measures=measures, programme=now), [])
    later = [
        _change("a-1", "removed", "Old name", "Sub"),
        _change("a-1", "placed", "New name", "Sub"),
    ]
    before = programme_before(state, later)
    assert list(before.catalogue.programme.themes) == ["First", "Old name", "Last"]
    assert before.catalogue.measures[0].placements == (
        Placement("Last"),
        Placement("Old name", "Sub"),
    )
    # the same two changes at different moments are a removal and a placing: undone as such
    apart = [later[0], replace(later[1], at=later[1].at + timedelta(seconds=1))]
    moved = programme_before(state, apart)
    assert list(moved.catalogue.programme.themes) == ["First", "Last", "Old name"]


def test_two_workspaces_in_one_database_never_wait_for_each_others_locks(pg_url):
    """Advisory locks are the database's: a writer's lock is taken in its workspace's schema, so
    a workspace in another schema of the same database (the PostgreSQL tests run so, two at a
    time) takes the same key at once; two such took each other's in turn and deadlocked."""
    from conftest import APP_ROLE, PG_URL, pg_schema
    from sqlalchemy.engine import make_url

    from valvecheck.store.repository import IMPORTING_ACTIVITIES, lock_pair

    with pg_schema() as other_schema:
        other = make_url(PG_URL).set(username=APP_ROLE, password=None)
        other = other.update_query_dict({"options": f"-csearch_path={other_schema}"})
        one, two_ = Workspace(pg_url), Workspace(other.render_as_string(hide_password=False))
        try:
            with one.session() as first:
                lock_pair(first, IMPORTING_ACTIVITIES, 1)
                with two_.session() as second:
                    second.execute(text("SET LOCAL lock_timeout = '2s'"))
                    lock_pair(second, IMPORTING_ACTIVITIES, 1)  # not kept waiting
                with one.session() as same:  # the same workspace waits, as it must
                    same.execute(text("SET LOCAL lock_timeout = '200ms'"))
                    with pytest.raises(Exception, match="lock timeout"):
                        lock_pair(same, IMPORTING_ACTIVITIES, 1)
        finally:
            one.dispose()
            two_.dispose()
