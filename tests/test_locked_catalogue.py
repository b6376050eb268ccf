"""A locked assessment keeps the catalogue it was locked with (migration 0018).

The catalogue is every council's: an import after the lock adds measures (a new agreement) or,
with revise, rewords one. The locked assessment is the paper reported to committee, so its
summary, listing, page and reports stay as they were: the new measures (and their agreement
and authority) are not in it, and a measure reworded since reads as it did. An open assessment
has the catalogue as it is now. Runs on SQLite, and on PostgreSQL with VALVECHECK_TEST_STORE.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from reports_support import docx_sections, html_sections, md_sections, xlsx_sections
from sqlalchemy import inspect, text
from support import admin, write_reports

from valvecheck.domain.locked_catalogue import as_recorded, check, decode, encode
from valvecheck.domain.model import Agreement, Authority, Catalogue, Measure, Placement, Programme
from valvecheck.domain.people import Role
from valvecheck.domain.provenance import MeasureVersion
from valvecheck.errors import Conflict, ImportRejected, NotFound
from valvecheck.services import backup, catalogue, compare, measures, ratings, summary
from valvecheck.services.context import Actor
from valvecheck.services.workspace import init_workspace, unit_of_work
from valvecheck.store.db import Workspace

LOCKED = "Bristol: mitigation validation exercise"  # the seed's assessment
OPEN = "Bristol: 2027"
REVISED = "bury-2"
KENT = "LA,Recommendation\nKent,Open two resourced provisions.\nKent,Review home to school transport.\n"
RELEASE = Path(__file__).parent / "data" / "workspaces" / "release-0.1.0.db"


# -- the domain: cutting a catalogue to the one recorded -----------------------------------------

AT = datetime(2026, 1, 5, tzinfo=UTC)


def small_catalogue() -> Catalogue:
    """Two agreements (Bury; Kent and Medway together), three measures, a programme."""
    return Catalogue(
        authorities=[
            Authority("bury", "Bury"),
            Authority("kent", "Kent"),
            Authority("medway", "Medway"),
        ],
        agreements=[
            Agreement("bury", "Bury SV", ("bury",), source_title="Bury 2021"),
            Agreement("kent", "Kent SV", ("kent", "medway")),
        ],
        measures=[
            Measure("bury", 1, "Strengthen panels.", (Placement("Demand", "Panels"),)),
            Measure(
                "bury",
                2,
                "Reduce independent places by 2026.",
                (Placement("Sufficiency"),),
                source_locator="row 4",
                source_title="Bury 2027",
                source_url="https://example.org/bury-2027.pdf",
                version=2,
            ),
            Measure(
                "kent", 1, "Open two resourced provisions.", (Placement("Transport", "Routes"),)
            ),
        ],
        programme=Programme(
            {"Demand": ["Panels"], "Sufficiency": [], "Transport": ["Routes"], "Empty": []}
        ),
    )


EARLIER = [MeasureVersion("bury-2", 1, "Reduce independent places.", "Bury 2021", AT)]


def test_measures_added_since_go_with_their_agreement_and_its_authorities():
    now = small_catalogue()
    cut = as_recorded(now, (("bury-1", 1), ("bury-2", 2)), EARLIER)
    assert [m.id for m in cut.measures] == ["bury-1", "bury-2"]
    assert [a.slug for a in cut.agreements] == ["bury"]
    assert [a.slug for a in cut.authorities] == ["bury"]
    # the programme is the council's own, as it is now
    assert cut.programme is now.programme
    assert cut.measure("bury-2") == now.measure("bury-2")  # its text then is its text now
    assert [m.id for m in now.measures] == ["bury-1", "bury-2", "kent-1"]  # not changed


def test_a_measure_revised_since_has_its_text_then():
    cut = as_recorded(small_catalogue(), (("bury-1", 1), ("bury-2", 1), ("kent-1", 1)), EARLIER)
    then = cut.measure("bury-2")
    assert then is not None
    assert (then.text, then.version, then.source_title, then.imported_at) == (
        "Reduce independent places.",
        1,
        "Bury 2021",
        AT,
    )
    # the new document's address and row are not the earlier text's
    assert (then.source_url, then.source_locator) == ("", "")
    assert then.placements == (Placement("Sufficiency"),)  # the council's placement stays
    assert [a.slug for a in cut.agreements] == ["bury", "kent"]


def test_a_version_with_no_earlier_text_keeps_the_text_now():
    cut = as_recorded(small_catalogue(), (("bury-1", 1), ("bury-2", 1), ("kent-1", 1)), [])
    assert cut.measure("bury-2") == small_catalogue().measure("bury-2")


def test_nothing_changed_since_is_the_catalogue_itself():
    now = small_catalogue()
    recorded = tuple((m.id, m.version) for m in now.measures)
    assert as_recorded(now, recorded, EARLIER) is now


def test_a_measure_deleted_since_is_simply_absent():
    now = small_catalogue()
    recorded = (("bury-1", 1), ("bury-2", 2), ("bury-9", 1), ("kent-1", 1))
    assert as_recorded(now, recorded, EARLIER) is now


def test_a_record_is_kept_as_compact_json_and_read_back():
    recorded = (("bury-1", 1), ("bury-2", 3))
    assert encode(recorded) == '[["bury-1",1],["bury-2",3]]'
    assert decode(encode(recorded)) == recorded
    assert decode("[]") == ()


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ({"bury-1": 1}, "must be a list of [measure, version] pairs"),
        ([["bury-1"]], "item 0 is not a [measure, version] pair"),
        (["bury-1"], "item 0 is not a [measure, version] pair"),
        ([[1, 1]], "item 0: the measure must be its id as text"),
        ([["bury-1", 0]], "item 0: the version of bury-1 must be a whole number 1 or more, not 0"),
        ([["bury-1", "1"]], 'the version of bury-1 must be a whole number 1 or more, not "1"'),
        ([["bury-1", True]], "must be a whole number 1 or more, not true"),
        ([["bury-1", 1], ["bury-1", 2]], "item 1: bury-1 is named twice"),
    ],
)
def test_a_malformed_record_is_refused_saying_why(value, said):
    with pytest.raises(ValueError) as refused:
        check(value)
    assert said in str(refused.value)


def test_text_that_is_not_json_is_no_record():
    with pytest.raises(ValueError, match="it is not JSON"):
        decode("bury-1,1")


# -- a workspace: lock, then the catalogue changes --------------------------------------------------


def bury_revised(ws: Workspace) -> tuple[bytes, str, str]:
    """Bury's agreement as a new document with bury-2 reworded: (CSV, its old text, its new)."""
    with admin(ws, write=False) as ctx:
        bury = [v.measure for v in measures.list_measures(ctx) if v.measure.agreement == "bury"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["LA", "Recommendation"])
    old = new = ""
    for m in sorted(bury, key=lambda m: m.number):
        words = m.text
        if m.id == REVISED:
            old, new = m.text, m.text.rstrip(".") + " during 2027-28."
            words = new
        writer.writerow(["Bury", words])
    return out.getvalue().encode(), old, new


def change_the_catalogue(ws: Workspace) -> tuple[str, str]:
    """Kent's agreement (two new measures) and bury-2 reworded (with revise): (old, new text)."""
    data, old, new = bury_revised(ws)
    with admin(ws, by="keeper") as ctx:
        done = catalogue.import_catalogue(ctx, KENT.encode(), "kent.csv")
        assert done.added["measures"] == 2
        done = catalogue.import_catalogue(ctx, data, "bury-2027.csv", revise=True)
        assert done.added["revised"] == 1
    return old, new


def lock_and_open_another(ws: Workspace) -> None:
    with admin(ws, by="Ann") as ctx:
        ratings.lock_assessment(ctx, LOCKED)
        ratings.new_assessment(ctx, OPEN, carry_from=LOCKED, use=True)


def what_it_shows(ws: Workspace, name: str) -> dict[str, object]:
    """Everything the assessment's pages, summary and exports show of its catalogue."""
    with admin(ws, write=False) as ctx:
        found = summary.summary(ctx, name).as_dict()
        listed = [
            (v.id, v.measure.text, v.la, v.rag.value)
            for v in measures.list_measures(ctx, assessment=name)
        ]
        exported = json.loads(summary.export(ctx, "json", name))
        info = next(a for a in ratings.list_assessments(ctx) if a.name == name)
        detail = compare.assessment_detail(ctx, info.id)
    # An earlier text keeps its document's title, not its address and place in the document
    # (measure_version has no columns for them): apart, as the export gives them
    revised = next(m for m in exported["measures"] if m["id"] == REVISED)
    where = {k: revised.pop(k) for k in ("source_locator", "source_url")}
    return {
        "summary": found,
        "listed": listed,
        "export": exported,
        "page": (detail.rag, round(detail.coverage, 6)),
        "text": revised_text(ws, name),
        "revised source": where,
    }


def the_paper(shown: dict[str, object]) -> dict[str, object]:
    """What the assessment shows but where its revised measure's earlier text is in its document."""
    return {k: v for k, v in shown.items() if k != "revised source"}


def revised_text(ws: Workspace, name: str) -> str:
    with admin(ws, write=False) as ctx:
        return measures.show_measure(ctx, REVISED, name).measure.text


def test_a_locked_assessment_shows_what_it_showed_when_it_was_locked(ws):
    lock_and_open_another(ws)
    before = what_it_shows(ws, LOCKED)
    assert before["summary"]["measures"] == 27 and before["summary"]["agreements"] == 4  # type: ignore[index]
    old, new = change_the_catalogue(ws)  # read once already: the kept state must see the change

    after = what_it_shows(ws, LOCKED)
    assert the_paper(after) == the_paper(before)
    # the new document's row and address are not the earlier text's; the agreement's address is
    assert before["revised source"] == {"source_locator": "table row 3", "source_url": ""}
    assert after["revised source"] == {"source_locator": "", "source_url": ""}
    ids = [row[0] for row in after["listed"]]  # type: ignore[union-attr]
    assert "kent-1" not in ids and "kent-2" not in ids
    assert after["text"] == old
    assert "Kent" not in json.dumps(after["export"])
    # the open assessment has the catalogue as it is now
    now = what_it_shows(ws, OPEN)
    assert now["summary"]["measures"] == 29 and now["summary"]["agreements"] == 5  # type: ignore[index]
    assert now["summary"]["authorities"] == before["summary"]["authorities"] + 1  # type: ignore[index,operator]
    assert {"kent-1", "kent-2"} <= {row[0] for row in now["listed"]}  # type: ignore[union-attr]
    assert now["text"] == new
    # a measure added since is not in the locked assessment, and it says why
    with admin(ws, write=False) as ctx:
        with pytest.raises(
            NotFound, match="added to the catalogue after the assessment was locked"
        ):
            measures.measure_page(ctx, "kent-1", LOCKED)
        assert measures.measure_page(ctx, "kent-1", OPEN).view.la == "Kent"
        with pytest.raises(NotFound, match="there is no measure 'kent-9'"):
            measures.show_measure(ctx, "kent-9", LOCKED)


def test_the_summary_command_says_the_figures_of_the_paper(ws, cli, tmp_path):
    lock_and_open_another(ws)
    before = cli("summary", "--assessment", LOCKED)
    assert before[0] == 0 and "27 measures from 4 agreements (5 authorities)" in before[1]
    path = tmp_path / "kent.csv"
    path.write_text(KENT)
    code, out, err = cli("import", "catalogue", str(path))
    assert code == 0 and "2 new measures" in out, err
    assert cli("summary", "--assessment", LOCKED) == before
    assert (
        "29 measures from 5 agreements (6 authorities)" in cli("summary", "--assessment", OPEN)[1]
    )


def report_of(ws: Workspace, out: Path) -> dict[str, object]:
    """The locked assessment's report in each format: its sections and rows, and its words."""
    paths = {p.suffix: p for p in write_reports(ws, "all", out, LOCKED)}
    from docx import Document

    doc = Document(str(paths[".docx"]))
    words = [p.text for p in doc.paragraphs]
    words += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return {
        "docx": docx_sections(paths[".docx"]),
        "xlsx": xlsx_sections(paths[".xlsx"]),
        "html": html_sections(paths[".html"]),
        "md": md_sections(paths[".md"]),
        "docx words": "\n".join(words),
        "html words": paths[".html"].read_text(encoding="utf-8"),
        "md words": paths[".md"].read_text(encoding="utf-8"),
    }


def test_the_locked_assessments_reports_are_unchanged(ws, tmp_path):
    lock_and_open_another(ws)
    before = report_of(ws, tmp_path / "before")
    old, new = change_the_catalogue(ws)
    after = report_of(ws, tmp_path / "after")
    assert after == before
    for words in ("docx words", "html words", "md words"):
        assert "Kent" not in after[words] and "kent-1" not in after[words]  # type: ignore[operator]
        assert new not in after[words]  # type: ignore[operator]
    assert old in after["docx words"]  # type: ignore[operator]
    opened = {p.suffix: p for p in write_reports(ws, "md", tmp_path / "open", OPEN)}
    assert "kent-1" in opened[".md"].read_text(encoding="utf-8")


def test_locking_again_keeps_what_the_first_lock_recorded(ws):
    lock_and_open_another(ws)
    recorded = stored(ws, LOCKED)
    change_the_catalogue(ws)
    with admin(ws, by="Bo") as ctx:
        ratings.lock_assessment(ctx, LOCKED)
    assert stored(ws, LOCKED) == recorded
    codes = [code for code, _ in decode(recorded or "")]
    assert len(codes) == 27 and "kent-1" not in codes and dict(decode(recorded or ""))[REVISED] == 1


def stored(ws: Workspace, name: str) -> str | None:
    with ws.session(all_councils=True) as s:  # every council's rows (PostgreSQL: past RLS)
        return s.scalar(text("SELECT locked_measures FROM assessment WHERE name = :n"), {"n": name})


# -- backups --------------------------------------------------------------------------------------


def restore(ws: Workspace, dump: dict) -> backup.Restored:
    restorer = Actor("restorer", Role.ADMIN, None)  # the local administrator
    with unit_of_work(ws, write=True, actor=restorer) as ctx:
        return backup.restore(ctx, backup.dumps(dump), "backup.json", replace=True)


def backup_of(ws: Workspace) -> dict:
    with unit_of_work(ws, council="Bristol") as ctx:
        return backup.backup(ctx)


def test_a_backup_keeps_the_catalogue_an_assessment_was_locked_with(ws):
    lock_and_open_another(ws)
    before = what_it_shows(ws, LOCKED)
    change_the_catalogue(ws)
    dump = backup_of(ws)
    kept = {a["name"]: a["locked_measures"] for a in dump["assessments"]}
    assert kept[OPEN] is None
    assert kept[LOCKED][:2] == [["bury-1", 1], ["bury-2", 1]] and len(kept[LOCKED]) == 27
    changed = what_it_shows(ws, LOCKED)
    assert the_paper(changed) == the_paper(before)
    restore(ws, dump)
    assert stored(ws, LOCKED) == encode(tuple(map(tuple, kept[LOCKED])))
    assert what_it_shows(ws, LOCKED) == changed
    assert backup_of(ws)["assessments"] == dump["assessments"]


def test_a_backup_written_before_the_record_restores_as_not_recorded(ws):
    lock_and_open_another(ws)
    change_the_catalogue(ws)
    dump = backup_of(ws)
    for a in dump["assessments"]:
        del a["locked_measures"]
    restore(ws, dump)
    assert stored(ws, LOCKED) is None
    with admin(ws, write=False) as ctx:  # not recorded: the catalogue as it is now
        assert summary.summary(ctx, LOCKED).measures == 29


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ('[["bury-1",1]]', "must be a list of [measure, version] pairs"),
        ([["bury-1", 0]], "the version of bury-1 must be a whole number 1 or more, not 0"),
        ([["bury-1", 1], ["bury-1", 1]], "bury-1 is named twice"),
        ([["bury-1"]], "item 0 is not a [measure, version] pair"),
    ],
)
def test_a_malformed_record_in_a_backup_is_refused_at_its_place(ws, value, said):
    lock_and_open_another(ws)
    dump = backup_of(ws)
    where = next(i for i, a in enumerate(dump["assessments"]) if a["name"] == LOCKED)
    dump["assessments"][where]["locked_measures"] = value
    with pytest.raises(ImportRejected) as refused:
        restore(ws, dump)
    problems = [str(p) for p in refused.value.problems]
    assert len(problems) == 1, problems
    assert f"assessments[{where}].locked_measures: " in problems[0] and said in problems[0]
    assert "[bad-locked-measures]" in problems[0]
    assert stored(ws, LOCKED) is not None  # nothing was restored


def test_only_a_locked_assessment_has_a_record_in_a_backup(ws):
    lock_and_open_another(ws)
    dump = backup_of(ws)
    where = next(i for i, a in enumerate(dump["assessments"]) if a["name"] == OPEN)
    dump["assessments"][where]["locked_measures"] = [["bury-1", 1]]
    with pytest.raises(ImportRejected) as refused:
        restore(ws, dump)
    [problem] = [str(p) for p in refused.value.problems]
    assert f"assessments[{where}].locked_measures: only a locked assessment" in problem
    assert "[not-locked]" in problem


def test_a_backup_whose_locked_paper_has_measures_the_server_lacks_is_refused(ws, tmp_path):
    """The paper counted Kent's measures (imported before the lock, never rated): restored where
    the catalogue has no Kent, the paper would lose them without a word, so it is refused."""
    with admin(ws, by="keeper") as ctx:
        catalogue.import_catalogue(ctx, KENT.encode(), "kent.csv")
    lock_and_open_another(ws)
    dump = backup_of(ws)
    assert not any(
        r["measure"].startswith("kent") for a in dump["assessments"] for r in a["ratings"]
    )
    target = Workspace(str(tmp_path / "target.db"))
    init_workspace(target)  # the bundled catalogue: no Kent
    with pytest.raises(Conflict, match=r"reported against .*\(kent-1, kent-2\)"):
        restore(target, dump)
    assert stored(target, LOCKED) is None  # nothing was written: its own paper is still open
    target.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "m.db")
    return request.getfixturevalue("pg_url")


def test_a_backup_restored_into_an_empty_database_keeps_the_record(tmp_path, url):
    source = Workspace(str(tmp_path / "source.db"))
    init_workspace(source)
    lock_and_open_another(source)
    before = what_it_shows(source, LOCKED)
    change_the_catalogue(source)
    changed = what_it_shows(source, LOCKED)
    assert the_paper(changed) == the_paper(before)
    dump = backup_of(source)
    target = Workspace(url)
    init_workspace(target, empty=True)
    restore(target, dump)  # the catalogue (its earlier texts too) is written with it
    assert what_it_shows(target, LOCKED) == changed
    assert what_it_shows(target, OPEN) == what_it_shows(source, OPEN)
    source.dispose()
    target.dispose()


# -- migration 0018 ---------------------------------------------------------------------------------


def columns(ws: Workspace) -> set[str]:
    with ws.engine.connect() as conn:
        return {c["name"] for c in inspect(conn).get_columns("assessment")}


def test_migration_0018_upgrades_a_0017_database(url):
    ws = Workspace(url)
    init_workspace(ws)
    with admin(ws, by="Ann") as ctx:
        ratings.lock_assessment(ctx, LOCKED)
    ws.downgrade("0017")
    assert "locked_measures" not in columns(ws)
    ws.migrate()
    assert ws.revision() == ws.head()
    assert "locked_measures" in columns(ws)
    # locked before the catalogue was recorded: none, and read with the catalogue as it is now
    assert stored(ws, LOCKED) is None
    change_the_catalogue(ws)
    with admin(ws, write=False) as ctx:
        assert summary.summary(ctx, LOCKED).measures == 29
    ws.dispose()


@pytest.mark.sqlite_only
def test_a_release_0_1_0_workspace_gains_the_column_and_records_at_its_next_lock(cli, tmp_path):
    old = str(tmp_path / "old.db")
    shutil.copy(RELEASE, old)
    code, _, err = cli("migrate", db=old)
    assert code == 0, err
    with sqlite3.connect(old) as conn:
        found = conn.execute("SELECT name, locked_at, locked_measures FROM assessment").fetchall()
    assert found and all(row[2] is None for row in found)
    assert cli("assessments", "lock", "Second", db=old)[0] == 0
    with sqlite3.connect(old) as conn:
        recorded = conn.execute(
            "SELECT locked_measures FROM assessment WHERE name = 'Second'"
        ).fetchone()[0]
    assert len(decode(recorded)) == 27


def test_an_assessment_locked_with_the_catalogue_unchanged_reads_as_before(ws):
    """Locking changes nothing the assessment shows (the kept state stays good)."""
    before = what_it_shows(ws, LOCKED)
    with admin(ws, by="Ann") as ctx:
        ratings.lock_assessment(ctx, LOCKED)
    assert what_it_shows(ws, LOCKED) == before


def test_a_locked_current_assessment_keeps_its_paper_and_the_catalogue_stays_browsable(
    ws, tmp_path
):
    """From a review: a lock leaves the assessment current, and reading the current state (the
    Measures pages, a measure's page, the common measures) cut the catalogue too, so a measure
    imported since could not be opened anywhere. Named (its page, summary, report), it is the
    paper; read as the workspace's state, it is the catalogue as it is now."""
    with admin(ws, by="Ann") as ctx:
        ratings.lock_assessment(ctx, LOCKED)  # still the current one
    before = (tmp_path / "before").resolve()
    before.mkdir()
    write_reports(ws, "md", before)
    change_the_catalogue(ws)
    with admin(ws, write=False) as ctx:
        assert {"kent-1", "kent-2"} <= {v.id for v in measures.list_measures(ctx)}
        assert measures.show_measure(ctx, "kent-1").la == "Kent"
        assert "kent-1" not in {v.id for v in measures.list_measures(ctx, assessment=LOCKED)}
        assert summary.summary(ctx, LOCKED).as_dict()["measures"] == 27
    after = (tmp_path / "after").resolve()
    after.mkdir()
    write_reports(ws, "md", after)  # the current assessment's report, not named: the paper
    assert (after / "report.md").read_text("utf-8") == (before / "report.md").read_text("utf-8")


def test_comparing_a_locked_assessment_with_a_later_one_names_the_measures_added_since(ws):
    """From the last round's review: a measure imported after the lock was counted in the later
    assessment's ratings and was in neither list (moved, unchanged). Now it is listed apart, on
    whichever side it is, and moved + unchanged are the measures both have."""
    lock_and_open_another(ws)
    change_the_catalogue(ws)
    with admin(ws) as ctx:
        ratings.rate(ctx, "kent-1", "green", "resourced provisions open", assessment=OPEN)
    with admin(ws, write=False) as ctx:
        ids = {a.name: a.id for a in ratings.list_assessments(ctx)}
        found = compare.compare(ctx, ids[LOCKED], ids[OPEN])
        back = compare.compare(ctx, ids[OPEN], ids[LOCKED])
    assert [(m.measure_id, m.rag.value) for m in found.only_second] == [
        ("kent-1", "green"),
        ("kent-2", "unrated"),
    ]
    assert found.only_first == () and len(found.moved) + found.unchanged == 27
    assert sum(found.second_rag.values()) == 29 and sum(found.first_rag.values()) == 27
    assert [m.measure_id for m in back.only_first] == ["kent-1", "kent-2"]
    assert back.only_second == () and back.unchanged == found.unchanged
