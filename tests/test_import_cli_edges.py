"""The command line's edges found by a new user: a bad --date is a usage error, a workspace in a
folder that does not exist is refused, a measure's text wraps on a 100-column terminal, and the
README's data-package lines work as written."""

from __future__ import annotations

import io
import shlex
from pathlib import Path

import pytest
from conftest import ROOT
from rich.console import Console

from valvecheck.cli import output, run


def test_a_report_date_of_the_wrong_form_is_a_usage_error(ws, cli):
    code, out, err = cli("report", "--date", "2026-13-45")
    assert code == 2 and "'2026-13-45' is not a date" in err and not out


def test_a_workspace_in_a_folder_that_does_not_exist_is_refused(cli, tmp_path):
    db = tmp_path / "no" / "such" / "dir" / "x.db"
    code, _, err = cli("init", db=str(db))
    assert code == 1 and "does not exist" in err
    assert not (tmp_path / "no").exists()


@pytest.fixture
def terminal(monkeypatch) -> io.StringIO:  # type: ignore[no-untyped-def]
    """A 100-column terminal, as Rich sees one."""
    screen = io.StringIO()
    console = Console(file=screen, width=100, force_terminal=True, color_system=None)
    monkeypatch.setattr(output, "console", console)
    return screen


def test_a_measures_text_wraps_on_a_100_column_terminal(ws, cli, terminal):
    code, _, err = cli("measures")
    assert code == 0, err
    lines = terminal.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 100
    # the text reads in lines of words, not a column of 12-letter fragments
    text = " ".join(line.strip(" │") for line in lines)
    assert "Strengthen their Special Educational Needs assessment" in text, lines[:12]


def test_a_wide_terminal_still_shows_a_table(ws, cli, monkeypatch):
    screen = io.StringIO()
    console = Console(file=screen, width=220, force_terminal=True, color_system=None)
    monkeypatch.setattr(output, "console", console)
    assert cli("measures")[0] == 0
    shown = screen.getvalue()
    assert "┃ Recommendation" in shown and "Strengthen their Special Educational Needs" in shown


def readme_lines(marker: str) -> list[list[str]]:
    """The README's command lines from the one containing `marker` to the end of its block."""
    text = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(text) if marker in line)
    block = []
    for line in text[start:]:
        if not line.startswith("valvecheck "):
            break
        block.append(shlex.split(line.split("#")[0])[1:])
    return block


def test_the_readmes_data_package_lines_work_as_written(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert run(["init"]) == 0
    lines = readme_lines("export --format datapackage")
    assert len(lines) == 2, lines
    for args in lines:
        assert run(args) == 0, capsys.readouterr().err
    assert run(["--db", "other.db", "measures"]) == 0
    out = capsys.readouterr().out
    assert "bury-1" in out and "stoke-on-trent-8" in out
    assert Path("other.db").exists()


def test_a_package_that_would_not_import_creates_no_workspace(tmp_path, cli):
    bad = tmp_path / "datapackage.json"
    bad.write_text("{}", encoding="utf-8")
    db = tmp_path / "new.db"
    code, _, err = cli("init", "--catalogue", str(bad), db=str(db))
    assert code == 1 and "[bad-descriptor]" in err
    assert not db.exists()
