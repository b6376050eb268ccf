"""Text from a user or a file is shown, never obeyed: no Rich markup, no terminal escapes."""

from __future__ import annotations

import io

from rich.console import Console

from valvecheck.cli import output, run


def test_an_error_naming_markup_is_one_line_not_a_traceback(tmp_path, capsys):
    db = str(tmp_path / "w.db")
    assert run(["--db", db, "init"]) == 0
    capsys.readouterr()
    assert run(["--db", db, "show", "[/x]"]) == 1
    err = capsys.readouterr().err
    assert err == "error: there is no measure '[/x]'\n"


def test_an_escape_sequence_in_an_error_is_written_out(tmp_path, capsys):
    db = str(tmp_path / "w.db")
    assert run(["--db", db, "init"]) == 0
    capsys.readouterr()
    assert run(["--db", db, "show", "a\x1b[31mred\x07"]) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err
    assert "'a\\x1b[31mred\\x07'" in err


def test_a_terminal_is_shown_control_characters_written_out(tmp_path, monkeypatch):
    screen = io.StringIO()
    monkeypatch.setattr(output, "console", Console(file=screen, force_terminal=True, width=200))
    output.line("Rated ", output.bold("x\x1b]0;owned\x07"), " with \x9b2J")
    output.table("An [/x] \x1b[2J title", ["id", "text"], [["a-1", "tab\there \x1b[31mred"]])
    shown = screen.getvalue()
    # Rich's own styling uses escapes; the user's text must add none of its own
    assert "]0;owned" in shown and "\x1b]0;" not in shown and "\x07" not in shown
    assert "\\x1b]0;owned\\x07" in shown and "\\x9b2J" in shown
    assert "An [/x] \\x1b[2J title" in shown and "\\x1b[31mred" in shown


def test_piped_output_keeps_the_data_as_it_is(capsys):
    output.line("a\x1b[31mb")
    output.table("", ["id"], [["x\x1by"]])
    out = capsys.readouterr().out
    assert "a\x1b[31mb\n" in out and "x\x1by\n" in out


def test_export_to_a_terminal_writes_control_characters_out(tmp_path, capsys, monkeypatch):
    db = str(tmp_path / "w.db")
    assert run(["--db", db, "init"]) == 0
    why = "why \x1b]0;TITLE\x07 \x1b[2J"
    assert run(["--db", db, "rate", "bury-1", "green", "--rationale", why]) == 0
    capsys.readouterr()
    assert run(["--db", db, "export"]) == 0  # piped: the data as it is
    assert why in capsys.readouterr().out
    monkeypatch.setattr(output, "is_terminal", lambda: True)
    assert run(["--db", db, "export"]) == 0
    shown = capsys.readouterr().out
    assert "\x1b" not in shown and "\x07" not in shown and "\r" not in shown
    assert "why \\x1b]0;TITLE\\x07 \\x1b[2J" in shown
