"""Defects QA found in the importers and the command line, each pinned by a test that failed before
its fix: overlong CSV rows and unclosed quotes, workbooks named .csv, every problem of an impact
file at once, councils listed without choosing one, flags that do not exist named in messages,
--as in another council, the assessments hint, and a partial revision rewriting the wrong measure.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import re
from pathlib import Path

import pytest
from catalogue_files import seed_rows
from conftest import SEED
from support import workbook as _xlsx
from support import write_file as _write

from valvecheck import cli as cli_module
from valvecheck.errors import ValvecheckError

SRC = Path(__file__).resolve().parents[1] / "src" / "valvecheck"
ACTIVITIES = "ID,Title,Owner\na-1,Outreach,Ann\na-2,Panel,Bob\n"


def _activity_ids(cli) -> list[str]:  # type: ignore[no-untyped-def]
    code, out, _ = cli("activities", "list")
    assert code == 0
    return [line.split("\t")[0] for line in out.splitlines()[2:] if line.strip()]


def _savings(cli) -> list[str]:  # type: ignore[no-untyped-def]
    """Every savings entry recorded on a-1 and a-2, as the history lists them."""
    rows = []
    for activity in ("a-1", "a-2"):
        code, out, err = cli("impact", "history", activity)
        assert code == 0, err
        rows += [f"{activity} {line}" for line in out.splitlines() if line.startswith("20")]
    return rows


def _measures(cli) -> dict[str, str]:  # type: ignore[no-untyped-def]
    data = json.loads(cli("export", "--format", "json")[1])
    return {m["id"]: m["recommendation"] for m in data["measures"]}


# -- 1. a row with more cells than the header ---------------------------------------------------


def test_impact_money_unquoted_with_a_comma_is_refused_not_read_as_pounds(ws, cli, tmp_path):
    assert cli("activities", "import", str(_write(tmp_path, "a.csv", ACTIVITIES)))[0] == 0
    savings = _write(
        tmp_path, "savings.csv", "activity,year,expected\na-1,2025-26,£250,000\na-2,2025-26,100\n"
    )
    code, _, err = cli("impact", "import", str(savings))
    assert code == 1
    assert "savings.csv, line 2:" in err and "[bad-csv]" in err
    assert "4 cells" in err and "header (line 1) has 3" in err
    assert _savings(cli) == []  # nothing stored (it was £250.00, and a-2's row)
    # quoted, the same amount is read whole
    savings.write_text('activity,year,expected\na-1,2025-26,"£250,000"\n', encoding="utf-8")
    code, out, err = cli("impact", "import", str(savings))
    assert code == 0, err
    (entry,) = _savings(cli)
    assert "£250,000.00" in entry


def test_activities_csv_row_with_an_extra_cell_is_refused(ws, cli, tmp_path):
    path = _write(tmp_path, "acts.csv", "ID,Title,Owner\na-1,Outreach,Ann\na-2,Panel,Smith, Bob\n")
    code, _, err = cli("activities", "import", str(path))
    assert code == 1
    assert "acts.csv, line 3:" in err and "[bad-csv]" in err and "4 cells" in err
    assert _activity_ids(cli) == []


def test_an_empty_cell_past_the_header_is_not_a_problem(ws, cli, tmp_path):
    path = _write(tmp_path, "acts.csv", "ID,Title,Owner\na-1,Outreach,Ann,\na-2,Panel,Bob,,\n")
    code, _, err = cli("activities", "import", str(path))
    assert code == 0, err
    assert _activity_ids(cli) == ["a-1", "a-2"]


def test_catalogue_csv_row_with_an_extra_cell_is_refused(ws, cli, tmp_path):
    before = _measures(cli)
    path = _write(
        tmp_path,
        "measures.csv",
        "LA,Recommendation,Theme\nBury,Reform the panel.,T\nBury,Save £1,000 a place.,T\n",
    )
    code, _, err = cli("import", "catalogue", str(path))
    assert code == 1
    assert "measures.csv, line 3:" in err and "[bad-csv]" in err and "4 cells" in err
    assert _measures(cli) == before


# -- 2. an unclosed quote ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "text", "line"),
    [
        (("activities", "import"), 'ID,Title\na-1,Outreach\na-2,"Panel\na-3,Three\n', 3),
        (("import", "catalogue"), 'LA,Recommendation\nBury,"Reform it.\nBury,More.\n', 2),
        (("impact", "import"), 'activity,year,expected\n"a-1,2025-26,10\n', 2),
    ],
)
def test_an_unclosed_quote_is_refused_at_the_line_it_opens(ws, cli, tmp_path, command, text, line):
    if command[0] == "impact":
        assert cli("activities", "import", str(_write(tmp_path, "a.csv", ACTIVITIES)))[0] == 0
    before = _measures(cli), _activity_ids(cli)
    code, _, err = cli(*command, str(_write(tmp_path, "bad.csv", text)))
    assert code == 1
    assert f"bad.csv, line {line}:" in err and "[bad-csv]" in err
    assert "never closed" in err
    assert (_measures(cli), _activity_ids(cli)) == before
    if command[0] == "impact":
        assert _savings(cli) == []


def test_a_closed_multi_line_cell_is_still_read(ws, cli, tmp_path):
    path = _write(tmp_path, "a.csv", 'ID,Title,Description\na-1,Outreach,"two\nlines"\n')
    code, _, err = cli("activities", "import", str(path))
    assert code == 0, err


# -- 7. a workbook named .csv ------------------------------------------------------------------


def test_a_workbook_named_csv_gets_one_message_from_every_import(ws, cli, tmp_path):
    messages = []
    for command, rows in (
        (("activities", "import"), [["ID", "Title"], ["a-1", "Outreach"]]),
        (("import", "catalogue"), [["LA", "Recommendation"], ["Bury", "Reform it."]]),
        (("impact", "import"), [["activity", "year", "expected"], ["a-1", "2025-26", "10"]]),
    ):
        path = _write(tmp_path, "book.csv", _xlsx(rows))
        code, _, err = cli(*command, str(path))
        assert code == 1, err
        (problem,) = [line.strip() for line in err.splitlines() if "[" in line]
        messages.append(problem)
    assert len(set(messages)) == 1, messages
    assert "book.csv:" in messages[0] and "an Excel workbook" in messages[0]
    assert "[misnamed-file]" in messages[0] and ".xlsx" in messages[0]
    assert _activity_ids(cli) == []


# -- 8. every problem of an impact file together -----------------------------------------------


def test_impact_import_lists_unknown_activities_with_the_other_problems(ws, cli, tmp_path):
    assert cli("activities", "import", str(_write(tmp_path, "a.csv", ACTIVITIES)))[0] == 0
    path = _write(
        tmp_path,
        "savings.csv",
        "activity,year,expected\nnope-1,2025-26,10\na-1,20x,10\nnope-2,2025-26,abc\na-2,2025-26,5\n",
    )
    code, _, err = cli("impact", "import", str(path))
    assert code == 1
    listed = [line.strip() for line in err.splitlines() if line.startswith("  ")]
    assert [re.search(r"line (\d+)", p).group(1) for p in listed] == ["2", "3", "4", "4"]  # type: ignore[union-attr]
    assert "savings.csv, line 2, column activity: there is no activity 'nope-1'" in listed[0]
    assert "[unknown-activity]" in listed[0] and "column year" in listed[1]
    assert {"[unknown-activity]" in p for p in listed[2:]} == {True, False}
    assert "4 problem(s)" in err
    assert _savings(cli) == []


def test_weights_import_lists_unknown_activities_with_the_other_problems(ws, cli, tmp_path):
    assert cli("activities", "import", str(_write(tmp_path, "a.csv", ACTIVITIES)))[0] == 0
    path = _write(tmp_path, "w.csv", "activity,measure,weight\nnope,bury-1,1\na-1,bury-1,lots\n")
    code, _, err = cli("impact", "import-weights", str(path))
    assert code == 1
    assert "w.csv, line 2, column activity" in err and "[unknown-activity]" in err
    assert "w.csv, line 3, column weight" in err


# -- 3. councils list and add without choosing a council ---------------------------------------


def test_councils_list_and_add_need_no_council_when_there_are_several(ws, cli):
    assert cli("councils", "add", "Leeds")[0] == 0
    code, out, err = cli("councils", "list")
    assert code == 0, err
    assert "Bristol" in out and "Leeds" in out
    code, out, err = cli("councils", "add", "York")
    assert code == 0, err
    assert "York" in cli("councils", "list")[1]
    # a registered person still sees only their own council
    assert cli("--council", "Leeds", "users", "add", "lee", "--role", "viewer")[0] == 0
    code, out, _ = cli("--as", "lee", "councils", "list")
    assert code == 0 and "Leeds" in out and "Bristol" not in out
    # and council work still needs a council
    code, _, err = cli("summary")
    assert code == 1 and "--council" in err


# -- 4. no message names a flag its command does not have --------------------------------------


def _all_commands() -> list[list[str]]:
    import typer
    from typer.core import TyperGroup

    out: list[list[str]] = []

    def walk(command, path: list[str]) -> None:  # type: ignore[no-untyped-def]
        if isinstance(command, TyperGroup):
            for name, sub in command.commands.items():
                walk(sub, [*path, name])
        else:
            out.append(path)

    walk(typer.main.get_command(cli_module.app), [])
    return out


def _fields() -> set[str]:
    """Every ``field=`` an error is raised with, anywhere in the package."""
    found = set()
    for path in SRC.rglob("*.py"):
        found |= set(re.findall(r"\bfield=\"([a-z_]+)\"", path.read_text(encoding="utf-8")))
    return found


def test_error_messages_name_only_flags_the_command_has():
    commands = _all_commands()
    fields = _fields()
    assert len(commands) > 30 and {"name", "activity", "council", "as"} <= fields
    for path in commands:
        options = cli_module.flags(path)
        for field in fields:
            text = cli_module.message(ValvecheckError("it went wrong", field=field), options)
            for flag in re.findall(r"--[a-z][a-z-]*", text):
                assert flag in options, (path, field, text)


def _literal_flags() -> set[tuple[str, str]]:
    """(file, flag) for every --flag in a string a command prints (help texts left out)."""
    found = set()
    for path in [*(SRC / "cli").glob("*.py"), SRC / "errors.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        helps = {
            id(node.value)
            for node in ast.walk(tree)
            if isinstance(node, ast.keyword) and node.arg == "help"
        }
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.Module | ast.ClassDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
        }
        for node in ast.walk(tree):
            if id(node) in helps or id(node) in docstrings:
                continue
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                for flag in re.findall(r"(?<![\w-])--[a-z][a-z-]*", node.value):
                    found.add((path.name, flag))
    return found


def test_every_flag_a_message_names_exists():
    every = {flag for path in _all_commands() for flag in cli_module.flags(path)}
    named = _literal_flags()
    assert named  # the walk finds the hints (e.g. 'use another --db')
    assert {(f, flag) for f, flag in named if flag not in every} == set()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("users", "role", "nobody", "admin"), "there is no person called 'nobody'"),
        (("users", "remove", "nobody"), "there is no person called 'nobody'"),
        (("activities", "show", "NOPE"), "there is no activity 'NOPE'"),
        (("assessments", "new", "Bristol: mitigation validation exercise"), "already exists"),
        (("councils", "add", "Bristol"), "already a council called 'Bristol'"),
    ],
)
def test_a_missing_thing_named_by_an_argument_is_not_called_a_flag(ws, cli, args, words):
    code, _, err = cli(*args)
    assert code in (1, 4)
    assert words in err
    assert not re.search(r"--(name|activity)\b", err), err


def test_an_assessment_name_differing_only_in_case_or_spacing_is_taken(ws, cli):
    """Two names that differ only so are near-twins in every list (from a QA pass)."""
    code, _, err = cli("assessments", "new", "bristol:  MITIGATION validation exercise")
    assert code == 4, err
    assert (
        "an assessment called 'Bristol: mitigation validation exercise' (as 'bristol: MITIGATION "
        "validation exercise' is written) already exists"
    ) in " ".join(err.split())
    assert cli("assessments", "new", "Bristol: mitigation validation exercise 2")[0] == 0
    # and a name is found whatever its case, so an import naming it so rates that one
    code, out, err = cli("summary", "--assessment", "BRISTOL: Mitigation Validation Exercise")
    assert code == 0, err
    assert "Assessment: Bristol: mitigation validation exercise" in out
    listed = cli("assessments", "list")[1].lower()
    assert listed.count("mitigation validation exercise") == 2  # the first and "... 2"


def test_a_field_that_is_an_option_is_still_named_as_the_flag(ws, cli):
    code, _, err = cli("rate", "bury-1", "red", "--assessment", "nope")
    assert code == 1 and err.startswith("error: --assessment: there is no assessment 'nope'")


# -- 5. --as in another council ----------------------------------------------------------------


def test_acting_as_a_person_of_another_council_is_forbidden_exit_3(ws, cli):
    assert cli("councils", "add", "Leeds")[0] == 0
    assert cli("--council", "Leeds", "users", "add", "lee", "--role", "admin")[0] == 0
    code, _, err = cli("--as", "lee", "--council", "Bristol", "summary")
    assert code == 3
    assert "lee works in Leeds, not in 'Bristol'" in err
    docs = (Path(__file__).resolve().parents[1] / "docs" / "cli.md").read_text(encoding="utf-8")
    assert "| 3 | `forbidden`, `unauthenticated` |" in docs


# -- 6. the assessments new hint ---------------------------------------------------------------


def test_the_assessments_new_hint_names_the_council_when_there_are_several(ws, cli):
    code, out, _ = cli("assessments", "new", "Autumn")
    assert code == 0
    assert "with: valvecheck assessments use Autumn)" in out  # one council: no --council
    assert cli("councils", "add", "Leeds")[0] == 0
    code, out, err = cli("--council", "Bristol", "assessments", "new", "Bristol: spring 2027")
    assert code == 0, err
    hint = out.split("with: ", 1)[1].rstrip(")\n")
    assert hint == 'valvecheck --council Bristol assessments use "Bristol: spring 2027"'
    # the hint, run as printed, works
    assert (
        cli(*hint.replace('"Bristol: spring 2027"', "X").split()[1:-1], "Bristol: spring 2027")[0]
        == 0
    )


def test_the_no_activities_and_no_impact_hints_name_the_council_when_there_are_several(ws, cli):
    assert cli("councils", "add", "Leeds")[0] == 0
    code, out, err = cli("--council", "Leeds", "suggest")
    assert code == 0, err
    assert out == (
        "No activities yet: import them with 'valvecheck --council Leeds activities import FILE'.\n"
    )
    code, out, err = cli("--council", "Leeds", "impact")
    assert code == 0, err
    assert "'valvecheck --council Leeds impact set'" in out
    assert "'valvecheck --council Leeds trajectory import FILE'" in out


# -- 9. a partial revision never rewrites another measure --------------------------------------


def _catalogue_csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["LA", "Recommendation", "Theme", "Sub-Theme", "RAG"])
    writer.writerows(rows)
    return out.getvalue()


def test_a_partial_revision_revises_the_measure_it_rewords_and_no_other(ws, cli, tmp_path):
    hf = [r[:] for r in seed_rows(SEED) if r[0] == "Hammersmith and Fulham"]
    before = _measures(cli)
    old = before["hammersmith-fulham-6"]
    assert hf[5][1] == old
    reworded = old.replace("Hammersmith and Fulham", "H&F", 1) + " Revised in 2023."
    path = _write(tmp_path, "hf-6.csv", _catalogue_csv([[hf[5][0], reworded, *hf[5][2:]]]))
    code, out, err = cli("import", "catalogue", str(path), "--revise")
    assert code == 0, err
    assert "hammersmith-fulham-6" in out and "hammersmith-fulham-1" not in out
    code, out, err = cli("import", "catalogue", str(path), "--revise", "--yes")
    assert code == 0, err
    after = _measures(cli)
    assert after["hammersmith-fulham-6"] == reworded
    assert {k: v for k, v in after.items() if k != "hammersmith-fulham-6"} == {
        k: v for k, v in before.items() if k != "hammersmith-fulham-6"
    }


def test_a_revision_with_an_unrelated_text_adds_it_and_rewrites_nothing(ws, cli, tmp_path):
    before = _measures(cli)
    new = "Open a new special free school for 120 autistic children by September 2026."
    path = _write(tmp_path, "bury.csv", _catalogue_csv([["Bury", new, "Places", "", ""]]))
    code, out, err = cli("import", "catalogue", str(path), "--revise", "--yes")
    assert code == 0, err
    after = _measures(cli)
    assert {k: after[k] for k in before} == before
    (added,) = set(after) - set(before)
    assert after[added] == new and added.startswith("bury-")
