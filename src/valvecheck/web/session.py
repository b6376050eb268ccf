"""Signed session cookies and the CSRF token tied to each (sign-in throttling: throttle.py).

The session is one cookie signed with the server's key (itsdangerous, as Flask's and Starlette's
sessions are): who is signed in (person id and name), a random CSRF token, when it was issued,
when it was last used and a one-time message for the next page. It ends after a while unused
(``idle``: every page renews it, as Flask's permanent sessions are, so nobody busy is signed
out mid-task; WCAG 2.2.1) and, however busy, a while after signing in (``longest``). A few
minutes before it would end, each page warns and offers to keep it going (``timing``, read by
static/js/timeout.js: GOV.UK's timeout warning). It is HttpOnly, SameSite=Lax, and Secure when
the server sits behind HTTPS (a setting). Every state-changing form carries the token (OWASP's
synchroniser token pattern); a POST whose token does not match its cookie's is refused. Signing
in or out issues a new token, so a token seen before signing in is worth nothing after.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import Request
from starlette.responses import Response

COOKIE = "valvecheck_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


# The warning comes this long before a sign-in would end unused: GOV.UK's few minutes, or less
# when a sign-in lasts only a short while (a quarter of it), so that a short test timeout works.
WARNING_MOST = 300.0
WARNING_SHARE = 0.25


@dataclass(frozen=True)
class Timing:
    """When a sign-in ends if no page is loaded from now, for the page's timeout warning."""

    seconds_left: int
    warning_seconds: int
    ends: str  # "idle" (staying signed in renews it) or "longest" (nothing can)
    idle: str  # the settings in words: "8 hours"
    longest: str


@dataclass(frozen=True)
class WebSession:
    csrf: str
    person_id: int | None = None
    name: str = ""
    issued: float = 0.0
    flash: str = ""  # a message for the next page ("Rating saved"), shown once
    seen: float = 0.0  # when the cookie was last written: a request renews it


class Sessions:
    """Reads and writes the session cookie."""

    def __init__(
        self,
        secret: str,
        idle_seconds: float,
        secure: bool = False,
        longest_seconds: float | None = None,
        clock: Callable[[], float] = time.time,
    ):
        self._signer = URLSafeSerializer(secret, salt="valvecheck-session-v2")
        self._owner = URLSafeSerializer(secret, salt="valvecheck-carried-owner")
        self.idle = float(idle_seconds)
        self.longest = max(self.idle, float(longest_seconds or idle_seconds))
        self.secure = secure
        self.clock = clock

    def owner_seal(self, person_id: int) -> str:
        """Whose a form carried through signing in is, signed (a page cannot claim another's)."""
        return self._owner.dumps(person_id)

    def owner_of(self, seal: str) -> int | None:
        """The person a seal names; None for none, or one that is not ours."""
        try:
            found = self._owner.loads(seal)
        except BadSignature:
            return None
        return found if isinstance(found, int) else None

    def fresh(self, person_id: int | None = None, name: str = "") -> WebSession:
        now = self.clock()
        return WebSession(secrets.token_urlsafe(32), person_id, name, now, seen=now)

    def read(self, request: Request) -> tuple[WebSession | None, WebSession | None]:
        """This request's session, or None; and, when there is none because it ran out, the
        session that ended (its signature checked, so its CSRF token and person are genuine)."""
        raw = request.cookies.get(COOKIE)
        if not raw:
            return None, None
        try:
            found = WebSession(**self._signer.loads(raw))
        except (BadSignature, TypeError, ValueError):
            return None, None  # tampered or from another key: a new anonymous session
        if self.ended(found):
            return None, found
        return found, None

    def ended(self, session: WebSession) -> str:
        """Why ``session`` has ended ("idle" or "longest"), or "" while it lasts."""
        now = self.clock()
        if now - session.issued > self.longest:
            return "longest"
        if now - session.seen > self.idle:
            return "idle"
        return ""

    def timing(self, session: WebSession) -> Timing:
        """When ``session``, renewed now (as this request renews it), ends unless renewed again:
        after ``idle`` (whole seconds), or sooner at the ``longest`` limit."""
        idle = max(1, int(self.idle))
        longest = self.longest - (self.clock() - session.issued)
        left = max(0, int(min(idle, longest)))
        warning = max(1, int(min(WARNING_MOST, self.idle * WARNING_SHARE)))
        ends = "longest" if longest < idle else "idle"
        return Timing(left, warning, ends, duration(self.idle), duration(self.longest))

    def write(self, response: Response, session: WebSession) -> None:
        renewed = replace(session, seen=self.clock())
        response.set_cookie(
            COOKIE,
            self._signer.dumps(asdict(renewed)),
            # kept by the browser until the longest limit, past the idle one: the server, which
            # refuses it once idle, can then say why the sign-in ended ("you had not used
            # Valvecheck for 8 hours") and whose it was, rather than that it was lost
            max_age=max(1, int(self.longest)),
            httponly=True,
            samesite="lax",
            secure=self.secure,
            path="/",
        )


def duration(seconds: float) -> str:
    """'8 hours', '1 hour', '30 minutes' (whole minutes, at least 1)."""
    minutes = max(1, round(seconds / 60))
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' * (hours != 1)}"
    return f"{minutes} minute{'s' * (minutes != 1)}"


def current(request: Request) -> WebSession:
    """This request's session (the middleware gives every request one)."""
    found: WebSession = request.state.web_session
    return found


def update(request: Request, **changes: object) -> WebSession:
    """Change this request's session; the middleware writes the cookie with the response."""
    request.state.web_session = replace(current(request), **changes)  # type: ignore[arg-type]
    request.state.session_changed = True
    return current(request)


def csrf_valid(request: Request, token: str | None) -> bool:
    """Whether ``token`` is this session's CSRF token (compared in constant time)."""
    expected = current(request).csrf
    return bool(token) and hmac.compare_digest(str(token), expected)
