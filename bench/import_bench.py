"""Peak memory and time of reading a large activities file, each in a fresh process.

.venv/bin/python bench/import_bench.py [--rows 200000] [--csv-rows 100000] [--keep DIR]

Writes a synthetic tracker of ROWS activities (id, title, description, theme, owner, status, start,
end) as .xlsx, and of CSV_ROWS as .csv (200,000 such rows as CSV are over the 20 MB file limit), then reads each with the importer a web upload or `activities import`
uses (``importers.activities.read_activities``) in a child process, and prints the child's peak
resident size (ru_maxrss) and the read time. The child starts from a process that has already
imported valvecheck and openpyxl, so the baseline line is what importing costs before reading.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
from pathlib import Path

from openpyxl import Workbook

HEADER = ["ID", "Title", "Description", "Theme", "Owner", "Status", "Start date", "End date"]
STATUSES = ["In progress", "Planned", "Complete", "On hold"]

CHILD = """
import resource, sys, time
from pathlib import Path
import openpyxl  # noqa: F401
from valvecheck.importers.activities import read_activities
path = Path(sys.argv[1])
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if path.name == "-":
    print(f"{base / 1024:.0f} 0 0 0")
    raise SystemExit
data = path.read_bytes()
start = time.perf_counter()
parsed = read_activities(data, path.name)
took = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
assert not parsed.problems, parsed.problems[:3]
print(f"{base / 1024:.0f} {peak / 1024:.0f} {took:.2f} {len(parsed.rows)}")
"""


def rows(n: int):  # type: ignore[no-untyped-def]
    for i in range(1, n + 1):
        yield [
            f"P-{i:06d}",
            f"Activity {i}: outreach to schools in locality {i % 17}",
            f"Termly SENCO network meetings and an induction for new SENCOs (row {i}).",
            ["Financial Efficiencies", "Local Placement Sufficiency", "Data and Digital"][i % 3],
            f"Officer {i % 250}",
            STATUSES[i % 4],
            "01/04/2025",
            "31/03/2027",
        ]


def write(folder: Path, n: int, m: int) -> tuple[Path, Path]:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Tracker")
    sheet.append(["SEND programme tracker (synthetic)"])
    sheet.append(HEADER)
    for row in rows(n):
        sheet.append(row)
    xlsx = folder / f"activities-{n}.xlsx"
    book.save(xlsx)
    path = folder / f"activities-{m}.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(rows(m))
    return xlsx, path


def measure(path: Path | str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"{path}: {out.stderr.strip().splitlines()[-1]}")
    return out.stdout.split()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--csv-rows", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="write the files here and keep them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        files = write(folder, args.rows, args.csv_rows)
        base = measure("-")[0]
        print(f"{'file':<28} {'size':>9} {'peak RSS':>9} {'read':>8} rows")
        print(f"{'(baseline: imports only)':<28} {'':>9} {base:>6} MB")
        for path in files:
            _, peak, took, count = measure(path)
            size = path.stat().st_size / (1024 * 1024)
            print(f"{path.name:<28} {size:>6.1f} MB {peak:>6} MB {took:>7}s {count}")


if __name__ == "__main__":
    main()
