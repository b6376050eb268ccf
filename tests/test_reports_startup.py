"""What a command loads: `--help` and the reading commands do not import the heavy libraries
they do not use (start-up time is measured in bench/command_bench.py, never asserted here)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = {
    "sqlalchemy", "alembic", "openpyxl", "docx", "xlsxwriter", "sklearn", "scipy", "jinja2", "numpy"
}  # fmt: skip


def loaded(argv: list[str], cwd) -> set[str]:
    """The heavy top-level packages in sys.modules after the CLI ran ``argv`` in a fresh process."""
    script = (
        "import json, sys\n"
        "from valvecheck.cli import run\n"
        f"code = run({argv!r})\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({sorted(HEAVY)!r}))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=cwd, capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_help_loads_no_database_office_or_text_analysis_library(tmp_path):
    assert loaded(["--help"], tmp_path) == set()


@pytest.mark.parametrize("command", [["measures"], ["show", "bury-1"], ["history", "bury-1"]])
def test_reading_commands_load_no_office_library_and_no_migrations(ws, db_path, tmp_path, command):
    found = loaded(["--db", db_path, *command], tmp_path)
    assert "sqlalchemy" in found  # they read the workspace
    assert not found & {"alembic", "openpyxl", "docx", "xlsxwriter", "jinja2"}


def test_the_schema_head_read_from_the_migration_files_is_alembics():
    from alembic.script import ScriptDirectory

    from valvecheck.store.db import _alembic_config, head_revision

    assert head_revision() == ScriptDirectory.from_config(_alembic_config()).get_current_head()


def test_summary_takes_prevalence_from_the_index_kept_with_the_catalogue(ws, db_path, tmp_path):
    """Grouping by meaning (SciPy, scikit-learn) happens when the catalogue changes, not on
    every summary; the summary's prevalence is the same as grouping afresh."""
    found = loaded(["--db", db_path, "summary", "--json"], tmp_path)
    assert not found & {"sklearn", "scipy", "alembic", "openpyxl", "docx"}

    from support import admin

    from valvecheck.analysis.common import prevalence
    from valvecheck.services.prevalence import prevalence_of
    from valvecheck.store import common_index
    from valvecheck.store import repository as repo

    with admin(ws, write=False) as ctx:
        catalogue = repo.load_catalogue(ctx.session, None)
        key = common_index.fingerprint(catalogue)
        assert common_index.load(ctx.session, key, len(catalogue.measures)) == prevalence(catalogue)
        assert prevalence_of(ctx.session, catalogue) == prevalence(catalogue)


def test_the_index_keeps_each_measure_s_group_and_one_without_groups_is_worked_out_again(ws):
    """Which measures are one commitment is read from the index (the measure page's "in other
    agreements"); an index kept before groups were (schema 0007) counts as out of date."""
    from sqlalchemy import update
    from support import admin

    from valvecheck.analysis.common import grouping
    from valvecheck.services.prevalence import equivalents_of, refresh
    from valvecheck.store import common_index
    from valvecheck.store import repository as repo
    from valvecheck.store.tables import common_index as table

    with admin(ws) as ctx:
        catalogue = repo.load_catalogue(ctx.session, None)
        key, n = common_index.fingerprint(catalogue), len(catalogue.measures)
        groups = common_index.load_groups(ctx.session, key, n)
        assert groups == {mid: g for mid, (g, _) in grouping(catalogue).items()}
        assert groups["bury-4"] == groups["stoke-on-trent-5"] != groups["bury-2"]
        assert equivalents_of(ctx.session, catalogue, "bury-2") == []
        ctx.session.execute(update(table).values(group_number=None))
        assert common_index.load(ctx.session, key, n) is None
        assert common_index.load_groups(ctx.session, key, n) is None
        # a reader groups afresh meanwhile; the next refresh keeps the groups again
        assert equivalents_of(ctx.session, catalogue, "bury-4") == [
            "hammersmith-fulham-4",
            "stoke-on-trent-5",
        ]
        refresh(ctx.session)
        assert common_index.load_groups(ctx.session, key, n) == groups


def test_a_new_grouping_method_or_corpus_works_the_index_out_again(ws, monkeypatch):
    """The index is keyed by the method as well as the catalogue: a release that groups
    differently (or reads measures with a different corpus) never shows the old prevalence."""
    from support import admin

    from valvecheck.store import common_index
    from valvecheck.store import repository as repo

    with admin(ws, write=False) as ctx:
        catalogue = repo.load_catalogue(ctx.session, None)
        n = len(catalogue.measures)
        key = common_index.fingerprint(catalogue)
        assert common_index.load(ctx.session, key, n) is not None
        monkeypatch.setattr(common_index, "GROUPING", "a later method")
        common_index._method.cache_clear()
        try:
            later = common_index.fingerprint(catalogue)
            assert later != key
            assert common_index.load(ctx.session, later, n) is None
        finally:
            monkeypatch.undo()
            common_index._method.cache_clear()
        assert common_index.fingerprint(catalogue) == key


def test_an_import_brings_the_index_up_to_date(ws, cli, db_path, tmp_path):
    path = tmp_path / "extra.txt"
    path.write_text(
        "LA\tRecommendation\tTheme\tSub-Theme\tRAG\n"
        "Leeds\tSupport and drive schools in Leeds to meet a higher level of need in a more "
        "cost-effective way within mainstream settings.\tInclusion\t\t\n"
    )
    assert cli("import", "appendix", str(path))[0] == 0
    found = loaded(["--db", db_path, "summary", "--json"], tmp_path)
    assert "sklearn" not in found  # the import refreshed the index for the new catalogue


def test_summary_reads_through_the_core_tables_without_the_orm(ws, db_path, tmp_path):
    """`summary` (table and JSON) reads through Core: the ORM and the mapped classes are never
    imported, and the answer is the whole summary all the same."""
    script = (
        "import json, sys\n"
        "from valvecheck.cli import run\n"
        f"code = run(['--db', {db_path!r}, 'summary', '--json'])\n"
        "print(json.dumps([code, sorted(m for m in sys.modules if m.startswith(\n"
        "    ('sqlalchemy.orm', 'valvecheck.store.models')))]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    *printed, last = done.stdout.strip().splitlines()
    code, orm = json.loads(last)
    assert code == 0 and orm == []
    summary = json.loads("\n".join(printed))
    assert summary["measures"] == 27 and sum(summary["rag"].values()) == 27
    plain = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "valvecheck", "--db", db_path, "summary"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Coverage (green + amber)" in plain.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in plain.stderr.splitlines()}
    assert "sqlalchemy" in imported  # it did read the workspace
    assert not imported & {"sqlalchemy.orm", "valvecheck.store.models"}
    # Neither the settings nor the CLI's parameters go through pydantic (only the web API does)
    assert not imported & {"pydantic", "pydantic_core"}
