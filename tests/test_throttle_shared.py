"""The sign-in throttle counts in the workspace's database, so every server process counts the
same failures: two Throttle objects (or two apps) on one workspace stand for two workers. On a
SQLite file and on PostgreSQL. Time is a clock the test moves, never waited for."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, inspect, select
from web_support import PASSWORD, csrf_of

from valvecheck.services import backup, people
from valvecheck.services.workspace import init_workspace, unit_of_work
from valvecheck.settings import Settings
from valvecheck.store.db import Workspace
from valvecheck.store.tables import sign_in_attempt
from valvecheck.web import create_app
from valvecheck.web.throttle import Throttle

START = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)


class Clock:
    """The app's wall clock, stopped, moved on by the test."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def on(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path) -> str:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        return str(tmp_path / "t.db")
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def store(url: str) -> Iterator[Workspace]:
    ws = Workspace(url)
    init_workspace(ws, empty=True, council="Bristol")
    yield ws
    ws.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def rows(ws: Workspace) -> int:
    with ws.connection(write=False) as conn:
        return int(conn.scalar(select(func.count()).select_from(sign_in_attempt)) or 0)


def test_the_fifth_failure_is_the_last_let_through_until_the_first_leaves_the_window(store, clock):
    throttle = Throttle(store, clock=clock)
    for _ in range(5):
        assert throttle.attempt("Ann", "192.0.2.1") == 0
        clock.on(10)
    # the sixth, 50 s after the first: the first leaves the 5-minute window in 250 s
    assert throttle.attempt("ann", "192.0.2.1") == 250.0  # the name is counted in any case
    assert throttle.wait(" ANN ", "192.0.2.1") == 250.0
    assert rows(store) == 5 * 3  # a refused attempt counts nothing
    clock.on(249)
    assert throttle.attempt("ann", "192.0.2.1") == 1.0
    clock.on(1)
    assert throttle.attempt("ann", "192.0.2.1") == 0  # the first has gone: room for one
    assert throttle.attempt("ann", "192.0.2.1") == 10.0  # and the second goes 10 s later


def test_two_processes_share_the_counts(url, store, clock):
    elsewhere = Workspace(url)  # another worker: its own engine and connections
    try:
        one, two = Throttle(store, clock=clock), Throttle(elsewhere, clock=clock)
        for throttle in (one, two, one, two, one):  # 5 failures, 3 + 2
            assert throttle.attempt("ann", "192.0.2.1") == 0
        assert one.attempt("ann", "192.0.2.1") > 0
        assert two.attempt("ann", "192.0.2.1") > 0
        assert two.attempt("bo", "192.0.2.1") == 0  # another name at the same desk

        # the right password through one worker clears the pair for the other
        one.succeeded("bo", "192.0.2.1")
        clock.on(301)  # ann's failures leave the window
        for throttle in (one, one, one, one):
            assert throttle.attempt("ann", "192.0.2.1") == 0
        assert two.attempt("ann", "192.0.2.1") == 0  # the fifth, let through by the other
        one.succeeded("ann", "192.0.2.1")
        for _ in range(5):
            assert two.attempt("ann", "192.0.2.1") == 0
        assert one.attempt("ann", "192.0.2.1") > 0
    finally:
        elsewhere.dispose()


def test_a_right_password_clears_the_pair_and_takes_one_attempt_off_the_others(store, clock):
    throttle = Throttle(store, pair=3, name=4, address=5, clock=clock)
    for _ in range(3):
        assert throttle.attempt("ann", "192.0.2.1") == 0
    throttle.succeeded("ann", "192.0.2.1")  # the third was right: the pair starts again
    # the name's count keeps ann's first two failures (the third went with the success) ...
    assert throttle.attempt("ann", "192.0.2.1") == 0
    assert throttle.attempt("ann", "192.0.2.1") == 0  # the name's 4th
    assert throttle.attempt("ann", "192.0.2.1") > 0  # held back by the name's count (4)
    # ... and so does the address's: 4 of ann's, then one more name fills it
    assert throttle.attempt("bo", "192.0.2.1") == 0
    assert throttle.attempt("cy", "192.0.2.1") > 0  # the address's limit (5)
    assert throttle.attempt("cy", "198.51.100.2") == 0  # from another address: let through


def test_failures_from_elsewhere_hold_back_only_the_addresses_that_failed(store, clock):
    one, two = Throttle(store, clock=clock), Throttle(store, clock=clock)
    for i in range(40):  # the name guessed from 40 addresses, once each, through two workers
        assert (one if i % 2 else two).attempt("bv", f"203.0.113.{i}") == 0
    assert one.attempt("bv", "198.51.100.7") == 0  # the person's own desk: let in
    two.succeeded("bv", "198.51.100.7")
    # an address that has failed for the name is held back by the name's count, until the
    # 20th newest of its failures leaves the window
    clock.on(30)
    assert two.attempt("bv", "203.0.113.1") == 270.0
    # a new address gets one try, then it has failed for the name itself
    assert one.attempt("bv", "198.51.100.9") == 0
    assert two.attempt("bv", "198.51.100.9") == 270.0


def test_an_address_sweeping_names_is_stopped_at_the_address_limit(store, clock):
    throttle = Throttle(store, address=100, clock=clock)
    for i in range(100):
        assert throttle.attempt(f"name{i}", "192.0.2.50") == 0
    assert throttle.attempt("someone", "192.0.2.50") == 300.0
    assert throttle.attempt("someone", "192.0.2.51") == 0


def test_old_rows_are_removed_as_attempts_come_in(store, clock):
    throttle = Throttle(store, clock=clock)
    for i in range(4):
        throttle.attempt(f"n{i}", f"192.0.2.{i}")
    assert rows(store) == 12
    clock.on(300)  # the window is over: they no longer count, and the next attempt removes them
    assert throttle.attempt("other", "198.51.100.1") == 0
    assert rows(store) == 3


def test_no_name_or_address_is_kept_in_the_clear(store, clock):
    Throttle(store, clock=clock).attempt("ann.lee", "192.0.2.77")
    with store.connection(write=False) as conn:
        keys = [bytes(k) for k in conn.scalars(select(sign_in_attempt.c.key))]
    assert len(keys) == 3 and all(len(k) == 32 for k in keys)
    assert not any(b"ann" in k or b"192.0.2" in k for k in keys)


def test_a_councils_backup_carries_no_sign_in_attempts(store, clock):
    Throttle(store, clock=clock).attempt("ann", "192.0.2.1")
    with unit_of_work(store, council="Bristol") as ctx:
        written = backup.dumps(backup.backup(ctx)).decode()
    assert rows(store) == 3 and '"council"' in written
    assert "sign_in_attempt" not in written


def test_attempts_at_the_same_moment_let_no_more_than_the_limit_through(url, store):
    """20 attempts at once for one name from one address, from threads of four "processes"
    (each its own Workspace: its own engine and connections)."""
    workers = [store, *(Workspace(url) for _ in range(3))]
    try:
        throttles = [Throttle(w) for w in workers]
        start = threading.Barrier(20)
        let_through: list[int] = []
        failed: list[BaseException] = []

        def one(i: int) -> None:
            try:
                start.wait()
                if throttles[i % 4].attempt("ann", "192.0.2.1") == 0:
                    let_through.append(i)  # list.append is atomic
            except BaseException as exc:
                failed.append(exc)

        threads = [threading.Thread(target=one, args=(i,)) for i in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert failed == []
        assert len(let_through) <= 5
        assert rows(store) == 3 * len(let_through)  # the refused left nothing behind
        # one at a time from now: exactly the rest of the limit, then no more
        after = [throttles[i % 4].attempt("ann", "192.0.2.1") == 0 for i in range(6)]
        assert after == [True] * (5 - len(let_through)) + [False] * (1 + len(let_through))
    finally:
        for w in workers[1:]:
            w.dispose()


def test_two_workers_of_the_web_app_share_the_count(url, store):
    with unit_of_work(store, write=True, council="Bristol", by="setup") as ctx:
        people.add_person(ctx, "ed", "editor", "Bristol", PASSWORD)
    config = Settings(secret_key="test-key-" + "x" * 40)
    elsewhere = Workspace(url)
    try:
        one = TestClient(create_app(config, store), follow_redirects=False)
        two = TestClient(create_app(config, elsewhere), follow_redirects=False)

        def sign_in(client: TestClient, password: str) -> int:
            form = {"username": "ed", "password": password, "csrf_token": csrf_of(client)}
            return client.post("/login", data=form).status_code

        assert [sign_in(c, "wrong") for c in (one, two, one, two, one)] == [401] * 5
        refused = two.post(
            "/login", data={"username": "ed", "password": PASSWORD, "csrf_token": csrf_of(two)}
        )
        assert refused.status_code == 429 and "Too many attempts" in refused.text
        assert sign_in(one, PASSWORD) == 429
    finally:
        elsewhere.dispose()


def test_migration_0015_adds_the_table_and_goes_down_and_up_again(store, clock):
    def tables() -> set[str]:
        with store.connection(write=False) as conn:
            return set(inspect(conn).get_table_names())

    Throttle(store, clock=clock).attempt("ann", "192.0.2.1")
    store.downgrade("0014")
    assert store.revision() == "0014" and "sign_in_attempt" not in tables()
    store.migrate()  # from 0014, as a workspace made before is upgraded
    assert store.revision() == store.head() and "sign_in_attempt" in tables()
    throttle = Throttle(store, pair=1, clock=clock)
    assert throttle.attempt("ann", "192.0.2.1") == 0  # the counts went down with the table
    assert throttle.attempt("ann", "192.0.2.1") == 300.0
