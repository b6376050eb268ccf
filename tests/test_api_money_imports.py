"""Savings and the deficit trajectory imported through the API (`POST /api/impact/savings/import`,
`POST /api/impact/trajectory/import`), as the web's Imports page and the command line take them:
all rows or none, a preview that writes nothing, each figure changed said in decimal strings."""

# ruff: noqa: F811 (the tests take the imported fixtures as parameters)

from __future__ import annotations

import pytest
from api_support import Server, server
from test_api_review import problem

SAVINGS = b"activity,year,expected,actual\nL-1,2024-25,120000,90000\n"


@pytest.fixture
def srv(tmp_path):  # type: ignore[no-untyped-def]
    with server(str(tmp_path / "api.db")) as s:
        yield s


def _impact(s: Server) -> dict:  # type: ignore[type-arg]
    return s.client.get("/api/impact", headers=s.as_("B-editor")).json()


def test_savings_are_previewed_then_imported_with_each_figure_said(srv):
    c, b = srv.client, srv.as_("B-editor")
    files = {"file": ("savings.csv", SAVINGS, "text/csv")}
    url = "/api/impact/savings/import"
    preview = c.post(url, files=files, data={"preview": "true"}, headers=b)
    assert preview.status_code == 200, preview.text
    said = preview.json()
    assert said["preview"] is True and said["rows"] == 1 and said["recorded"] == 1
    assert said["changes"] == [
        {"activity": "L-1", "year": "2024-25", "figure": "expected", "before": None,
         "after": "120000.00"},
        {"activity": "L-1", "year": "2024-25", "figure": "actual", "before": None,
         "after": "90000.00"},
    ]  # fmt: skip
    assert _impact(srv)["by_activity"] == []  # a preview writes nothing
    done = c.post(url, files=files, headers=b)
    assert done.status_code == 200 and done.json()["recorded"] == 1
    assert [a["activity"] for a in _impact(srv)["by_activity"]] == ["L-1"]
    again = c.post(url, files=files, headers=b).json()
    assert again["recorded"] == 0 and again["unchanged"] == 1 and again["changes"] == []
    bad = {"file": ("bad.csv", b"activity,year,expected\nL-9,2024-25,10\n", "text/csv")}
    (first,) = problem(c.post(url, files=bad, headers=b), 422, "import-rejected")["problems"]
    assert first["file"] == "bad.csv" and first["line"] == 2 and first["column"] == "activity"
    problem(c.post(url, files=files, headers=srv.as_("A-viewer")), 403, "forbidden")


def test_a_trajectory_file_replaces_the_assessments_trajectory_saying_each_figure(srv):
    c, b = srv.client, srv.as_("B-editor")
    url = "/api/impact/trajectory/import"
    first = b"year,unmitigated,target\n2024-25,1000,900\n2025-26,2000,1500\n"
    done = c.post(url, files={"file": ("plan.csv", first, "text/csv")}, headers=b)
    assert done.status_code == 200, done.text
    assert done.json()["years"] == 2 and done.json()["assessment"] == "Leeds: autumn"
    second = b"year,unmitigated,target\n2025-26,2000,1400\n"
    files = {"file": ("plan-2.csv", second, "text/csv")}
    preview = c.post(url, files=files, data={"preview": "true"}, headers=b).json()
    assert preview["changes"] == [
        {"year": "2024-25", "figure": "unmitigated", "before": "1000.00", "after": None},
        {"year": "2024-25", "figure": "target", "before": "900.00", "after": None},
        {"year": "2025-26", "figure": "target", "before": "1500.00", "after": "1400.00"},
    ]
    assert [y["year"] for y in _impact(srv)["years"] if y["unmitigated"]] == ["2024-25", "2025-26"]
    misspelt = {"file": ("c.csv", b"year,unmitigated,targt\n2025-26,2000,1400\n", "text/csv")}
    refused = problem(c.post(url, files=misspelt, headers=b), 422, "import-rejected")
    assert refused["problems"][0]["code"] == "column-not-read"
    mapped = c.post(url, files=misspelt, data={"column_map": "target=targt"}, headers=b)
    assert mapped.status_code == 200 and mapped.json()["changes"] == preview["changes"]
    problem(c.post(f"{url}?assessment=999999", files=files, headers=b), 404, "not-found")
