"""The Impact page (/impact) for a council whose activities have savings over several years:
the page as a finance lead lands on it after a savings import.

    .venv/bin/python bench/impact_page_bench.py [--activities 200] [--years 8]

Each activity has an expected saving in every year from 2018-19 and is linked to one of the
seed's measures; the trajectory covers the same years. Timed: the service's roll-up alone
(``impact``) and the whole page, best of three.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from web_support import make_site  # noqa: E402

from valvecheck.services import activities, impact, links, trajectory  # noqa: E402
from valvecheck.services.workspace import unit_of_work  # noqa: E402

MEASURES = ("bury-1", "bury-2", "bury-3", "kingston-richmond-1", "stoke-on-trent-2")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--activities", type=int, default=200)
    parser.add_argument("--years", type=int, default=8)
    args = parser.parse_args()
    years = [f"{y}-{(y + 1) % 100:02d}" for y in range(2018, 2018 + args.years)]
    tracker = "id,title\n" + "".join(f"S-{i},Scheme {i}\n" for i in range(args.activities))
    savings = "activity,year,expected\n" + "".join(
        f"S-{i},{y},{1000 + i}\n" for i in range(args.activities) for y in years
    )
    plan = "year,unmitigated,target\n" + "".join(f"{y},5000000,4000000\n" for y in years)
    site = make_site(Path(tempfile.mkdtemp()))
    with unit_of_work(site.ws, write=True, as_person="ann") as ctx:
        activities.import_activities(ctx, tracker.encode(), "tracker.csv")
        for i in range(args.activities):
            links.link(ctx, f"S-{i}", MEASURES[i % len(MEASURES)], "delivers it")
        impact.import_savings(ctx, savings.encode(), "savings.csv")
        trajectory.import_trajectory(ctx, plan.encode(), "plan.csv")
    client = site.client("ed")
    best: dict[str, float] = {}
    for _ in range(3):
        started = time.perf_counter()
        with unit_of_work(site.ws, as_person="ed") as ctx:
            impact.impact(ctx)
        best["roll-up (impact)"] = min(
            best.get("roll-up (impact)", 1e9), time.perf_counter() - started
        )
        started = time.perf_counter()
        assert client.get("/impact").status_code == 200
        best["the whole page"] = min(best.get("the whole page", 1e9), time.perf_counter() - started)
    print(f"/impact, {args.activities} activities x {args.years} years")
    for what, seconds in best.items():
        print(f"{what:<20} {seconds:6.2f} s")


if __name__ == "__main__":
    main()
