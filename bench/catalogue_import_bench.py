"""Time and peak memory of one catalogue file imported as `import catalogue` does, by its rows.

    .venv/bin/python bench/catalogue_import_bench.py [--rows 1000,3000,5000]

Each size runs in a fresh process on a fresh SQLite workspace (``init --empty``). The file is the
synthetic catalogue (bench/synthetic.py, 25 measures an agreement) with every text made distinct
(a reference appended), the costly case for the common-measure grouping that follows an import:
copies of one template are compared once, distinct texts each with the others. This is what
chose the catalogue file limit (``importers.limits.MAX_CATALOGUE_ROWS``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

CHILD = """
import resource, sys, tempfile, time
from dataclasses import replace
from pathlib import Path
sys.path.insert(0, {bench!r})
from synthetic import COUNCIL, catalogue_csv, synthetic_catalogue
from valvecheck.services.catalogue import import_catalogue
from valvecheck.services.workspace import init_workspace, unit_of_work
from valvecheck.store.db import Workspace

rows = {rows}
catalogue = synthetic_catalogue(rows // 25 + 1, 25)
catalogue.measures = [
    replace(m, text=f"{{m.text}} Workstream ref kx{{i:06d}}.") for i, m in enumerate(catalogue.measures)
]
data = b"\\n".join(catalogue_csv(catalogue, rated=0).split(b"\\n")[: rows + 1]) + b"\\n"
ws = Workspace(str(Path(tempfile.mkdtemp()) / "bench.db"))
init_workspace(ws, empty=True, council=COUNCIL)
start = time.perf_counter()
with unit_of_work(ws, write=True, by="bench") as ctx:
    import_catalogue(ctx, data, "catalogue.csv", council=COUNCIL)
took = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{{rows:>7,}} rows  {{took:7.1f}} s  {{peak:7.0f}} MiB peak")
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", default="1000,3000,5000")
    args = parser.parse_args()
    bench = str(Path(__file__).parent)
    for rows in (int(r) for r in args.rows.split(",")):
        subprocess.run([sys.executable, "-c", CHILD.format(bench=bench, rows=rows)], check=True)


if __name__ == "__main__":
    main()
