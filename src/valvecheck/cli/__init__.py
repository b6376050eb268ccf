"""The command line: thin commands that parse arguments, call a service and print the result."""

from __future__ import annotations

import copy
import os
import sys
from collections.abc import Collection, Mapping, Sequence

import typer
from typer.core import TyperCommand, TyperGroup, TyperOption

from valvecheck.cli import activities as activity_commands
from valvecheck.cli import backup as backup_commands
from valvecheck.cli import catalogue as catalogue_commands
from valvecheck.cli import common as common_commands
from valvecheck.cli import core, output
from valvecheck.cli import impact as impact_commands
from valvecheck.cli import people as people_commands
from valvecheck.cli import programme as programme_commands
from valvecheck.cli import reports as report_commands
from valvecheck.cli import tokens as token_commands
from valvecheck.cli import web as web_commands
from valvecheck.errors import (
    ImportRejected,
    InputError,
    InputErrors,
    ValvecheckError,
    WorkspaceError,
    exit_status,
)

app = typer.Typer(
    name="valvecheck",
    help="Cross-reference a council's SEND programme against the measures in DfE Safety Valve "
    "agreements: which are we doing (green), emerging (amber), or not doing at all (red)?",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
core.register(app)
catalogue_commands.register(app)
activity_commands.register(app)
programme_commands.register(app)
common_commands.register(app)
report_commands.register(app)
people_commands.register(app)
web_commands.register(app)
impact_commands.register(app)
token_commands.register(app)
backup_commands.register(app)

# What to do next, for the workspace states a person can fix with a command.
WORKSPACE_HINTS = {
    "missing": "run 'valvecheck init' first",
    "outdated": "run 'valvecheck migrate' (nothing is lost)",
    "exists": "use another --db or remove it first",
}


def commands(argv: Sequence[str]) -> list[TyperCommand | TyperGroup]:
    """The commands ``argv`` runs, from the root group down to the command itself."""
    command = typer.main.get_command(app)
    assert isinstance(command, TyperCommand | TyperGroup)
    path = [command]
    args = iter(argv)
    for arg in args:
        if arg == "--":
            break
        if arg.startswith("-"):
            name = arg.split("=", 1)[0]
            option = next(
                (
                    p
                    for p in command.params
                    if isinstance(p, TyperOption) and name in (*p.opts, *p.secondary_opts)
                ),
                None,
            )
            if option is not None and not option.is_flag and "=" not in arg:
                next(args, None)  # its value
            continue
        sub = command.commands.get(arg) if isinstance(command, TyperGroup) else None
        if not isinstance(sub, TyperCommand | TyperGroup):
            break  # an argument of the command itself
        command = sub
        path.append(command)
    return path


def flags(argv: Sequence[str]) -> set[str]:
    """The options that ``argv``'s command takes, with the root's (--db, --council, --as)."""
    return {
        opt
        for command in commands(argv)
        for p in command.params
        if isinstance(p, TyperOption)
        for opt in (*p.opts, *p.secondary_opts)
    }


def message(exc: ValvecheckError, options: Collection[str] = ()) -> str:
    """The error's words, with the option it concerns named as the command line spells it,
    when the command has that option (``options``); a field that is the command's argument,
    or a web form's, is not named as a flag."""
    text = str(exc)
    if isinstance(exc, WorkspaceError) and exc.reason in WORKSPACE_HINTS:
        text = f"{text}: {WORKSPACE_HINTS[exc.reason]}"
    flag = f"--{exc.field.replace('_', '-')}" if exc.field else ""
    if flag in options and not text.startswith("--"):
        text = f"{flag}: {text}"
    return text


def _only(name: str | None) -> typer.Typer:
    """The app with only the top-level command (or group) called ``name``: none for None."""
    narrowed = copy.copy(app)
    narrowed.registered_commands = [c for c in app.registered_commands if c.name == name]
    narrowed.registered_groups = [g for g in app.registered_groups if g.name == name]
    return narrowed


def app_for(argv: Sequence[str]) -> typer.Typer:
    """The app that runs ``argv``: the root with only the command it names, since Typer reads
    the parameters of every command it is given (tens of milliseconds for them all). The whole
    app when no known command is named first (--help, a mistyped name: its help and its "did
    you mean" need every command)."""
    root = typer.main.get_command(_only(None))
    options = {
        opt: p
        for p in root.params
        if isinstance(p, TyperOption)
        for opt in (*p.opts, *p.secondary_opts)
    }
    args = iter(argv)
    for arg in args:
        if arg.startswith("-"):
            option = options.get(arg.split("=", 1)[0])
            if option is None:
                return app  # --help, --, or an option the root does not take
            if not option.is_flag and "=" not in arg:
                next(args, None)  # its value
            continue
        narrowed = _only(arg)
        return narrowed if narrowed.registered_commands or narrowed.registered_groups else app
    return app


# Settings read from the environment that are stored or compared as text (the council, the
# person acted as, the name recorded, the database's address).
TEXT_SETTINGS = ("DATABASE_URL", "VALVECHECK_COUNCIL", "VALVECHECK_AS", "VALVECHECK_USER")


def _written_out(value: str) -> str:
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def not_text(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> str | None:
    """What is wrong with the first argument, or text setting of the environment, that is not
    text (bytes that are not UTF-8, which Python keeps as lone surrogates), or None. A file's
    name is stored too (an import names its file in what it records), so it must be text."""
    for i, arg in enumerate(argv):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            option, value = None, arg
            if arg.startswith("--") and "=" in arg:
                option, value = arg.split("=", 1)
            elif i and argv[i - 1].startswith("-"):
                option = argv[i - 1]
            said = (
                f"'{_written_out(value)}' is not UTF-8 text: type it again, rename the file, "
                "or set the terminal to UTF-8"
            )
            return f"{option}: {said}" if option else said
    settings = os.environ if environ is None else environ
    for name in TEXT_SETTINGS:
        value = settings.get(name, "")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return f"{name}: '{_written_out(value)}' is not UTF-8 text: set it again"
    return None


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code: a ValvecheckError becomes one clear line on stderr."""
    argv = sys.argv[1:] if argv is None else argv
    for stream in (sys.stdout, sys.stderr):  # a file name of any bytes is shown, never a crash
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    wrong = not_text(argv)
    if wrong:
        output.error(f"{wrong} (nothing was changed)")
        return 2
    try:
        app_for(argv)(args=argv, prog_name="valvecheck")
    except SystemExit as exc:  # typer's own exit: help, usage errors, success
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except ImportRejected as exc:
        output.error(f"{exc.outcome}: {exc.total:,} problem(s) found")
        for problem in exc.problems:
            output.errors.print(f"  {output.shown(str(problem))}", markup=False, soft_wrap=True)
        if any(p.code == "reworded-measure" for p in exc.problems):
            output.errors.print(
                "A new version of an agreement: run again with --revise to see the changes, "
                "then with --revise --yes to apply them.",
                markup=False,
                soft_wrap=True,
            )
        return exit_status(exc)
    except InputErrors as exc:  # every problem of the command's values at once
        options = flags(argv)
        if len(exc.errors) == 1:
            output.error(message(exc, options))
        else:
            output.error(f"nothing was changed: {len(exc.errors)} problems found")
            for field, words in exc.errors.items():
                said = message(InputError(words, field=field), options)
                output.errors.print(f"  {output.shown(said)}", markup=False, soft_wrap=True)
        return exit_status(exc)
    except ValvecheckError as exc:
        output.error(message(exc, flags(argv)))
        return exit_status(exc)
    except OSError as exc:  # a file or folder the user named cannot be read or written
        where = f"{exc.filename}: " if exc.filename else ""
        output.error(f"{where}{exc.strerror or exc}")
        return 1
    return 0


def main() -> None:
    sys.exit(run())
