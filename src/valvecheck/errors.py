"""The exceptions Valvecheck raises on purpose.

ValvecheckError            anything the user can act on; the CLI prints its message and exits 1
+-- InputError             a value typed or passed in is not allowed (an unknown RAG word, a bad date)
+-- NotFound               a measure, assessment, activity ... that does not exist
+-- ImportRejected         a file was refused; carries the list of problems; nothing was written
+-- WorkspaceError         the database is missing, not initialised, or already initialised
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from valvecheck.domain.problems import Problem


class ValvecheckError(Exception):
    """Base class: an error with a message a council officer can act on."""


class InputError(ValvecheckError, ValueError):
    """A value given to Valvecheck is not allowed."""


class NotFound(ValvecheckError, LookupError):
    """The thing asked for does not exist."""


class WorkspaceError(ValvecheckError):
    """The workspace (database) is not in the state the command needs."""


class ImportRejected(ValvecheckError):
    """A file was refused. Nothing was written. ``problems`` says why, row by row."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        first = problems[0] if problems else None
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        super().__init__(f"{first}{more}" if first else "the file was rejected")
