"""How far two people labelling the same file agree, and the matcher against each of them.

.venv/bin/python bench/labeller_agreement.py bench/fresh/torbay.csv bench/fresh/torbay.b.csv

Both files hold the same activities (``activity_id,title,description,expected_measures``), each
labelled by a different person who never saw the other's labels. Agreement is taken link by link
(an activity-measure pair either labeller chose): how many of A's links B also chose and the
reverse, and on the activities, how often both said "none" or both said "some measure". The
matcher (the bundled model, no workspace) is then scored against A, against B, and against the
links either chose (``either``: a link one careful labeller chose is not plainly wrong) — so a
shortfall that is the labellers' own disagreement is told apart from one that is the matcher's.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from fresh_intervals import KEYS, bundled_matcher, read

from valvecheck.analysis.evaluate import Labelled, figures
from valvecheck.analysis.suggest import METHODS


def agreement(a: list[Labelled], b: list[Labelled]) -> dict[str, float]:
    links_a = {(x.id, m) for x in a for m in x.expected}
    links_b = {(x.id, m) for x in b for m in x.expected}
    both = links_a & links_b
    same_none = sum(bool(x.expected) == bool(y.expected) for x, y in zip(a, b, strict=True))
    same_set = sum(set(x.expected) == set(y.expected) for x, y in zip(a, b, strict=True))
    return {
        "links A": len(links_a),
        "links B": len(links_b),
        "links both": len(both),
        "share of A's links B chose": len(both) / len(links_a),
        "share of B's links A chose": len(both) / len(links_b),
        "activities: same none / some": same_none / len(a),
        "activities: same measures exactly": same_set / len(a),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    args = parser.parse_args()
    method = METHODS["matcher"]
    matcher = bundled_matcher(method)
    a, b = read(args.a, set(matcher.ids)), read(args.b, set(matcher.ids))
    if [x.id for x in a] != [y.id for y in b]:
        raise SystemExit("the two files do not hold the same activities in the same order")
    for key, value in agreement(a, b).items():
        print(f"{key:<36} {value:.3f}" if isinstance(value, float) else f"{key:<36} {value}")
    matrix = matcher.scores([x.text for x in a], [x.title for x in a])
    either = [
        replace(x, expected=tuple(dict.fromkeys((*x.expected, *y.expected))))
        for x, y in zip(a, b, strict=True)
    ]
    print("labels  " + "  ".join(KEYS))
    for tag, rows in (("A", a), ("B", b), ("either", either)):
        found = figures(matcher.ids, method, matrix, rows).as_dict()
        print(f"{tag:<7} " + "  ".join(f"{found[k]}" for k in KEYS))


if __name__ == "__main__":
    main()
