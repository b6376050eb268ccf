"""Print the suggestion quality table of docs/benchmarks.md: every method on every labelled set.

.venv/bin/python bench/suggest_quality.py
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from valvecheck.cli import run

ROOT = Path(__file__).resolve().parents[1]
NO_WORKSPACE = str(Path(tempfile.gettempdir()) / "valvecheck-no-workspace.db")
SETS = {
    "dev": ROOT.parent / "shared" / "data" / "activities-dev.csv",
    "extra": ROOT / "tests" / "data" / "activities-extra.csv",
    "holdout": ROOT / "tests" / "data" / "activities-holdout.csv",
}


def figures(path: Path, method: str) -> dict:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        # no workspace: the bundled catalogue, and no council's links as evidence
        code = run(["--db", NO_WORKSPACE, "eval-suggest", str(path), "--json", "--method", method])
    assert code == 0
    return json.loads(out.getvalue())


def main() -> None:
    from valvecheck.analysis.suggest import METHODS

    head = ["method"]
    for name in SETS:
        head += [
            f"{name} hit@3",
            f"{name} MRR",
            f"{name} recall@5",
            f"{name} none-acc / false-none",
        ]
    print("| " + " | ".join(head) + " |")
    print("| --- " * len(head) + "|")
    for method in METHODS:
        cells = [f"`{method}`"]
        for path in SETS.values():
            f = figures(path, method)
            cells += [
                f"{f['hit_at_3']:.2f}",
                f"{f['mrr']:.2f}",
                f"{f['recall_at_5']:.2f}",
                f"{f['none_accuracy']:.2f} / {f['false_none_rate']:.2f}",
            ]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
