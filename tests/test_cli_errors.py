"""A user's setup mistakes are one clear line on stderr, never a traceback."""

from __future__ import annotations

import io
import os

import pytest

from valvecheck.cli import run
from valvecheck.store.db import Workspace


def fails(capsys, *argv: str) -> str:
    capsys.readouterr()
    assert run(list(argv)) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    return err


def test_a_folder_is_not_a_workspace(tmp_path, capsys):
    (tmp_path / "folder").mkdir()
    err = fails(capsys, "--db", str(tmp_path / "folder"), "init")
    assert "folder" in err and str(tmp_path / "folder") in err


@pytest.mark.parametrize("command", [("summary",), ("init",), ("measures",)])
def test_a_file_that_is_not_a_database(tmp_path, capsys, command):
    bad = tmp_path / "notes.db"
    bad.write_text("these are my notes, not a database\n")
    err = fails(capsys, "--db", str(bad), *command)
    assert str(bad) in err and "not a database" in err


def test_an_unknown_kind_of_url(capsys):
    assert "database URL" in fails(capsys, "--db", "foo://somewhere/x", "summary")


def test_a_server_that_does_not_answer(capsys):
    err = fails(capsys, "--db", "postgresql+psycopg://postgres@127.0.0.1:1/none", "summary")
    assert "127.0.0.1" in err


def test_passwords_are_never_shown():
    ws = Workspace("postgres://ann:S3cret@db.example/valvecheck")
    assert "S3cret" not in ws.label and ws.url.startswith("postgresql+psycopg://")


@pytest.mark.parametrize(
    "args",
    [
        ("report", "--out", "{file}"),
        ("export", "--out", "{folder}"),
        ("export", "--out", "{missing}/x.csv"),
    ],
)
def test_outputs_that_cannot_be_written(tmp_path, capsys, args):
    db = str(tmp_path / "w.db")
    assert run(["--db", db, "init"]) == 0
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "a-folder").mkdir()
    names = {
        "{file}": str(tmp_path / "a-file"),
        "{folder}": str(tmp_path / "a-folder"),
        "{missing}": str(tmp_path / "missing"),
    }
    argv = [next((a.replace(k, v) for k, v in names.items() if k in a), a) for a in args]
    fails(capsys, "--db", db, *argv)


def test_a_bad_setting_is_one_line_before_any_output(tmp_path, capsys, monkeypatch):
    db = str(tmp_path / "w.db")
    assert run(["--db", db, "init"]) == 0
    monkeypatch.setenv("VALVECHECK_YEAR_BASIS", "bogus")
    for command in (["summary"], ["show", "bury-1"]):
        capsys.readouterr()
        assert run(["--db", db, *command]) == 1
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err.startswith("error: VALVECHECK_YEAR_BASIS")
    monkeypatch.setenv("VALVECHECK_YEAR_BASIS", " Academic ")
    assert run(["--db", db, "show", "bury-1"]) == 0
    assert "academic year" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--theme", "Financial Efficiency"], "there is no theme 'Financial Efficiency'"),
        (["--sub-theme", "Comissioning"], "there is no sub-theme 'Comissioning'"),
        (["--authority", "Leeds"], "no authority in the catalogue is called 'Leeds'"),
        (["--text", "_"], "the search holds no letter or digit"),
    ],
)
def test_a_filter_no_measure_could_match_is_an_error_not_zero_measures(ws, cli, args, said):
    code, out, err = cli("measures", *args)
    assert code != 0 and out == ""
    assert said in " ".join(err.split())


def test_a_theme_in_any_case_and_words_in_quotes_still_find_measures(ws, cli):
    code, out, _ = cli("measures", "--theme", "financial efficiencies", "--text", '"peer review"')
    assert code == 0 and "kingston-richmond-6" in out


def test_one_of_a_thing_is_said_in_the_singular(ws, cli, tmp_path):
    tracker = tmp_path / "one.csv"
    tracker.write_text("ID,Name\nB-1,SENCO network\n")
    code, out, _ = cli("activities", "import", str(tracker))
    assert code == 0 and f"Imported 1 activity from {tracker}" in out
    assert cli("measures", "--text", "timeliness")[1].splitlines()[0].startswith("# 1 measure ")
    backup = tmp_path / "b.json"
    code, out, _ = cli("backup", str(backup))
    assert code == 0 and "1 activity," in out and "1 assessment," in out


def test_valvecheck_user_names_who_rated_when_by_is_not_given(ws, cli, monkeypatch):
    """As docs/cli.md says: --by, else VALVECHECK_USER, else the login name."""
    monkeypatch.setenv("VALVECHECK_USER", "Ann Lee")
    assert cli("rate", "bury-2", "green", "--rationale", "hubs")[0] == 0
    assert cli("rate", "bury-3", "amber", "--rationale", "panel", "--by", "Bo")[0] == 0
    history = cli("history", "bury-2")[1] + cli("history", "bury-3")[1]
    assert "Ann Lee" in history and "Bo" in history


def _undecodable(raw: bytes) -> str:
    """An argument as Python hands it over when the terminal sent bytes that are not UTF-8."""
    return raw.decode("utf-8", "surrogateescape")


def test_a_value_that_is_not_utf8_text_is_refused_naming_its_option(tmp_path, capsys):
    db = str(tmp_path / "w.db")
    assert run(["--db", db, "init"]) == 0
    capsys.readouterr()
    assert run(["--db", db, "rate", "bury-1", "amber", "--by", _undecodable(b"Jos\xe9")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --by: 'Jos\\xe9' is not UTF-8 text") and "Traceback" not in err
    evidence = "--evidence=" + _undecodable(b"p\xff")
    assert run(["--db", db, "rate", "bury-1", "red", evidence]) == 2
    assert "--evidence: 'p\\xff'" in capsys.readouterr().err
    assert run(["--db", db, "history", "bury-1"]) == 0
    assert "Jos" not in capsys.readouterr().out  # nothing was rated


def test_a_file_name_that_is_not_utf8_is_refused_naming_it(tmp_path, capsys):
    """An import records its file's name, so the name must be text: refused in one line, with
    nothing imported (it was a database traceback)."""
    db = str(tmp_path / "w.db")
    assert run(["--db", db, "init"]) == 0
    name = tmp_path.as_posix().encode() + b"/activit\xe9s.csv"
    with open(name, "wb") as f:
        f.write(b"activity_id,title\nA-1,SENCO network\n")
    capsys.readouterr()
    assert run(["--db", db, "activities", "import", _undecodable(name)]) == 2
    err = capsys.readouterr().err
    assert "activit\\xe9s.csv' is not UTF-8 text" in err and "rename the file" in err
    assert run(["--db", db, "activities", "list"]) == 0
    assert "SENCO network" not in capsys.readouterr().out


def test_a_setting_that_is_not_utf8_is_refused_naming_it(tmp_path, capsys, monkeypatch):
    db = str(tmp_path / "w.db")
    assert run(["--db", db, "init"]) == 0
    council = _undecodable(b"Le\xe9ds")  # as Python reads it from a Latin-1 shell's environment
    monkeypatch.setattr("os.environ", {**os.environ, "VALVECHECK_COUNCIL": council})
    capsys.readouterr()
    assert run(["--db", db, "measures"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: VALVECHECK_COUNCIL: 'Le\\xe9ds' is not UTF-8 text")


def test_a_password_on_stdin_that_is_not_utf8_is_refused(tmp_path, capsys, monkeypatch):
    db = str(tmp_path / "w.db")
    assert run(["--db", db, "init"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(_undecodable(b"a long pass\xe9word 1234\n")))
    capsys.readouterr()
    argv = ["--db", db, "users", "add", "zz.zz", "--role", "viewer", "--password-stdin"]
    assert run(argv) == 1
    err = capsys.readouterr().err
    assert "not UTF-8 text" in err and "Traceback" not in err
    assert run(["--db", db, "users", "list"]) == 0
    assert "zz.zz" not in capsys.readouterr().out
