"""The page of every activity's suggestions (/suggestions) for 1,000 activities: its first view
(every activity scored) and the views after (kept: services.suggestions.ranked_for), beside a
view after a link (scored afresh).

    .venv/bin/python bench/suggestions_page_bench.py [--activities 1000]
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from web_support import make_site  # noqa: E402

from valvecheck.services import activities, links  # noqa: E402
from valvecheck.services.workspace import unit_of_work  # noqa: E402

CORPUS = HERE.parent / "src/valvecheck/analysis/data/labelled.csv"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--activities", type=int, default=1000)
    n = parser.parse_args().activities
    rows = list(csv.DictReader(CORPUS.open(encoding="utf-8")))[:n]
    text = io.StringIO()
    out = csv.writer(text)
    out.writerow(["id", "title", "description"])
    for i, r in enumerate(rows):
        out.writerow([f"A-{i}", r["title"], r["description"]])
    site = make_site(Path(tempfile.mkdtemp()))
    with unit_of_work(site.ws, write=True, as_person="ann") as ctx:
        activities.import_activities(ctx, text.getvalue().encode(), "a.csv")
    client = site.client("ed")

    def view(what: str, path: str = "/suggestions") -> None:
        started = time.perf_counter()
        response = client.get(path)
        assert response.status_code == 200
        print(f"{what:<32} {time.perf_counter() - started:6.2f} s")

    print(f"/suggestions, {len(rows):,} activities, the bundled catalogue")
    view("first view")
    view("again")
    view("page 2", "/suggestions?page=2")
    with unit_of_work(site.ws, write=True, as_person="ed") as ctx:
        links.link(ctx, "A-0", "bury-1", "a link of the council's own")
    view("after a link")
    view("again")


if __name__ == "__main__":
    main()
