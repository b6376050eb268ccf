"""Printing: Rich tables on a terminal, plain tab-separated text when piped."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from valvecheck.domain.rag import Rag

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)


def is_terminal() -> bool:
    return console.is_terminal


def rag_text(rag: Rag) -> Text | str:
    """The RAG word, coloured on a terminal (the word is always there, never colour alone)."""
    if is_terminal():
        return Text(f" {rag.label} ", style=f"black on #{rag.colour}")
    return rag.label


def _cell(value: object) -> Text:
    """Values are shown as they are: text from a user is never read as Rich markup."""
    if isinstance(value, Text):
        return value
    return Text("" if value is None else str(value))


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    if is_terminal():
        t = Table(title=title, title_justify="left", show_lines=False)
        for i, c in enumerate(columns):
            t.add_column(c, overflow="fold", no_wrap=i == 0)  # ids stay whole
        for r in rows:
            t.add_row(*(_cell(v) for v in r))
        console.print(t)
        return
    out = sys.stdout
    if title:
        out.write(f"# {title}\n")
    out.write("\t".join(columns) + "\n")
    for r in rows:
        out.write("\t".join(_cell(v).plain.replace("\t", " ") for v in r) + "\n")


def line(*parts: str | Text) -> None:
    """One line from plain strings (never read as markup) and styled Text parts."""
    text = Text.assemble(*parts)
    if is_terminal():
        console.print(text)
    else:
        sys.stdout.write(text.plain + "\n")


def bold(value: str) -> Text:
    return Text(value, style="bold")


def print_json(payload: object) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")


def error(message: str) -> None:
    errors.print(f"[bold red]error:[/] {message}", markup=True, soft_wrap=True)


def note(message: str) -> None:
    """A remark for the person (which assessment, what was assumed): on standard error, so
    that piped output stays data."""
    errors.print(message, markup=False, highlight=False, soft_wrap=True)


def progress_callback() -> Callable[[str, int, int], None] | None:
    """What long work reports its progress to: nothing yet when not on a terminal."""
    return None
