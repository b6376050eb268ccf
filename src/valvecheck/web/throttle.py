"""Sign-in throttling: too many failed sign-ins and the next attempt waits a while.

Failures are counted three ways. One name from one address (``pair``, 5 failures in 5 minutes:
someone guessing, or someone who has forgotten), one name from anywhere (``name``, 20: a guess
spread over many addresses) and one address for any name (``address``, 100: a council office
shares one address, so one person's mistakes must not lock out their colleagues, but a sweep of
names from one place is stopped). The name's count holds back only the addresses that have failed
for that name themselves: guesses from elsewhere never lock the person out of their own desk,
where they have not failed (once the name has had its 20, each other address gets one try).

The counts are kept in the workspace's database (the ``sign_in_attempt`` table), so every server
process (``--workers``, uvicorn's or gunicorn's workers, several machines) counts the same
attempts: one row for each way an attempt is counted, at the moment it was made (the app's
clock, UTC), removed once older than the window. A row's key is a digest of what it counts, so
no sign-in name or address is kept in the clear.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, delete, insert, select

from valvecheck.domain.moments import aware
from valvecheck.store.db import Workspace
from valvecheck.store.tables import sign_in_attempt as attempts


def _now() -> datetime:
    return datetime.now(UTC)


class Throttle:
    """Refuse sign-in for a while after too many failures, counted three ways (the module says
    how), in the workspace's database.

    ``attempt`` counts first and checks after, without a lock: it writes the attempt's rows and
    commits them, then counts the rows in the window, its own among them; over a limit, it
    removes its own rows and refuses. Of attempts made at the same moment, in any processes, the
    k-th to commit counts at least k rows, so no more than the limit can pass (a few more may be
    refused while they are counted). An attempt counts as a failure from the moment it is let
    through, until ``succeeded`` says the password was right. Each step is a short transaction of
    its own, never part of a request's unit of work, and sees no council's rows.
    """

    def __init__(
        self,
        ws: Workspace,
        pair: int = 5,
        name: int = 20,
        address: int = 100,
        window_seconds: float = 300.0,
        clock: Callable[[], datetime] = _now,
    ):
        self.ws = ws
        self.limits = {"pair": pair, "name": name, "address": address}
        self.window = timedelta(seconds=window_seconds)
        self.clock = clock  # wall-clock UTC: every process, and every machine, reads the same

    @staticmethod
    def keys(name: str, address: str) -> dict[str, str]:
        who = name.strip().lower()
        return {"pair": f"pair:{who}@{address}", "name": f"name:{who}", "address": f"at:{address}"}

    def _digests(self, name: str, address: str) -> dict[str, bytes]:
        return {
            kind: hashlib.sha256(key.encode("utf-8")).digest()
            for kind, key in self.keys(name, address).items()
        }

    def _wait(
        self, conn: Connection, keys: dict[str, bytes], now: datetime, own: list[int]
    ) -> float:
        """Seconds until the failures in the window, other than the rows ``own``, leave room
        for one more attempt (0: room now)."""
        a = attempts.c
        query = select(a.key, a.at).where(a.key.in_(keys.values()), a.at > now - self.window)
        if own:
            query = query.where(a.id.not_in(own))
        found: dict[bytes, list[datetime]] = {key: [] for key in keys.values()}
        for key, at in conn.execute(query.order_by(a.at, a.id)):  # one statement: one snapshot
            found[key].append(aware(at))
        counts = {kind: found[key] for kind, key in keys.items()}
        waits = []
        for kind, failures in counts.items():
            if kind == "name" and not counts["pair"]:
                continue  # this address has not failed for this name: the name's count is others'
            if len(failures) >= self.limits[kind]:
                # when the limit-th newest failure leaves the window, there is room again
                edge = failures[-self.limits[kind]]
                waits.append((edge + self.window - now).total_seconds())
        return max(waits, default=0.0)

    def wait(self, name: str, address: str) -> float:
        """Seconds until another attempt for this name from this address is allowed (0: now)."""
        with self.ws.connection(write=False) as conn:
            return self._wait(conn, self._digests(name, address), self.clock(), [])

    def attempt(self, name: str, address: str) -> float:
        """Let an attempt through (0), counting it as failed until ``succeeded``; or the seconds
        to wait first, counting nothing (a refused attempt tries no password)."""
        now = self.clock()
        keys = self._digests(name, address)
        with self.ws.connection(write=True) as conn:
            conn.execute(delete(attempts).where(attempts.c.at <= now - self.window))
            own = [
                conn.execute(
                    insert(attempts).values(key=key, at=now).returning(attempts.c.id)
                ).scalar_one()
                for key in keys.values()
            ]
        # Committed: every attempt counted from here on sees these rows, and this one sees
        # every attempt committed before it.
        with self.ws.connection(write=False) as conn:
            wait = self._wait(conn, keys, now, own)
        if wait > 0:
            with self.ws.connection(write=True) as conn:
                conn.execute(delete(attempts).where(attempts.c.id.in_(own)))
        return wait

    def succeeded(self, name: str, address: str) -> None:
        """A right password clears the failures of this name from this address; the name's
        and the address's counts lose this attempt only (guesses made elsewhere still count)."""
        keys = self._digests(name, address)
        a = attempts.c
        with self.ws.connection(write=True) as conn:
            conn.execute(delete(attempts).where(a.key == keys["pair"]))
            for kind in ("name", "address"):
                newest = (
                    select(a.id)
                    .where(a.key == keys[kind])
                    .order_by(a.at.desc(), a.id.desc())
                    .limit(1)
                    .scalar_subquery()
                )
                conn.execute(delete(attempts).where(a.id == newest))
