"""Every activity's suggestions are kept for the inputs they were scored from: the page of every
activity's suggestions read again is not scored again (it took 1.7-3.1 s a page for 1,000
activities), and any change to what they were scored from (an activity's words, the council's
links, the catalogue) is scored afresh: a kept answer is never a stale one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from valvecheck.analysis.suggest import Suggester
from valvecheck.services import activities, links
from valvecheck.services import suggestions as service
from valvecheck.services.workspace import unit_of_work

TRACKER = (
    b"id,title,description\n"
    b"A-1,SENCO network,Termly SENCO network so mainstream schools keep pupils with complex needs\n"
    b"A-2,Resource bases,New resource bases in mainstream secondary schools for SEMH needs\n"
)


@pytest.fixture
def scored(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many activities the matcher has scored, counted from here."""
    service._ranked.cache_clear()
    counted: list[int] = []
    real = Suggester.for_activities

    def counting(self, activities, top=5, titles=None):  # type: ignore[no-untyped-def]
        counted.append(len(activities))
        return real(self, activities, top, titles)

    monkeypatch.setattr(Suggester, "for_activities", counting)
    yield counted
    service._ranked.cache_clear()


def test_suggestions_read_again_are_not_scored_again_and_a_change_is(ws, scored) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work(ws, write=True) as ctx:
        activities.import_activities(ctx, TRACKER, "tracker.csv")
    with unit_of_work(ws) as ctx:
        first = service.suggest(ctx, top=3)
        again = service.suggest(ctx, top=3)
    assert scored == [2]  # read again: kept
    assert again.groups == first.groups and first.groups["A-1"]
    measure = first.groups["A-1"][0].measure_id
    with unit_of_work(ws, write=True) as ctx:
        links.link(ctx, "A-1", measure, "the network is this measure")
    with unit_of_work(ws) as ctx:
        linked = service.suggest(ctx, top=3)
    assert scored == [2, 2]  # a link is new evidence: scored afresh
    assert measure not in [s.measure_id for s in linked.groups["A-1"]]  # judged, not suggested
    changed = TRACKER.replace(b"Resource bases,New", b"Resource bases,Six new")
    with unit_of_work(ws, write=True) as ctx:
        activities.import_activities(ctx, changed, "tracker.csv")
    with unit_of_work(ws) as ctx:
        service.suggest(ctx, top=3)
    assert scored == [2, 2, 2]  # an activity's words changed: scored afresh
