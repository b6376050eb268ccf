"""Rating every copy of a common measure in one go (services.rate_copies): each copy's rating is
appended to its own history as rating it alone would append it, and it is all of them or none.

On the workspace the store decides: SQLite, and PostgreSQL with VALVECHECK_TEST_STORE=postgresql.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from valvecheck.domain.moments import aware
from valvecheck.domain.rag import Rag
from valvecheck.errors import Conflict, Forbidden, InputErrors, NotFound
from valvecheck.services import people, ratings
from valvecheck.services.rate_copies import rate_copies
from valvecheck.services.workspace import unit_of_work
from valvecheck.store.db import Workspace

# One template in three agreements (tests/test_common.py TOGETHER); the seed has rated one.
GROUP = ("bury-4", "hammersmith-fulham-4", "stoke-on-trent-5")
AT = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)


@pytest.fixture
def two(ws: Workspace) -> Iterator[Workspace]:
    """Bristol (the seed's assessment) with an editor and a viewer; Leeds with its own
    assessment, its own rating of one copy, and an editor."""
    with unit_of_work(ws, write=True, by="setup") as ctx:
        people.add_council(ctx, "Leeds")
        people.add_person(ctx, "ed", "editor")
        people.add_person(ctx, "vi", "viewer")
        people.add_person(ctx, "ann", "admin")
        people.add_person(ctx, "les", "editor", "Leeds")
    with unit_of_work(ws, write=True, council="Leeds", by="leeds admin") as ctx:
        ratings.new_assessment(ctx, "Leeds: spring", use=True)
        ratings.rate(ctx, "bury-4", "red", "Leeds has no plan yet")
    yield ws


def versions(ws: Workspace, who: str = "ed") -> dict[str, int]:
    """Each copy's version as a person opening the form reads it."""
    with unit_of_work(ws, as_person=who) as ctx:
        return {m: len(ratings.history(ctx, m)) for m in GROUP}


def histories(ws: Workspace, who: str = "ed") -> dict[str, list[tuple[int, str, str, str]]]:
    with unit_of_work(ws, as_person=who) as ctx:
        return {
            m: [(r.version, r.rag.value, r.rationale, r.by) for r in ratings.history(ctx, m)]
            for m in GROUP
        }


def test_each_copy_gets_the_rating_in_its_own_history_by_the_same_person_at_one_moment(two):
    before, read = histories(two), versions(two)
    assert [len(h) for h in before.values()] == [0, 1, 0]  # the seed rated hammersmith-fulham-4
    with unit_of_work(two, write=True, as_person="ed") as ctx:
        ctx.clock = lambda: AT
        done = rate_copies(
            ctx,
            "bury-4",
            list(GROUP),
            "green",
            "  Our SENCO network covers it  ",
            "https://example.org/senco",
            read,
        )
    assert [r.measure_id for r in done.ratings] == list(GROUP)
    assert done.assessment == "Bristol: mitigation validation exercise"
    with unit_of_work(two, as_person="ed") as ctx:
        for m in GROUP:
            found = ratings.history(ctx, m)
            latest = found[-1]
            assert len(found) == len(before[m]) + 1, m
            assert latest.version == len(found), m  # its own chain: 1 after none, 2 after 1
            assert (latest.rag, latest.by, aware(latest.at)) == (Rag.GREEN, "ed", AT), m
            assert latest.rationale == "Our SENCO network covers it"  # as rate() trims it
            assert latest.evidence == "https://example.org/senco"
            assert latest.previous is (found[-2].rag if len(found) > 1 else Rag.UNRATED), m
    # and the next single rating follows on from it, as after any rating
    with unit_of_work(two, write=True, as_person="ed") as ctx:
        after = ratings.rate(ctx, "stoke-on-trent-5", "amber", expected_version=1)
    assert (after.rating.version, after.rating.previous) == (2, Rag.GREEN)


def test_one_copy_rated_since_the_form_was_opened_refuses_them_all(two):
    opened = versions(two)
    with unit_of_work(two, write=True, as_person="ann") as ctx:  # someone else, meanwhile
        ratings.rate(ctx, "stoke-on-trent-5", "red", "not yet", expected_version=0)
    before = histories(two)
    with (
        pytest.raises(Conflict) as refused,
        unit_of_work(two, write=True, as_person="ed") as ctx,
    ):
        rate_copies(ctx, "bury-4", list(GROUP), "green", "all in hand", versions=opened)
    assert refused.value.reason == "stale-version" and refused.value.field == "version"
    said = str(refused.value)
    assert "stoke-on-trent-5 was rated Red by ann since you opened it" in said
    assert "bury-4" not in said.split(".")[0] and "None of the measures was rated" in said
    assert histories(two) == before


def test_every_problem_is_named_at_once_and_nothing_is_saved(two):
    opened = versions(two)
    opened["hammersmith-fulham-4"] = 0  # read before the seed's rating: stale
    before = histories(two)
    with (
        pytest.raises(InputErrors) as refused,
        unit_of_work(two, write=True, as_person="ed") as ctx,
    ):
        rate_copies(ctx, "bury-4", [*GROUP, "bury-1"], "n/a", "", versions=opened)
    errors = refused.value.errors
    assert list(errors) == ["measures", "version", "rationale"]
    assert errors["measures"].startswith("bury-1 is not grouped with bury-4")
    assert refused.value.codes == {"measures": "not-a-copy", "version": "stale-version"}
    assert "hammersmith-fulham-4" in errors["version"]
    assert "not applicable needs a reason" in errors["rationale"]
    assert histories(two) == before


@pytest.mark.parametrize("outsider", ["bury-1", "nope-9", "Kent-3"])
def test_a_measure_not_in_the_group_is_refused_whatever_else_is_chosen(two, outsider):
    """The form rates one group: a crafted post naming any other measure rates nothing, so that
    a rating given for a template's copies never lands on an unrelated measure."""
    before, read = histories(two), versions(two)
    with (
        pytest.raises(InputErrors) as refused,
        unit_of_work(two, write=True, as_person="ed") as ctx,
    ):
        rate_copies(ctx, "bury-4", ["bury-4", outsider], "green", "x", versions=read)
    assert list(refused.value.errors) == ["measures"]
    assert refused.value.errors["measures"].startswith(f"{outsider} is not grouped with bury-4")
    assert histories(two) == before
    with unit_of_work(two, as_person="ed") as ctx:
        assert ratings.history(ctx, "bury-1") == []


def test_unticked_copies_are_left_as_they_were(two):
    before, read = histories(two), versions(two)
    with unit_of_work(two, write=True, as_person="ed") as ctx:
        done = rate_copies(
            ctx, "bury-4", ["STOKE-ON-TRENT-5 ", "bury-4"], "amber", "b", versions=read
        )
    assert [r.measure_id for r in done.ratings] == ["bury-4", "stoke-on-trent-5"]
    after = histories(two)
    assert after["hammersmith-fulham-4"] == before["hammersmith-fulham-4"]
    assert [len(after[m]) for m in ("bury-4", "stoke-on-trent-5")] == [1, 1]


def test_a_copy_already_rated_so_is_left_unchanged_and_said_to_be(two):
    """As rating one measure records nothing when it is sent back as it stands, a copy whose
    latest rating already has this rating, rationale and evidence gets no new history row."""
    with unit_of_work(two, write=True, as_person="ed") as ctx:
        ratings.rate(ctx, "bury-4", "green", "Network", "https://example.org/n")
    read = versions(two)
    before = histories(two)
    with unit_of_work(two, write=True, as_person="ed") as ctx:
        done = rate_copies(
            ctx, "bury-4", list(GROUP), "green", " Network ", "https://example.org/n", read
        )
    assert [r.measure_id for r in done.ratings] == ["hammersmith-fulham-4", "stoke-on-trent-5"]
    assert done.unchanged == ("bury-4",)
    after = histories(two)
    assert after["bury-4"] == before["bury-4"]
    # sent again as it now stands: nothing to record for any of them
    with unit_of_work(two, write=True, as_person="ed") as ctx:
        again = rate_copies(
            ctx, "bury-4", list(GROUP), "green", "Network", "https://example.org/n", versions(two)
        )
    assert (again.ratings, again.unchanged) == ((), GROUP)
    assert histories(two) == after


def test_none_chosen_is_refused(two):
    with (
        pytest.raises(InputErrors) as refused,
        unit_of_work(two, write=True, as_person="ed") as ctx,
    ):
        rate_copies(ctx, "bury-4", [], "green", versions={})
    assert refused.value.errors == {"measures": "choose at least one of the measures to rate"}


def test_a_copy_without_the_version_read_is_refused_when_versions_are_checked(two):
    before = histories(two)
    read = versions(two)
    del read["stoke-on-trent-5"]
    with pytest.raises(Conflict) as refused, unit_of_work(two, write=True, as_person="ed") as ctx:
        rate_copies(ctx, "bury-4", list(GROUP), "green", versions=read)
    assert "stoke-on-trent-5: the version of its ratings that was read is missing" in str(
        refused.value
    )
    assert histories(two) == before


def test_a_locked_assessment_is_refused(two):
    with unit_of_work(two, write=True, as_person="ann") as ctx:
        ratings.lock_assessment(ctx)
    before, read = histories(two), versions(two)
    with pytest.raises(Conflict) as refused, unit_of_work(two, write=True, as_person="ed") as ctx:
        rate_copies(ctx, "bury-4", list(GROUP), "green", versions=read)
    assert refused.value.reason == "locked"
    assert histories(two) == before


def test_another_assessment_made_current_since_the_form_was_drawn_is_refused(two):
    with unit_of_work(two, write=True, as_person="ann") as ctx:
        ratings.new_assessment(ctx, "Bristol: 2027", use=True)
    with pytest.raises(Conflict) as refused, unit_of_work(two, write=True, as_person="ed") as ctx:
        rate_copies(
            ctx,
            "bury-4",
            list(GROUP),
            "green",
            drawn_for="Bristol: mitigation validation exercise",
        )
    assert refused.value.field == "assessment" and "'Bristol: 2027'" in str(refused.value)


def test_a_viewer_may_not(two):
    with pytest.raises(Forbidden), unit_of_work(two, write=True, as_person="vi") as ctx:
        rate_copies(ctx, "bury-4", list(GROUP), "green")


@pytest.mark.parametrize("measure", ["nope-9", "bury-1"])
def test_a_measure_with_no_copies_is_no_group(two, measure):
    with pytest.raises(NotFound), unit_of_work(two, write=True, as_person="ed") as ctx:
        rate_copies(ctx, measure, [measure], "green")


def test_any_copy_names_the_group(two):
    with unit_of_work(two, write=True, as_person="ed") as ctx:
        done = rate_copies(ctx, "stoke-on-trent-5", ["bury-4"], "red", "none yet")
    assert [r.measure_id for r in done.ratings] == ["bury-4"]


def test_a_council_rates_its_own_assessment_only(two):
    bristol, read = histories(two, "ed"), versions(two, "les")
    assert read == {"bury-4": 1, "hammersmith-fulham-4": 0, "stoke-on-trent-5": 0}
    with unit_of_work(two, write=True, as_person="les") as ctx:
        done = rate_copies(ctx, "bury-4", list(GROUP), "amber", "Leeds' answer", versions=read)
    assert done.assessment == "Leeds: spring"
    assert histories(two, "ed") == bristol
    leeds = histories(two, "les")
    assert leeds["bury-4"] == [
        (1, "red", "Leeds has no plan yet", "leeds admin"),
        (2, "amber", "Leeds' answer", "les"),
    ]
    assert leeds["hammersmith-fulham-4"] == [(1, "amber", "Leeds' answer", "les")]
    # Bristol's versions are not Leeds': read from Bristol's form, Leeds' bury-4 is stale
    with pytest.raises(Conflict), unit_of_work(two, write=True, as_person="les") as ctx:
        rate_copies(ctx, "bury-4", ["bury-4"], "green", versions={"bury-4": 0})


def test_rate_all_back_to_not_rated_drops_the_reasons_of_the_ratings_taken_away(two):
    """From a review: "Rate all" offers the group's shared rationale and evidence again, and
    setting the copies back to Not rated kept the Green reason on every copy; a carried rating's
    reason, which the form offers without its note, was kept too (single ratings)."""
    read = versions(two)
    with unit_of_work(two, write=True, as_person="ed") as ctx:
        rate_copies(ctx, "bury-4", list(GROUP), "green", "All in hand", "paper", read)
    read = versions(two)
    with unit_of_work(two, write=True, as_person="ed") as ctx:
        rate_copies(ctx, "bury-4", list(GROUP), "unrated", "All in hand ", "paper", read)
    after = histories(two)
    assert [h[-1][1:3] for h in after.values()] == [("unrated", "")] * 3
    # a carried rating: the form offers its words without the carried note
    with unit_of_work(two, write=True, as_person="ed") as ctx:
        ratings.rate(ctx, "bury-1", "green", "Panel in place")
        made = ratings.new_assessment(
            ctx, "Autumn", carry_from="Bristol: mitigation validation exercise", use=True
        )
        assert made.name == "Autumn"
        carried = ratings.history(ctx, "bury-1")[-1]
        assert "carried forward" in carried.rationale
        from valvecheck.domain.rating import own_words

        back = ratings.rate(ctx, "bury-1", "unrated", own_words(carried.rationale))
    assert back.rating.rationale == ""
