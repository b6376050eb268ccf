"""API tokens that expire: made with an expiry in days, refused from then on saying so, listed
with it, and the tokens made before expiries existed kept working through migration 0014. Time is
given to the services (a clock, ``now``), never waited for."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from api_support import Server, on_both_stores  # noqa: F401 (a fixture)
from sqlalchemy import inspect, text

from valvecheck.domain.moments import aware, in_england
from valvecheck.errors import Conflict, InputError, Unauthenticated
from valvecheck.services import tokens
from valvecheck.services.context import Context
from valvecheck.services.workspace import init_workspace, unit_of_work
from valvecheck.store.db import Workspace

MADE = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@contextmanager
def admin(ws: Workspace, at: datetime = MADE) -> Iterator[Context]:
    """A unit of work as the council's administrator, its clock stopped at ``at``."""
    with unit_of_work(ws, write=True, by="admin") as ctx:
        ctx.clock = lambda: at
        yield ctx


def test_a_token_made_to_expire_works_until_then_and_is_refused_after_saying_so(ws):
    with admin(ws) as ctx:
        made = tokens.create_token(ctx, "finance dashboard", "viewer", expires_in=30)
    ends = MADE + timedelta(days=30)
    assert made.info.expires_at == ends and not made.info.expired
    actor = tokens.authenticate(ws, made.secret, now=ends - timedelta(seconds=1))
    assert actor.name == "finance dashboard (API token)"
    with pytest.raises(Unauthenticated) as refused:
        tokens.authenticate(ws, made.secret, now=ends)
    said = str(refused.value)
    assert "expired" in said and "'finance dashboard'" in said
    assert "1 April 2026 at 10:30" in said  # England's clock: BST from 29 March
    assert "unknown or revoked" not in said


def test_a_token_without_an_expiry_works_until_revoked(ws):
    with admin(ws) as ctx:
        made = tokens.create_token(ctx, "return")
    assert made.info.expires_at is None
    tokens.authenticate(ws, made.secret, now=MADE + timedelta(days=365 * 20))
    with admin(ws) as ctx:
        tokens.revoke_token(ctx, "return")
    with pytest.raises(Unauthenticated, match="unknown or revoked"):
        tokens.authenticate(ws, made.secret, now=MADE)


@pytest.mark.parametrize("days", [0, -1, 3651])
def test_an_expiry_out_of_range_is_refused(ws, days):
    with admin(ws) as ctx, pytest.raises(InputError) as refused:
        tokens.create_token(ctx, "x", expires_in=days)
    assert refused.value.field == "expires_in" and "1 to 3650 days" in str(refused.value)


def test_the_list_shows_each_expiry_and_which_have_expired(ws):
    with admin(ws) as ctx:
        tokens.create_token(ctx, "short", expires_in=1)
        tokens.create_token(ctx, "long", expires_in=365)
        tokens.create_token(ctx, "forever")
    with admin(ws, MADE + timedelta(days=2)) as ctx:
        listed = {t.name: (t.expires_at, t.expired) for t in tokens.list_tokens(ctx)}
    assert listed == {
        "short": (MADE + timedelta(days=1), True),
        "long": (MADE + timedelta(days=365), False),
        "forever": (None, False),
    }


def test_an_expired_tokens_name_goes_to_its_replacement_a_live_ones_does_not(ws):
    with admin(ws) as ctx:
        old = tokens.create_token(ctx, "nightly", expires_in=7)
    with admin(ws, MADE + timedelta(days=6)) as ctx, pytest.raises(Conflict):
        tokens.create_token(ctx, "nightly")
    with admin(ws, MADE + timedelta(days=7)) as ctx:
        new = tokens.create_token(ctx, "nightly", expires_in=7)
        listed = [(t.revoked, t.expired) for t in tokens.list_tokens(ctx) if t.name == "nightly"]
    assert listed == [(True, True), (False, False)]
    later = MADE + timedelta(days=8)
    with pytest.raises(Unauthenticated):
        tokens.authenticate(ws, old.secret, now=later)
    tokens.authenticate(ws, new.secret, now=later)


@pytest.fixture
def srv(on_both_stores: Server) -> Server:  # noqa: F811 (the imported fixture)
    return on_both_stores


def test_the_api_refuses_an_expired_token_with_401_saying_it_has_expired(srv):
    long_ago = datetime.now(UTC) - timedelta(days=400)
    with unit_of_work(srv.ws, write=True, council="Bristol", by="admin") as ctx:
        ctx.clock = lambda: long_ago
        gone = tokens.create_token(ctx, "old script", "viewer", expires_in=365).secret
        ctx.clock = lambda: datetime.now(UTC)
        live = tokens.create_token(ctx, "new script", "viewer", expires_in=365).secret
    refused = srv.client.get("/api/measures", headers={"Authorization": f"Bearer {gone}"})
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.headers["www-authenticate"].startswith("Bearer")
    body = refused.json()
    assert body["code"] == "unauthenticated"
    assert body["detail"].startswith("the API token 'old script' expired on ")
    assert "ask an administrator" in body["detail"]
    used = srv.client.get("/api/measures", headers={"Authorization": f"Bearer {live}"})
    assert used.status_code == 200


def test_tokens_create_and_list_with_an_expiry(ws, cli):
    code, out, err = cli("tokens", "create", "dashboard", "--expires-in", "90")
    assert code == 0, err
    assert out.strip().startswith("vc_")
    with admin(ws) as ctx:
        (made,) = [t for t in tokens.list_tokens(ctx) if t.name == "dashboard"]
    assert made.expires_at is not None
    ends = in_england(made.expires_at).strftime("%Y-%m-%d %H:%M")
    assert f"expiring {ends}" in err
    assert timedelta(days=89) < made.expires_at - aware(made.created_at)
    with admin(ws, datetime.now(UTC) - timedelta(days=30)) as ctx:
        tokens.create_token(ctx, "lapsed", expires_in=2)
    assert cli("tokens", "create", "forever")[0] == 0
    code, out, err = cli("tokens", "list")
    assert code == 0, err
    assert "Expires" in out
    assert re.search(rf"dashboard\t.*\t{ends}\t", out), out
    assert re.search(r"lapsed\t.*\t\d{4}-\d\d-\d\d \d\d:\d\d \(expired\)\t", out), out
    assert re.search(r"forever\t.*\tnever\tnever\t", out), out


def test_tokens_create_refuses_an_expiry_out_of_range(ws, cli):
    code, out, err = cli("tokens", "create", "dashboard", "--expires-in", "0")
    assert code != 0 and out == ""
    assert "1 to 3650 days" in err, err


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "m.db")
    return request.getfixturevalue("pg_url")


def columns(ws: Workspace) -> set[str]:
    with ws.session(write=False, all_councils=True) as session:
        return {c["name"] for c in inspect(session.connection()).get_columns("api_token")}


def test_migration_0014_keeps_the_tokens_held_working_and_goes_down_and_up_again(url):
    ws = Workspace(url)
    init_workspace(ws)
    with admin(ws) as ctx:
        tokens.create_token(ctx, "dashboard")
        tokens.revoke_token(ctx, "dashboard")
        kept = tokens.create_token(ctx, "dashboard", "editor").secret
        expiring = tokens.create_token(ctx, "trial", expires_in=30).secret
    ws.downgrade("0013")
    assert "expires_at" not in columns(ws)
    with ws.session(write=False, all_councils=True) as session:
        held = session.execute(
            text("SELECT name, revoked_at IS NULL FROM api_token ORDER BY id")
        ).all()
    # a token with an expiry is revoked going down: without the column it would never expire
    assert [tuple(r) for r in held] == [("dashboard", False), ("dashboard", True), ("trial", False)]
    ws.migrate()  # from 0013, as a workspace made before expiries is upgraded
    assert ws.revision() == ws.head() and "expires_at" in columns(ws)
    far = datetime.now(UTC) + timedelta(days=365 * 10)
    assert tokens.authenticate(ws, kept, now=far).name == "dashboard (API token)"
    with pytest.raises(Unauthenticated, match="unknown or revoked"):
        tokens.authenticate(ws, expiring)
    with admin(ws) as ctx:
        listed = [(t.name, t.revoked, t.expires_at) for t in tokens.list_tokens(ctx)]
        assert listed == [
            ("dashboard", True, None),
            ("dashboard", False, None),
            ("trial", True, None),
        ]
        # a name is still one live token's, and a revoked one's still goes to its replacement
        with pytest.raises(Conflict):
            tokens.create_token(ctx, "dashboard")
        tokens.revoke_token(ctx, "dashboard")
        tokens.create_token(ctx, "dashboard", expires_in=10)
    ws.dispose()


def test_a_token_is_named_so_that_what_it_records_fits(ws):
    """Its changes are recorded as '<name> (API token)', in the 200 characters a record's 'by'
    holds: a longer name failed on PostgreSQL with a database error when it placed a measure."""
    with admin(ws) as ctx:
        with pytest.raises(InputError, match=f"1 to {tokens.LONGEST_NAME} characters"):
            tokens.create_token(ctx, "n" * (tokens.LONGEST_NAME + 1))
        made = tokens.create_token(ctx, "n" * tokens.LONGEST_NAME)
    actor = tokens.authenticate(ws, made.secret, now=MADE)
    assert len(actor.name) == 200 and actor.name.endswith(" (API token)")
    assert len(tokens.acting_as("x" * 200)) == 200  # one named before the limit is cut to fit
