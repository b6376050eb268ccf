"""A workspace made by the previous release (0.1.0, schema 0001) opens after `migrate`, with
nothing lost. tests/data/workspaces/release-0.1.0.db was made with that release's CLI: init, two
ratings of bury-2 (by Ann Lee, then Bo), five activities, links a-1 -> bury-4 and a-3 -> bury-3
(then unlinked), and a second assessment 'Second' carried forward with stoke-on-trent-1 rated red.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

RELEASE = Path(__file__).parent / "data" / "workspaces" / "release-0.1.0.db"


@pytest.fixture
def old(tmp_path: Path) -> str:
    path = tmp_path / "old.db"
    shutil.copy(RELEASE, path)
    return str(path)


def rows(db: str, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_an_old_workspace_asks_to_be_migrated_and_is_not_changed(cli, old):
    before = Path(old).read_bytes()
    code, _, err = cli("summary", db=old)
    assert code == 1 and "valvecheck migrate" in err
    assert Path(old).read_bytes() == before  # reading never migrates


def test_migrate_keeps_every_rating_history_activity_and_link(cli, old):
    ratings = rows(
        old,
        "SELECT id, assessment_id, measure_id, rag, previous, rationale, by, at FROM rating ORDER BY id",
    )
    activities = rows(old, "SELECT id, code, title, owner, status FROM activity ORDER BY id")
    links = rows(
        old, "SELECT id, activity_id, measure_id, linked, rationale, by FROM link_event ORDER BY id"
    )
    assert len(ratings) == 10 + 2 + 11 + 1 and len(activities) == 5 and len(links) == 3

    code, out, err = cli("migrate", db=old)
    assert code == 0, err
    assert "Upgraded" in out

    assert (
        rows(
            old,
            "SELECT id, assessment_id, measure_id, rag, previous, rationale, by, at FROM rating ORDER BY id",
        )
        == ratings
    )
    assert (
        rows(old, "SELECT id, code, title, owner, status FROM activity ORDER BY id") == activities
    )
    assert (
        rows(
            old,
            "SELECT id, activity_id, measure_id, linked, rationale, by FROM link_event ORDER BY id",
        )
        == links
    )
    # One council, named after its assessments, owns all of it.
    assert rows(old, "SELECT id, name FROM council") == [(1, "Bristol")]
    for table in ("assessment", "rating", "activity", "link_event"):
        assert rows(old, f"SELECT DISTINCT council_id FROM {table}") == [(1,)]
    # Where each rating came from is now a column; histories are numbered per measure.
    sources = dict(rows(old, "SELECT source, COUNT(*) FROM rating GROUP BY source"))
    assert sources == {"bundled": 10 + 10, "person": 2 + 1 + 1}
    assert rows(
        old,
        "SELECT version, previous, rag, by FROM rating WHERE assessment_id = 1 AND measure_id = "
        "(SELECT id FROM measure WHERE code = 'bury-2') ORDER BY version",
    ) == [(1, "unrated", "green", "Ann Lee"), (2, "green", "amber", "Bo")]

    history = cli(
        "--council",
        "Bristol",
        "history",
        "bury-2",
        "-a",
        "Bristol: mitigation validation exercise",
        db=old,
    )[1]
    assert "Ann Lee" in history and "Panel paused <b>" in history
    summary = json.loads(cli("summary", "--json", "-a", "Second", db=old)[1])
    assert summary["rag"]["red"] == 4
    listed = cli("activities", "list", db=old)[1]
    assert "a-1\tCase management system" in listed and "bury-4" in listed
    assert cli("rate", "bury-2", "green", "--rationale", "after the upgrade", db=old)[0] == 0
    assert cli("migrate", db=old)[1].startswith("The workspace")  # already up to date


def test_migrations_go_down_and_up_again(tmp_path):
    from valvecheck.services.workspace import init_workspace
    from valvecheck.store.db import Workspace

    ws = Workspace(str(tmp_path / "w.db"))
    init_workspace(ws)
    ws.downgrade("0001")
    assert ws.revision() == "0001"
    assert rows(str(tmp_path / "w.db"), "SELECT COUNT(*) FROM rating") == [(10,)]
    ws.migrate()
    assert ws.revision() == ws.head()
    ws.dispose()


def test_migrate_keeps_the_common_measure_groups_with_the_catalogue(cli, old):
    code, _, err = cli("migrate", db=old)
    assert code == 0, err
    kept = dict(
        rows(
            old,
            "SELECT m.code, c.group_number FROM common_index c JOIN measure m ON m.id = c.measure_id",
        )
    )
    assert len(kept) == 27 and None not in kept.values()
    assert kept["bury-4"] == kept["hammersmith-fulham-4"] == kept["stoke-on-trent-5"]
    code, out, _ = cli("show", "bury-4", db=old)
    assert code == 0 and "hammersmith-fulham-4 (Hammersmith and Fulham)" in out


def test_decisions_made_before_0009_are_their_only_councils(tmp_path):
    """A one-council workspace's decisions on common measures were that council's people's."""
    from valvecheck.services import equivalence
    from valvecheck.services.workspace import init_workspace, unit_of_work
    from valvecheck.store.db import Workspace

    path = str(tmp_path / "w.db")
    ws = Workspace(path)
    init_workspace(ws)
    with unit_of_work(ws, write=True, by="ann") as ctx:
        equivalence.decide(ctx, "bury-1", "stoke-on-trent-2", "same", "one panel")
    ws.downgrade("0008")
    assert rows(path, "SELECT by FROM equivalence_event") == [("ann",)]
    ws.migrate()
    assert rows(path, "SELECT by, council FROM equivalence_event") == [("ann", "Bristol")]
    ws.dispose()


def test_migrate_copies_the_sqlite_file_first_and_the_copy_is_the_old_workspace(cli, old):
    before = rows(old, "SELECT version_num FROM alembic_version")
    code, out, err = cli("migrate", db=old)
    assert code == 0, err
    copy = Path(f"{old}.schema-0001.bak")
    assert f"A copy of it as it was before is at {copy}." in out
    assert copy.stat().st_mode & 0o777 == 0o600  # password hashes: its owner's only
    assert rows(str(copy), "SELECT version_num FROM alembic_version") == before == [("0001",)]
    assert rows(str(copy), "SELECT count(*) FROM rating") == [(24,)]
    assert [p.name for p in Path(old).parent.iterdir() if "part" in p.name] == []

    code, out, err = cli("migrate", db=old)  # up to date: nothing to copy
    assert code == 0 and "up to date" in out and "copy" not in out
