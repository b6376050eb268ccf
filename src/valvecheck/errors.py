"""The exceptions Valvecheck raises on purpose, each with a stable code any front end can render.

ValvecheckError            anything the user can act on                         code
+-- InputError             a value given is not allowed (a bad RAG word, date)   invalid-input
+-- NotFound               a measure, assessment, activity ... that does not exist  not-found
+-- Forbidden              the acting person's role does not allow it             forbidden
+-- Conflict               it already exists, or someone changed it first          conflict
                           (``reason`` says which: stale-version, locked, already-exists ...)
+-- ImportRejected         a file was refused, with its problems; nothing written  import-rejected
+-- WorkspaceError         the database is missing, not initialised, or in use     workspace

``field`` names the one input an error concerns (``rationale``, ``role``): the CLI turns it back
into its ``--flag``, a web form puts the message beside that field. `STATUS` maps each code to a
CLI exit status and an HTTP status, in one place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from valvecheck.domain.problems import Problem


class ValvecheckError(Exception):
    """Base class: an error with a message a council officer can act on."""

    code: ClassVar[str] = "error"

    def __init__(self, message: str = "", *, field: str | None = None):
        super().__init__(message)
        self.field = field

    @property
    def message(self) -> str:
        return str(self)


class InputError(ValvecheckError, ValueError):
    """A value given to Valvecheck is not allowed."""

    code = "invalid-input"


class InputErrors(InputError):
    """Several values of one form wrong at once: ``errors`` maps each field to its message, in
    the form's order, so a person fixes them in one go; the message and field are the first's
    (what the CLI and the API say). ``codes`` gives a field's problem its stable kebab-case code
    where the service has one (``not-found``, ``cohort-without-unit``), for a shell that words or
    answers that problem its own way."""

    def __init__(self, errors: dict[str, str], codes: dict[str, str] | None = None):
        field, message = next(iter(errors.items()))
        super().__init__(message, field=field)
        self.errors = errors
        self.codes = codes or {}


class NotFound(ValvecheckError, LookupError):
    """The thing asked for does not exist (or belongs to another council: the same answer)."""

    code = "not-found"


class Forbidden(ValvecheckError):
    """The acting person's role does not allow this."""

    code = "forbidden"


class Conflict(ValvecheckError):
    """The thing already exists, or someone else changed it since it was read.

    ``reason`` says which, for a program to act on: "stale-version" (changed since it was read:
    read again, then decide; ``version`` is the one it is at now), "locked" (the assessment has
    been reported: never retry), "already-exists" (the name is taken), "already-linked" or
    "not-linked" (the link is already as asked), or "conflict" (anything else). The CLI's exit
    status and the HTTP status are the same for all of them.
    """

    code = "conflict"

    def __init__(
        self,
        message: str = "",
        *,
        field: str | None = None,
        reason: str = "conflict",
        version: int | None = None,
    ):
        super().__init__(message, field=field)
        self.reason = reason
        self.version = version


class WorkspaceError(ValvecheckError):
    """The workspace (database) is not in the state the command needs.

    ``reason``: "missing" (not created yet), "outdated" (needs migrating), "exists",
    "no-folder", "busy" (another writer held it too long), or "" (cannot be reached).
    """

    code = "workspace"

    def __init__(self, message: str = "", *, reason: str = ""):
        super().__init__(message)
        self.reason = reason


class ImportRejected(ValvecheckError):
    """A file was refused. Nothing was written. ``problems`` says why, row by row."""

    code = "import-rejected"

    def __init__(self, problems: list[Problem], outcome: str = "nothing was imported"):
        self.problems = problems
        self.outcome = outcome  # what refusing the file meant, for the summary line
        # a list capped by importers.limits.capped ends with one standing for ``more`` problems
        listed = [p for p in problems if not getattr(p, "more", 0)]
        self.total = len(listed) + sum(getattr(p, "more", 0) for p in problems)
        first = listed[0] if listed else None
        more = f" (and {self.total - 1:,} more problem(s))" if self.total > 1 else ""
        super().__init__(f"{first}{more}" if first else "the file was rejected")


class Unauthenticated(ValvecheckError):
    """No one is signed in, or the credentials given are not valid."""

    code = "unauthenticated"


# code -> (CLI exit status, HTTP status)
STATUS: dict[str, tuple[int, int]] = {
    "error": (1, 500),
    "invalid-input": (1, 422),
    "not-found": (1, 404),
    "forbidden": (3, 403),
    "conflict": (4, 409),
    "workspace": (1, 503),
    "import-rejected": (1, 422),
    "unauthenticated": (3, 401),
}


def exit_status(error: ValvecheckError) -> int:
    return STATUS.get(error.code, STATUS["error"])[0]


def http_status(error: ValvecheckError) -> int:
    return STATUS.get(error.code, STATUS["error"])[1]
