"""The use-cases themselves: a context in, a typed result out (no CLI in between)."""

from __future__ import annotations

import pytest
from support import admin

from valvecheck.domain.people import Role
from valvecheck.domain.rag import Rag
from valvecheck.errors import Conflict, Forbidden, InputError, NotFound, Unauthenticated
from valvecheck.services import people, ratings
from valvecheck.services.measures import measure_page
from valvecheck.services.workspace import unit_of_work
from valvecheck.store import queries

SEED = "Bristol: mitigation validation exercise"


def test_rate_returns_the_rating_and_its_assessment(ws):
    with admin(ws, by="Ann") as ctx:
        done = ratings.rate(ctx, " Bury-2 ", "yellow", "  SENCO network  ")
    assert done.assessment == SEED
    r = done.rating
    assert (r.measure_id, r.rag, r.previous, r.rationale, r.by, r.version, r.source) == (
        "bury-2",
        Rag.AMBER,
        Rag.UNRATED,
        "SENCO network",
        "Ann",
        1,
        "person",
    )


def test_a_stale_version_is_a_conflict_and_writes_nothing(ws):
    with admin(ws, write=False) as ctx:
        seen = measure_page(ctx, "bury-2").view.version
    assert seen == 0
    with admin(ws, by="Ann") as ctx:
        ratings.rate(ctx, "bury-2", "green", expected_version=seen)
    with pytest.raises(Conflict) as raised, admin(ws, by="Bo") as ctx:
        ratings.rate(ctx, "bury-2", "red", expected_version=seen)
    assert raised.value.field == "version" and "Green by Ann" in str(raised.value)
    with admin(ws, write=False) as ctx:
        assert [h.rag for h in ratings.history(ctx, "bury-2")] == [Rag.GREEN]


def test_a_locked_assessment_cannot_be_rated(ws):
    with admin(ws) as ctx:
        info = ratings.lock_assessment(ctx)
        assert info.locked and info.current
    with pytest.raises(Conflict, match="locked"), admin(ws) as ctx:
        ratings.rate(ctx, "bury-2", "green")


def test_a_locked_assessment_takes_no_ratings_from_an_imported_table(ws):
    """An agreement's table with a RAG column: refused whole while the assessment the ratings
    would go into is locked, its new measures too; without the column, the measures import."""
    from valvecheck.services.catalogue import import_catalogue

    table = (
        b"LA,Recommendation,Theme,Sub-Theme,RAG\n"
        b"Kent,Reform banding of top-up funding for mainstream schools.,Financial Efficiencies,,Green\n"
    )
    with admin(ws) as ctx:
        ratings.lock_assessment(ctx)
        before = len(measure_ids(ctx))
    with pytest.raises(Conflict, match="locked"), admin(ws) as ctx:
        import_catalogue(ctx, table, "kent.csv", year="2023-24")
    with admin(ws, write=False) as ctx:
        assert len(measure_ids(ctx)) == before  # nothing half-written
    plain = table.replace(b",RAG", b"").replace(b",Green", b"")
    with admin(ws) as ctx:
        import_catalogue(ctx, plain, "kent.csv", year="2023-24")
        # the catalogue has it, and so does the workspace's state (the current assessment read
        # unnamed); the locked assessment named keeps the measures it was locked with
        assert len(queries.load_catalogue(ctx.db, None).measures) == before + 1
        assert len(measure_ids(ctx)) == before + 1
        locked = ratings.list_assessments(ctx)[0].name
        from valvecheck.services.measures import list_measures

        assert len(list_measures(ctx, assessment=locked)) == before


def measure_ids(ctx) -> list[str]:  # type: ignore[no-untyped-def]
    from valvecheck.services.measures import list_measures

    return [v.id for v in list_measures(ctx)]


def test_new_assessment_is_current_only_when_asked(ws):
    with admin(ws) as ctx:
        made = ratings.new_assessment(ctx, "Autumn", carry_from=SEED)
        assert (made.rated, made.current) == (10, False)
        assert ratings.current_assessment(ctx).name == SEED
        with pytest.raises(Conflict):
            ratings.new_assessment(ctx, "Autumn")
        with pytest.raises(InputError):
            ratings.new_assessment(ctx, "   ")
        ratings.use_assessment(ctx, "Autumn")
        assert ratings.current_assessment(ctx).name == "Autumn"
    with pytest.raises(NotFound), admin(ws) as ctx:
        ratings.use_assessment(ctx, "No such")


def test_people_sign_in_and_roles(ws):
    with admin(ws) as ctx:
        made = people.add_person(ctx, "ann", "editor", password="correct horse battery")
        assert (made.role, made.has_password, made.council) == (Role.EDITOR, True, "Bristol")
        with pytest.raises(Conflict):
            people.add_person(ctx, "ann", "viewer")
        with pytest.raises(InputError, match="at least"):
            people.add_person(ctx, "bo", "viewer", password="short")
        with pytest.raises(InputError, match="not a role"):
            people.add_person(ctx, "cy", "owner")
    with ws.session(all_councils=True) as session:
        actor = people.sign_in(session, "ann", "correct horse battery")
        assert (actor.name, actor.role, actor.council) == ("ann", Role.EDITOR, "Bristol")
        for name, password in (("ann", "wrong password!"), ("nobody", "correct horse battery")):
            with pytest.raises(Unauthenticated, match="name or password"):
                people.sign_in(session, name, password)
    with pytest.raises(Forbidden), unit_of_work(ws, write=True, as_person="ann") as ctx:
        people.add_person(ctx, "dee", "viewer")


def test_another_councils_assessment_is_not_found(ws):
    with admin(ws) as ctx:
        people.add_council(ctx, "Leeds")
    with unit_of_work(ws, write=True, council="Leeds") as ctx:
        ratings.new_assessment(ctx, "Leeds own")
        with pytest.raises(NotFound):
            ratings.history(ctx, "bury-1", SEED)
    with pytest.raises(NotFound), unit_of_work(ws, council="Bristol") as ctx:
        ratings.history(ctx, "bury-1", "Leeds own")
