"""Do two versions of the matcher give the same scores? Write one tree's score matrices, then
compare them with another's (a speed change must not change what is suggested).

PYTHONPATH=<old tree>/src .venv/bin/python bench/same_scores.py write /tmp/old.npz
.venv/bin/python bench/same_scores.py write /tmp/new.npz
.venv/bin/python bench/same_scores.py compare /tmp/old.npz /tmp/new.npz

The activities are the first nine files of bench/fresh2* (366 rows), scored against the bundled
catalogue (27 measures) and the synthetic one (3,750), with 0, 60 and 300 of them linked by the
council (each to a measure chosen by its row number).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
ROOT = Path(__file__).resolve().parents[1]


def write(out: str) -> None:
    from synthetic import synthetic_catalogue

    from valvecheck.analysis.matcher import Example
    from valvecheck.catalogue.loader import load_catalogue
    from valvecheck.services.suggestions import suggester_for

    rows = []
    for f in sorted(ROOT.glob("bench/fresh2*/*.csv"))[:9]:
        rows += list(csv.DictReader(f.open(encoding="utf-8")))
    texts = [f"{r['title']}. {r.get('description', '')}" for r in rows]
    titles = [r["title"] for r in rows]
    found = {}
    for name, catalogue in (("bundled", load_catalogue()), ("synthetic", synthetic_catalogue())):
        ids = [m.id for m in catalogue.measures]
        for n in (0, 60, 300):
            links = [
                Example(f"L{k}", texts[k], (ids[(k * 7) % len(ids)],), "council", own=True)
                for k in range(n)
            ]
            found[f"{name}-{n}"] = suggester_for(catalogue, "matcher", links).scores(texts, titles)
    np.savez(out, **found)
    print(f"{len(rows)} activities; wrote {out}")


def compare(a: str, b: str) -> None:
    old, new = np.load(a), np.load(b)
    for key in old.files:
        x, y = old[key], new[key]
        top_x, top_y = np.argsort(-x, axis=1)[:, :5], np.argsort(-y, axis=1)[:, :5]
        changed = int((top_x != top_y).any(axis=1).sum())
        print(
            f"{key:<15} {x.shape}  largest difference {np.abs(x - y).max():.1e}; top five changed: {changed}"
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["write"]:
        write(sys.argv[2])
    else:
        compare(sys.argv[2], sys.argv[3])
