"""Paging a list: ``offset`` and ``limit`` in the query, the total and the next page in headers.

The lists that answered a JSON array before paging came (activities, links, a rating history,
assessments) still do: a program written for them keeps working, and without ``limit`` it gets
the whole list as before. Every paged answer, those two with a body that says ``total`` (measures,
common measures) as well, carries ``X-Total-Count`` and, unless it is the last page, an RFC 8288
``Link: </api/...&offset=200>; rel="next"``, so one loop reads any of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import Query, Request, Response

from valvecheck.api.schemas import MAX_ID

T = TypeVar("T")
MAX_LIMIT = 1000

Offset = Annotated[
    int, Query(ge=0, le=MAX_ID, description="How many to skip from the start (default 0)")
]
Limit = Annotated[
    int | None,
    Query(
        ge=1,
        le=MAX_LIMIT,
        description=f"At most this many, 1 to {MAX_LIMIT} (default: all of them); "
        'Link rel="next" gives the next page',
    ),
]
HEADERS: dict[str, Any] = {
    "X-Total-Count": {
        "description": "How many there are in all (every page together)",
        "schema": {"type": "integer"},
    },
    "Link": {
        "description": 'The next page, as RFC 8288 says: </api/...?limit=100&offset=100>; rel="next" '
        "(absent on the last page)",
        "schema": {"type": "string"},
    },
}


def paged(
    request: Request, response: Response, items: Sequence[T], offset: int, limit: int | None
) -> Sequence[T]:
    """The page of ``items`` asked for; the total and the next page's address go in the
    answer's headers."""
    total = len(items)
    end = total if limit is None else min(total, offset + limit)
    response.headers["X-Total-Count"] = str(total)
    if end < total:
        query = [(k, v) for k, v in request.query_params.multi_items() if k != "offset"]
        after = urlencode([*query, ("offset", str(end))])
        response.headers["Link"] = f'<{request.url.path}?{after}>; rel="next"'
    return items[offset:end]
