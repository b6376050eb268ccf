"""Printing: Rich tables on a terminal, plain tab-separated text when piped."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from valvecheck.domain.rag import Rag

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)


def is_terminal() -> bool:
    return console.is_terminal


def rag_text(rag: Rag) -> str:
    """The RAG word, coloured on a terminal (the word is always there, never colour alone)."""
    if is_terminal():
        return f"[black on #{rag.colour}] {rag.label} [/]"
    return rag.label


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    if is_terminal():
        t = Table(title=title, title_justify="left", show_lines=False)
        for c in columns:
            t.add_column(c, overflow="fold")
        for r in rows:
            t.add_row(*("" if v is None else str(v) for v in r))
        console.print(t)
        return
    out = sys.stdout
    if title:
        out.write(f"# {title}\n")
    out.write("\t".join(columns) + "\n")
    for r in rows:
        out.write("\t".join("" if v is None else str(v).replace("\t", " ") for v in r) + "\n")


def line(text: str = "") -> None:
    if is_terminal():
        console.print(text)
    else:
        sys.stdout.write(_plain(text) + "\n")


def _plain(text: str) -> str:
    from rich.text import Text

    return Text.from_markup(text).plain


def print_json(payload: object) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")


def error(message: str) -> None:
    errors.print(f"[bold red]error:[/] {message}", markup=True, soft_wrap=True)
