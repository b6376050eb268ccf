"""The shared catalogue (and the list of councils) is kept by the host council: the first council,
the one the server was set up for. Its admins and the local administrator change it; another
council's admin is refused, in the services, on the web pages and through the API, and nothing
is written. A server with one council is as it was.

Every test runs on this run's store (SQLite, or PostgreSQL with VALVECHECK_TEST_STORE=postgresql).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from api_support import app_for, token
from fastapi.testclient import TestClient
from web_support import Site, by_id, page, post, text

from valvecheck.errors import Forbidden
from valvecheck.services import catalogue, equivalence, people
from valvecheck.services.measures import show_measure
from valvecheck.services.workspace import init_workspace, unit_of_work
from valvecheck.settings import Settings
from valvecheck.store import repository as repo
from valvecheck.store.db import Workspace

ONE_MEASURE = b"LA,Recommendation\nBury,Publish a sufficiency strategy for SEND places by 2027.\n"
PAIR = ("bury-1", "stoke-on-trent-2")
KEPT = (
    "is an admin of Leeds; the shared catalogue is kept by the admins of Bristol, the council "
    "this server was set up for, so only they may change the catalogue of agreements and measures"
)
COUNCILS_KEPT = (
    "lee is an admin of Leeds; the list of councils on this server is kept by the admins of "
    "Bristol, the council this server was set up for, so only they may add councils"
)


@dataclass
class Server:
    ws: Workspace
    site: Site  # the web app's people: ann (Bristol's admin), lee (Leeds's admin), les (editor)
    tokens: dict[str, str]  # "Bristol" and "Leeds": an admin token of each

    def web(self, name: str) -> TestClient:
        return self.site.client(name)


def _server(db_path: str, councils: tuple[str, ...]) -> Server:
    ws = Workspace(db_path)
    init_workspace(ws)  # Bristol, the bundled catalogue and the seed's assessment
    ids: dict[str, int] = {}
    with unit_of_work(ws, write=True, by="setup") as ctx:
        for name in councils[1:]:
            people.add_council(ctx, name)
        ids["ann"] = people.add_person(ctx, "ann", "admin", "Bristol").id
        if "Leeds" in councils:
            ids["lee"] = people.add_person(ctx, "lee", "admin", "Leeds").id
            ids["les"] = people.add_person(ctx, "les", "editor", "Leeds").id
    secrets = {c: token(ws, c, f"{c.lower()}-admin", "admin") for c in councils}
    site = Site(ws, Settings(secret_key="test-key-" + "x" * 40), 0, 0, ids)
    return Server(ws, site, secrets)


@pytest.fixture
def shared(db_path: str) -> Iterator[Server]:
    """Bristol (the first council: the host) and Leeds (a guest) on one server."""
    found = _server(db_path, ("Bristol", "Leeds"))
    yield found
    found.ws.dispose()


@pytest.fixture
def alone(db_path: str) -> Iterator[Server]:
    """A server with Bristol alone."""
    found = _server(db_path, ("Bristol",))
    yield found
    found.ws.dispose()


def snapshot(ws: Workspace) -> tuple[object, ...]:
    """What every council shares: the catalogue's measures, the decisions, the councils."""
    with unit_of_work(ws, council="Bristol", by="reader") as ctx:
        measures = sorted((m.id, m.text) for m in repo.load_catalogue(ctx.session, None).measures)
        decided = sorted((d.measure, d.other, d.decision) for d in equivalence.decisions(ctx))
        councils = [c.name for c in people.list_councils(ctx)]
    return measures, decided, councils


def measure_count(ws: Workspace) -> int:
    return len(snapshot(ws)[0])  # type: ignore[arg-type]


# -- the services ---------------------------------------------------------------------------------


def test_a_guest_councils_admin_may_not_change_what_every_council_shares(shared):
    before = snapshot(shared.ws)
    with unit_of_work(shared.ws, write=True, as_person="lee") as ctx:
        with pytest.raises(Forbidden) as imported:
            catalogue.import_catalogue(ctx, ONE_MEASURE, "one.csv")
        with pytest.raises(Forbidden) as decided:
            equivalence.decide(ctx, *PAIR, "same", "one panel")
        with pytest.raises(Forbidden) as added:
            people.add_council(ctx, "York")
    assert str(imported.value) == f"lee {KEPT}"
    assert str(decided.value) == f"lee {KEPT}"
    assert str(added.value) == COUNCILS_KEPT
    assert snapshot(shared.ws) == before


def test_a_guest_councils_admin_token_is_refused_the_same(shared):
    from valvecheck.services.tokens import token_actor

    with shared.ws.session(write=False, all_councils=True) as db:
        actor = token_actor(db, shared.tokens["Leeds"])
    before = snapshot(shared.ws)
    with (
        unit_of_work(shared.ws, write=True, actor=actor) as ctx,
        pytest.raises(Forbidden) as refused,
    ):
        equivalence.decide(ctx, *PAIR, "same")
    assert str(refused.value) == f"leeds-admin (API token) {KEPT}"
    assert snapshot(shared.ws) == before


def test_the_role_is_asked_first_an_editor_hears_about_their_role(shared):
    with (
        unit_of_work(shared.ws, write=True, as_person="les") as ctx,
        pytest.raises(Forbidden) as refused,
    ):
        equivalence.decide(ctx, *PAIR, "same")
    assert str(refused.value) == (
        "les is an editor and an editor may not change the catalogue of agreements and measures"
    )


def test_the_host_councils_admin_changes_the_catalogue_and_adds_councils(shared):
    count = measure_count(shared.ws)
    with unit_of_work(shared.ws, write=True, as_person="ann") as ctx:
        catalogue.import_catalogue(ctx, ONE_MEASURE, "one.csv")
        found = equivalence.decide(ctx, *PAIR, "same", "one panel")
        people.add_council(ctx, "York")
    assert found is not None and found.decision == "same"
    measures, decided, councils = snapshot(shared.ws)
    assert len(measures) == count + 1  # type: ignore[arg-type]
    assert decided == [(*PAIR, "same")]
    assert councils == ["Bristol", "Leeds", "York"]


def test_the_local_administrator_keeps_it_whichever_council_they_act_in(shared):
    count = measure_count(shared.ws)
    with unit_of_work(shared.ws, write=True, council="Leeds", by="operator") as ctx:
        catalogue.import_catalogue(ctx, ONE_MEASURE, "one.csv")
        equivalence.decide(ctx, *PAIR, "different", "two panels")
        people.add_council(ctx, "York")
    measures, decided, councils = snapshot(shared.ws)
    assert len(measures) == count + 1  # type: ignore[arg-type]
    assert decided == [(*PAIR, "different")]
    assert councils == ["Bristol", "Leeds", "York"]


def test_a_guest_admin_is_refused_at_the_command_line_too(shared, cli):
    code, _, err = cli("--as", "lee", "councils", "add", "York")
    assert code != 0
    assert "the list of councils on this server is kept by the admins of Bristol" in err
    assert snapshot(shared.ws)[2] == ["Bristol", "Leeds"]


def test_a_server_with_one_council_is_as_it_was(alone):
    count = measure_count(alone.ws)
    with unit_of_work(alone.ws, write=True, as_person="ann") as ctx:
        catalogue.import_catalogue(ctx, ONE_MEASURE, "one.csv")
        equivalence.decide(ctx, *PAIR, "same")
        people.add_council(ctx, "Leeds")  # and ann's Bristol, the first, keeps it from now on
    measures, decided, councils = snapshot(alone.ws)
    assert len(measures) == count + 1  # type: ignore[arg-type]
    assert decided == [(*PAIR, "same")]
    assert councils == ["Bristol", "Leeds"]


# -- the web pages --------------------------------------------------------------------------------


def test_a_guest_admins_pages_offer_no_catalogue_change_and_say_who_keeps_it(shared):
    client = shared.web("lee")
    imports = client.get("/imports")
    assert imports.status_code == 200
    kinds = [i.get("value") for i in page(imports).iter("input") if i.get("name") == "kind"]
    # their council's activities, and a table rating measures already here (their ratings);
    # savings (their council has no assessment yet, so no trajectory: the page says so)
    assert kinds == ["activities", "catalogue", "savings"]
    assert by_id(imports, "trajectory-shut") is not None
    said = text(by_id(imports, "catalogue-keeper"))
    assert "kept by the administrators of Bristol, the council it was set up for" in said
    assert "places measures already here in your programme and rates them" in said

    measure = client.get("/measures/bury-1")
    assert measure.status_code == 200
    for form in ("equivalence-form", "find-form"):
        assert by_id(measure, form) is None, form
    assert 'action="/measures/bury-1/equivalence"' not in measure.text
    said = text(by_id(measure, "catalogue-keeper"))
    assert "kept by the administrators of Bristol, the council it was set up for" in said

    common = text(page(client.get("/common")).find(".//main"))
    assert "the administrators of Bristol, the council this server was set up for" in common
    assert "an administrator can correct a group" not in common


def test_a_guest_admins_catalogue_import_is_refused_and_nothing_is_written(shared):
    client = shared.web("lee")
    before = snapshot(shared.ws)
    refused = post(
        client,
        "/imports",
        {"kind": "catalogue"},
        files={"file": ("one.csv", ONE_MEASURE, "text/csv")},
    )
    assert refused.status_code == 403
    assert text(by_id(refused, "message")) == f"lee {KEPT}"
    # an editor's form, sent with no file, is refused, not asked for a file it may not send
    empty = post(shared.web("les"), "/imports", {"kind": "catalogue"})
    assert empty.status_code == 403
    assert "an editor may not change the catalogue" in text(by_id(empty, "message"))
    assert snapshot(shared.ws) == before


def _rated(ws: Workspace, measure: str, extra: str = "") -> bytes:
    """A table of one measure already in the catalogue, word for word, with a rating."""
    with unit_of_work(ws, council="Bristol", by="reader") as ctx:
        found = repo.load_catalogue(ctx.session, None).measure(measure)
    assert found is not None
    head, row = ("LA,Recommendation,RAG", f'Bury,"{found.text}",Green')
    if extra:
        head, row = head + ",Theme", row + f",{extra}"
    return f"{head}\n{row}\n".encode()


def latest(ctx, measure: str) -> str:  # type: ignore[no-untyped-def]
    view = show_measure(ctx, measure)
    return view.latest.rag.value if view.latest else "unrated"


def test_a_guest_admin_imports_their_ratings_of_measures_already_here(shared):
    """Ratings and placements are the council's own: a table that only places and rates
    measures already in the catalogue is any admin's to import (tests/test_council_programme.py
    has the placements)."""
    before = snapshot(shared.ws)
    with unit_of_work(shared.ws, write=True, as_person="lee") as ctx:
        done = catalogue.import_catalogue(ctx, _rated(shared.ws, "bury-2"), "ours.csv")
    assert done.ratings == 1 and snapshot(shared.ws) == before
    with unit_of_work(shared.ws, as_person="lee") as ctx:
        assert latest(ctx, "bury-2") == "green"
    with unit_of_work(shared.ws, as_person="ann") as ctx:
        assert latest(ctx, "bury-2") != "green"  # Leeds' own
    with unit_of_work(shared.ws, write=True, as_person="lee") as ctx:
        catalogue.import_catalogue(ctx, _rated(shared.ws, "bury-3", "Our own theme"), "placed.csv")
    assert snapshot(shared.ws) == before


def test_a_guest_admins_equivalence_decision_is_refused_and_nothing_is_written(shared):
    client = shared.web("lee")
    before = snapshot(shared.ws)
    for form in ({"other": PAIR[1], "decision": "same", "reason": "one panel"}, {}):
        refused = post(client, "/measures/bury-1/equivalence", form, token_from="/measures/bury-1")
        assert refused.status_code == 403, form
        assert text(by_id(refused, "message")) == f"lee {KEPT}", form
    assert snapshot(shared.ws) == before


def test_the_host_admins_pages_offer_the_catalogue_and_it_is_changed(shared):
    client = shared.web("ann")
    imports = client.get("/imports")
    kinds = [i.get("value") for i in page(imports).iter("input") if i.get("name") == "kind"]
    assert kinds == ["activities", "catalogue", "savings", "trajectory"]
    assert by_id(imports, "catalogue-keeper") is None
    measure = client.get("/measures/bury-1")
    assert by_id(measure, "equivalence-form") is not None
    assert by_id(measure, "catalogue-keeper") is None
    assert "an administrator can correct a group" in text(page(client.get("/common")))

    count = measure_count(shared.ws)
    form = {"other": PAIR[1], "decision": "same", "reason": "one panel"}
    decided = post(client, "/measures/bury-1/equivalence", form, token_from="/measures/bury-1")
    assert decided.status_code == 303
    preview = post(
        client, "/imports", {"kind": "catalogue"}, files={"file": ("one.csv", ONE_MEASURE, "t")}
    )
    assert preview.status_code == 200, text(page(preview).find(".//main"))
    confirm = page(preview).find(".//main//form[@method='post']").get("action")
    assert post(client, confirm, token_from="/imports").status_code == 303
    measures, decisions, _ = snapshot(shared.ws)
    assert len(measures) == count + 1  # type: ignore[arg-type]
    assert decisions == [(*PAIR, "same")]


def test_a_one_council_servers_admin_sees_the_pages_as_before(alone):
    client = alone.web("ann")
    imports = client.get("/imports")
    kinds = [i.get("value") for i in page(imports).iter("input") if i.get("name") == "kind"]
    assert kinds == ["activities", "catalogue", "savings", "trajectory"]
    measure = client.get("/measures/bury-1")
    assert by_id(measure, "equivalence-form") is not None
    for response in (imports, measure):
        assert by_id(response, "catalogue-keeper") is None


# -- the API --------------------------------------------------------------------------------------


def test_the_api_answers_a_guest_admins_equivalence_decision_403_with_the_reason(shared):
    body = {"other": PAIR[1], "decision": "same", "rationale": "one panel"}
    before = snapshot(shared.ws)
    with TestClient(app_for(shared.ws)) as client:
        refused = client.post(
            "/api/measures/bury-1/equivalence",
            json=body,
            headers={"Authorization": f"Bearer {shared.tokens['Leeds']}"},
        )
        assert refused.status_code == 403
        problem = refused.json()
        assert problem["code"] == "forbidden"
        assert problem["detail"] == f"leeds-admin (API token) {KEPT}"
        assert snapshot(shared.ws) == before

        done = client.post(
            "/api/measures/bury-1/equivalence",
            json=body,
            headers={"Authorization": f"Bearer {shared.tokens['Bristol']}"},
        )
        assert done.status_code == 200, done.text
        assert done.json()["decision"] == "same"
        described = client.get("/api/openapi.json").json()
    operation = described["paths"]["/api/measures/{measure_id}/equivalence"]["post"]
    assert "set up for" in operation["responses"]["403"]["description"]


def test_a_guest_councils_backup_names_the_keepers_by_their_council_only(shared):
    """A backup is a council's file and may leave the server: the catalogue's decisions in it
    name the host council's people as its pages do ("an administrator in Bristol"), while the
    host's own backup keeps their names."""
    from valvecheck.services import backup

    with unit_of_work(shared.ws, write=True, as_person="ann") as ctx:
        equivalence.decide(ctx, *PAIR, "same", "one panel")
    with unit_of_work(shared.ws, as_person="lee") as ctx:
        guest = backup.backup(ctx)["catalogue"]["equivalence_event"]
    with unit_of_work(shared.ws, as_person="ann") as ctx:
        host = backup.backup(ctx)["catalogue"]["equivalence_event"]
    assert [(d["by"], d["council"]) for d in guest] == [("an administrator in Bristol", "Bristol")]
    assert [(d["by"], d["council"]) for d in host] == [("ann", "Bristol")]


def test_a_guest_admins_restore_may_not_write_the_catalogue_every_council_shares(db_path, tmp_path):
    """On a server with councils but no catalogue yet, a restore would write the catalogue
    every council then reads: that is its keepers' (the host's admins, the local administrator)."""
    from valvecheck.services import backup

    source = Workspace(str(tmp_path / "source.db"))
    init_workspace(source, council="Leeds")
    with unit_of_work(source, council="Leeds", by="leeds admin") as ctx:
        data = backup.dumps(backup.backup(ctx))
    source.dispose()
    ws = Workspace(db_path)
    init_workspace(ws, empty=True, council="Bristol")
    with unit_of_work(ws, write=True, by="setup") as ctx:
        people.add_council(ctx, "Leeds")
        people.add_person(ctx, "lee", "admin", "Leeds")
    with (
        unit_of_work(ws, write=True, as_person="lee") as ctx,
        pytest.raises(Forbidden, match="kept by the admins of Bristol"),
    ):
        backup.restore(ctx, data, "leeds.json", replace=True)
    assert measure_count(ws) == 0
    with unit_of_work(ws, write=True, council="Leeds", by="admin") as ctx:  # the local admin
        backup.restore(ctx, data, "leeds.json", replace=True)
    assert measure_count(ws) == 27
    ws.dispose()


def _package(ws: Workspace, folder: Path) -> tuple[bytes, str]:
    """The workspace's catalogue package, written into ``folder``: its descriptor's bytes and
    path, as `import catalogue` takes them."""
    with unit_of_work(ws, council="Bristol", by="reader") as ctx:
        files = catalogue.export_package(ctx)
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return (folder / "datapackage.json").read_bytes(), str(folder / "datapackage.json")


def test_a_guest_admin_imports_a_package_that_only_places_measures_already_here(shared, tmp_path):
    """A package is the natural way to carry a programme: one placing only measures already in
    the catalogue is any admin's; one adding a measure is the keepers'."""
    data, path = _package(shared.ws, tmp_path / "same")
    before = snapshot(shared.ws)
    with unit_of_work(shared.ws, write=True, as_person="lee") as ctx:
        done = catalogue.import_catalogue(ctx, data, path)
    assert done.added["measures"] == 0 and done.added["placements"] > 20
    assert snapshot(shared.ws) == before
    other = Workspace(str(tmp_path / "other.db"))
    init_workspace(other)
    with unit_of_work(other, write=True, by="admin") as ctx:
        more = b"LA,Recommendation\nBury,Open a new special free school for 60 pupils by 2027.\n"
        catalogue.import_catalogue(ctx, more, "more.csv")
    data, path = _package(other, tmp_path / "more")
    other.dispose()
    with (
        unit_of_work(shared.ws, write=True, as_person="lee") as ctx,
        pytest.raises(Forbidden, match="kept by the admins of Bristol"),
    ):
        catalogue.import_catalogue(ctx, data, path)
    assert snapshot(shared.ws) == before
