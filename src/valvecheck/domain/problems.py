"""Problems found in an input file: a stable code, where, and a message an officer understands."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Problem:
    code: str  # stable kebab-case, e.g. "unknown-rag"
    message: str
    file: str = ""
    line: int | None = None  # 1-based line or row number in the file
    column: str | None = None  # column name as in the header (or letter/number)

    def __str__(self) -> str:
        where = self.file or "input"
        if self.line is not None:
            where += f", line {self.line}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message} [{self.code}]"

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


def in_file_order(problems: list[Problem]) -> list[Problem]:
    """Problems as a person reads the file: those of the whole file first, then row by row."""
    return sorted(problems, key=lambda p: (p.line is not None, p.line or 0))


@dataclass
class Parsed(Generic[T]):
    """What every importer returns: the rows it read and the problems it found."""

    rows: list[T] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems
