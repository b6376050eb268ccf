"""Docs that cannot go stale: every command has help, and docs/cli.md documents it."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from valvecheck.cli import app, run

DOCS = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def walk(command, path: tuple[str, ...] = ()):
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from walk(sub, (*path, name))


COMMANDS = [(p, c) for p, c in walk(typer.main.get_command(app)) if p]


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_command_has_help_and_is_documented(path, command):
    assert (command.help or "").strip(), f"valvecheck {' '.join(path)} has no help text"
    for param in command.params:
        if param.name in ("ctx", "help"):
            continue
        assert (getattr(param, "help", None) or "").strip(), (
            f"valvecheck {' '.join(path)}: {param.name} has no help text"
        )
    heading = f"### `valvecheck {' '.join(path)}`"
    assert heading in DOCS.read_text(), f"{heading} is missing from docs/cli.md"


def test_every_help_runs(capsys):
    for path, _ in COMMANDS:
        assert run([*path, "--help"]) == 0
        assert "Usage" in capsys.readouterr().out


def test_root_help(capsys):
    assert run(["--help"]) == 0
    assert "Valve" in capsys.readouterr().out
