"""Conditional reads: an ETag on every read, 304 Not Modified for a read that names it, HEAD.

A program polling the API (a dashboard every few minutes) sends back the ETag it was given as
If-None-Match and is answered 304 with no body while nothing it would read has changed. The ETag
is a hash of the body the read would send and of the council it was read for, so it changes
whenever the answer does (a rating, a link, a day passing a deadline), and two councils never
share one, even for the same bytes. A route's own ETag, a rating's version that If-Match takes
back (measures.py), stays its first part: ``"3.5f1c..."``. The answer is still worked out in
full each time; what is saved is sending it.

Answers to reads may be kept by the program or its browser, never by a shared proxy, and are
checked with the server before each use: ``Cache-Control: private, no-cache``. They differ by who
asks, so ``Vary`` names the credentials.
"""

from __future__ import annotations

import hashlib

from starlette.requests import Request
from starlette.responses import Response

CACHE_CONTROL = "private, no-cache"
VARY = "Authorization, Cookie"
READS = frozenset({"GET", "HEAD"})


def tag(council: int | None, body: bytes, version: str | None = None) -> str:
    """The ETag of ``body`` read for ``council``: strong (the same bytes, the same tag)."""
    found = hashlib.sha256(f"{council}\n".encode() + body).hexdigest()[:32]
    return f'"{version}.{found}"' if version else f'"{found}"'


def matches(if_none_match: str | None, current: str) -> bool:
    """Whether an If-None-Match header names ``current`` (weak comparison, RFC 9110 13.1.2)."""
    if not if_none_match:
        return False
    wanted = current.removeprefix("W/")
    for given in if_none_match.split(","):
        given = given.strip()
        if given == "*" or given.removeprefix("W/") == wanted:
            return True
    return False


def conditional(request: Request, response: Response, council: int | None) -> Response:
    """A successful read's answer with its ETag, or 304 Not Modified when If-None-Match names
    it. Other answers (errors, writes) are left as they are."""
    body = getattr(response, "body", None)
    if request.method not in READS or response.status_code != 200 or not isinstance(body, bytes):
        return response
    own = response.headers.get("etag")
    current = tag(council, body, own.removeprefix("W/").strip('"') if own else None)
    headers = {"ETag": current, "Cache-Control": CACHE_CONTROL, "Vary": VARY}
    if matches(request.headers.get("if-none-match"), current):
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return response


def without_body(response: Response) -> Response:
    """The answer to HEAD: the GET's status and headers (its Content-Length among them), no
    body."""
    bare = Response(status_code=response.status_code)
    bare.raw_headers = list(response.raw_headers)
    bare.background = response.background
    return bare
