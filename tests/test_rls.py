"""PostgreSQL row-level security: a forgotten council filter still returns nothing of another
council; the migration that brings it goes down and up again on both stores."""

from __future__ import annotations

import psycopg
import pytest
from api_support import token, two_councils
from sqlalchemy import select, text
from sqlalchemy.exc import ProgrammingError

from valvecheck.catalogue.loader import load_catalogue
from valvecheck.errors import Conflict
from valvecheck.services import activities, catalogue, links, people, programme, tokens
from valvecheck.services.workspace import unit_of_work
from valvecheck.store.db import Workspace
from valvecheck.store.models import COUNCIL_TABLES, Base, RatingRow


@pytest.fixture
def pg_two(pg_url):
    ws = two_councils(pg_url)
    with unit_of_work(ws, write=True, council="Bristol", by="admin") as ctx:
        people.add_person(ctx, "bea", "editor")
        activities.import_activities(ctx, b"id,title\nB-1,Bristol hubs\n", "b.csv")
        links.link(ctx, "B-1", "bury-1", "hubs")
        activities.edit_activity(ctx, "B-1", {"owner": "Bristol lead"})  # its history
        programme.place(ctx, "bury-1", "Bristol hubs")  # the programme's history
    with unit_of_work(ws, write=True, council="Leeds", by="admin") as ctx:
        activities.edit_activity(ctx, "L-1", {"status": "at risk"})
        text_of = load_catalogue().measure("bury-2")
        assert text_of is not None  # Leeds places a measure in its own programme
        placed = f'LA,Recommendation,Theme,Sub-Theme\nBury,"{text_of.text}",Hubs,North\n'
        catalogue.import_catalogue(ctx, placed.encode(), "leeds-appendix.csv")
    token(ws, "Bristol", "bristol-dash", "viewer")
    secret = token(ws, "Leeds", "leeds-dash", "viewer")
    yield ws, secret
    ws.dispose()


def council_ids(ws: Workspace) -> dict[str, int]:
    with ws.engine.connect() as conn:
        return {n: i for n, i in conn.execute(text("SELECT name, id FROM council"))}


POPULATED = (
    "theme",
    "sub_theme",
    "placement",
    "person",
    "assessment",
    "rating",
    "activity",
    "link_event",
    "activity_change",
    "placement_event",
    "api_token",
)


def seen_by_maintenance(ws: Workspace) -> dict[str, set[int]]:
    with ws.session(write=False, all_councils=True) as s:  # the maintenance session
        return {
            t: set(s.scalars(text(f"SELECT DISTINCT council_id FROM {t}"))) for t in COUNCIL_TABLES
        }


def test_both_councils_have_rows_in_the_tables_the_test_reads(pg_two):
    ws, _ = pg_two
    ids = council_ids(ws)
    seen = seen_by_maintenance(ws)
    for table in POPULATED:
        assert seen[table] == {ids["Bristol"], ids["Leeds"]}, table


def test_an_unfiltered_query_returns_nothing_of_another_council(pg_two):
    ws, secret = pg_two
    ids = council_ids(ws)
    everything = seen_by_maintenance(ws)
    with ws.session(write=False, all_councils=True) as s:
        token_actor = tokens.token_actor(s, secret)
    for actor in ({"as_person": "lee"}, {"actor": token_actor}):
        with unit_of_work(ws, **actor) as ctx:  # type: ignore[arg-type]
            assert ctx.actor.council == "Leeds"
            for table in COUNCIL_TABLES:
                # deliberately no council filter
                seen = set(ctx.session.scalars(text(f"SELECT council_id FROM {table}")))
                assert seen == everything[table] & {ids["Leeds"]}, table
            orm = ctx.session.scalars(select(RatingRow)).all()
            assert orm and {r.council_id for r in orm} == {ids["Leeds"]}


def test_a_write_into_another_council_is_refused_by_the_database(pg_two):
    ws, _ = pg_two
    ids = council_ids(ws)
    refused = pytest.raises(ProgrammingError, match="row-level security")
    with refused, unit_of_work(ws, write=True, as_person="lee") as ctx:
        ctx.session.execute(
            text(
                "INSERT INTO activity (council_id, code, title, description, theme, "
                "sub_theme, owner, status, link, imported_at) VALUES (:c, 'X-1', 'x', '', "
                "'', '', '', '', '', now())"
            ),
            {"c": ids["Bristol"]},
        )


def test_a_connection_that_names_no_council_sees_nothing(pg_two, pg_url):
    ws, _ = pg_two
    with ws.engine.connect() as conn:
        for table in COUNCIL_TABLES:
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 0, table


def test_every_council_table_is_forced_under_a_policy(pg_two, pg_url):
    ws, _ = pg_two
    assert set(COUNCIL_TABLES) == {
        t.name for t in Base.metadata.sorted_tables if "council_id" in t.c
    }
    with ws.engine.connect() as conn:
        for table in COUNCIL_TABLES:
            forced = conn.execute(
                text(
                    "SELECT relrowsecurity, relforcerowsecurity FROM pg_class "
                    "WHERE oid = to_regclass(:t)"
                ),
                {"t": table},
            ).one()
            assert tuple(forced) == (True, True), table
            policies = conn.execute(
                text(
                    "SELECT count(*) FROM pg_policies "
                    "WHERE tablename = :t AND schemaname = current_schema()"
                ),
                {"t": table},
            ).scalar()
            assert policies == 1, table


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "m.db")
    return request.getfixturevalue("pg_url")


def test_migrations_go_down_to_empty_and_up_again(url):
    ws = two_councils(url)
    ws.downgrade("0003")
    with ws.engine.connect() as conn:
        assert "api_token" not in Base.metadata.tables or not ws.engine.dialect.has_table(
            conn, "api_token"
        )
        if ws.engine.dialect.name == "postgresql":
            assert (
                conn.execute(
                    text("SELECT count(*) FROM pg_policies WHERE schemaname = current_schema()")
                ).scalar()
                == 0
            )
            assert conn.execute(text("SELECT count(*) FROM activity")).scalar() == 1
    ws.downgrade("base")
    with ws.engine.connect() as conn:
        assert not ws.engine.dialect.has_table(conn, "measure")
    ws.migrate()
    assert ws.revision() == ws.head()
    ws.dispose()


def test_psycopg_is_the_driver():
    assert psycopg.__version__


def test_a_name_taken_in_another_council_is_a_conflict_not_a_crash(pg_two):
    ws, _ = pg_two
    with unit_of_work(ws, write=True, council="Leeds") as ctx:
        people.add_person(ctx, "leeds-admin", "admin")
    taken = pytest.raises(Conflict, match="the sign-in name 'bea' is taken")  # bea is in Bristol
    with taken, unit_of_work(ws, write=True, as_person="leeds-admin") as ctx:
        people.add_person(ctx, "bea", "viewer")


def test_migrate_serve_and_workers_warn_when_the_role_ignores_row_level_security(pg_url, capsys):
    import uuid

    from conftest import PG_URL
    from sqlalchemy.engine import make_url

    from valvecheck.cli import run
    from valvecheck.services.workspace import init_workspace, role_warning
    from valvecheck.settings import Settings
    from valvecheck.web import create_app

    def as_role(name: str) -> str:
        return make_url(pg_url).set(username=name).render_as_string(hide_password=False)

    def started(url: str) -> str:
        """What migrate and a web app starting on ``url`` write to standard error."""
        capsys.readouterr()
        assert run(["--db", url, "migrate"]) == 0
        ws = Workspace(url)
        try:
            create_app(Settings(secret_key="k" * 40), ws)
        finally:
            ws.dispose()
        return capsys.readouterr().err

    ws = Workspace(pg_url)
    init_workspace(ws, empty=True)
    assert role_warning(ws) is None
    ws.dispose()
    assert "warning" not in started(pg_url)  # the tests' role: bound by row-level security

    admin = make_url(PG_URL).username or "postgres"  # the server's superuser
    err = started(as_role(admin))
    assert err.count(f"warning: the database role '{admin}' is a superuser") == 2, err

    bypass = f"valvecheck_test_bypass_{uuid.uuid4().hex[:8]}"
    base = PG_URL.replace("+psycopg", "")
    schema = str(make_url(pg_url).query["options"]).split("=", 1)[1]
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {bypass} LOGIN BYPASSRLS")
        conn.execute(f'GRANT USAGE ON SCHEMA "{schema}" TO {bypass}')
        conn.execute(f'GRANT ALL ON ALL TABLES IN SCHEMA "{schema}" TO {bypass}')
    try:
        err = started(as_role(bypass))
        assert err.count(f"warning: the database role '{bypass}' is a BYPASSRLS role") == 2, err
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP OWNED BY {bypass}")  # its grants
            conn.execute(f"DROP ROLE {bypass}")
