"""Printing: Rich tables on a terminal, plain tab-separated text when piped."""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.padding import Padding
from rich.text import Text

from valvecheck.domain.rag import Rag

if TYPE_CHECKING:  # Rich's tables and progress bars are loaded on a terminal only
    from rich.progress import Progress, ProgressColumn, TaskID

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)


def is_terminal() -> bool:
    return console.is_terminal


# Control characters other than tab and newline (C0, DEL, C1): in text from a user or a file,
# an escape sequence would move the cursor, recolour or retitle the person's terminal.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def shown(text: str) -> str:
    """Text as a terminal should show it: each control character written out (``\\x1b``)."""
    return CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def rag_text(rag: Rag) -> Text | str:
    """The RAG word, coloured on a terminal (the word is always there, never colour alone)."""
    if is_terminal():
        return Text(f" {rag.label} ", style=f"black on #{rag.colour}")
    return rag.label


def _cell(value: object) -> Text:
    """Values are shown as they are: text from a user is never read as Rich markup."""
    if isinstance(value, Text):
        return value
    return Text("" if value is None else shown(str(value)))


TEXT_MIN = 30  # the widest column (a measure's text) is never narrower than this
SIDE_MIN, SIDE_MAX = 10, 20  # other long columns (theme, sub-theme) wrap between these widths


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    if is_terminal():
        cells = [[_cell(v) for v in r] for r in rows]
        longest = [
            max([len(c), *(len(r[i].plain) for r in cells if i < len(r))])
            for i, c in enumerate(columns)
        ]
        # The longest column is the text people read: it keeps its room and wraps. Other long
        # columns wrap narrower; short ones (ids, dates, RAG) stay whole. When even that does not
        # fit the terminal, each row is printed as a short line and its long cells below it.
        text = max(range(len(columns)), key=longest.__getitem__, default=0)
        short = [i == 0 or n <= 12 for i, n in enumerate(longest)]
        needed = sum(
            n if short[i] else TEXT_MIN if i == text else min(n, SIDE_MIN)
            for i, n in enumerate(longest)
        )
        if needed + 3 * len(columns) + 1 > console.width:
            _records(title, columns, cells, short)
            return
        from rich.table import Table

        t = Table(title=Text(shown(title)), title_justify="left", show_lines=False)
        for i, c in enumerate(columns):
            if short[i]:
                t.add_column(c, no_wrap=True)
            elif i == text:
                t.add_column(c, overflow="fold", ratio=1, min_width=min(TEXT_MIN, longest[i]))
            else:
                t.add_column(c, overflow="fold", max_width=max(SIDE_MAX, len(c)))
        for r in cells:
            t.add_row(*r)
        console.print(t)
        return
    out = sys.stdout
    if title:
        out.write(f"# {title}\n")
    out.write("\t".join(columns) + "\n")
    for row in rows:
        out.write("\t".join(_plain(v).replace("\t", " ") for v in row) + "\n")


def _plain(value: object) -> str:
    """A cell as plain text (no Rich object made for a value that is already text)."""
    if isinstance(value, str):
        return value
    if isinstance(value, Text):
        return value.plain
    return "" if value is None else str(value)


def _records(
    title: str, columns: Sequence[str], cells: list[list[Text]], short: list[bool]
) -> None:
    """A table too wide for the terminal, a row at a time: its short cells on one line, then
    each long cell under its heading, wrapped to the terminal's width."""
    if title:
        console.print(Text(shown(title), style="bold"))
    for r in cells:
        console.print(Text("  ").join(v for i, v in enumerate(r) if short[i] and v.plain))
        for i, v in enumerate(r):
            if not short[i] and v.plain:
                console.print(Padding(Text.assemble((f"{columns[i]}: ", "bold"), v), (0, 0, 0, 2)))


def line(*parts: str | Text) -> None:
    """One line from plain strings (never read as markup) and styled Text parts."""
    if is_terminal():
        console.print(Text.assemble(*(shown(p) if isinstance(p, str) else p for p in parts)))
        return
    sys.stdout.write(Text.assemble(*parts).plain + "\n")


def bold(value: str) -> Text:
    return Text(shown(value) if is_terminal() else value, style="bold")


def print_json(payload: object) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")


def error(message: str) -> None:
    said = Text.assemble(("error:", "bold red"), " ", shown(message))  # never read as markup
    errors.print(said, soft_wrap=True)


def note(message: str) -> None:
    """A remark for the person (which assessment, what was assumed): on standard error, so
    that piped output stays data."""
    errors.print(shown(message), markup=False, highlight=False, soft_wrap=True)


PROGRESS_AFTER = 1.0  # seconds: work that ends sooner shows no bar


def _rate() -> ProgressColumn:
    """A column: how many rows or measures a second."""
    from rich.progress import ProgressColumn, Task

    class Rate(ProgressColumn):
        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:,.0f}/s" if speed else "", style="progress.data.speed")

    return Rate()


class Bar:
    """The callback long work reports to, ``(stage, done, total)``: a Rich progress bar on
    standard error (rows or measures done, rate, time left), drawn once the work has run past
    ``PROGRESS_AFTER`` seconds; one line per stage."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._started = clock()
        self._progress: Progress | None = None
        self._tasks: dict[str, TaskID] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self._progress is None:
            if self._clock() - self._started < PROGRESS_AFTER:
                return
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                _rate(),
                TimeRemainingColumn(),
                console=errors,
                transient=True,  # the bar goes when the work is done; the result stays
            )
            self._progress.start()
        task = self._tasks.get(stage)
        if task is None:
            task = self._tasks[stage] = self._progress.add_task(stage, total=total or None)
        self._progress.update(task, completed=done, total=total or None)

    @property
    def shown(self) -> bool:
        return self._progress is not None

    def stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()


@contextmanager
def progress(enabled: bool = True) -> Iterator[Bar | None]:
    """The progress callback for one command: a ``Bar`` when both standard output and standard
    error are a terminal and ``enabled`` (not --json), else None (piped output stays data)."""
    if not (enabled and console.is_terminal and errors.is_terminal):
        yield None
        return
    bar = Bar()
    try:
        yield bar
    finally:
        bar.stop()
