"""Whole commands, timed and measured as a person runs them, by catalogue size.

    .venv/bin/python bench/command_bench.py [--sizes 375,3750,15000,37500] [--repeat 3]

For each size, a fresh SQLite workspace is made (``init --empty``) and the synthetic catalogue
(bench/synthetic.py, 25 measures an agreement, about 60% rated) is imported from a CSV with
``import catalogue``; then each command runs ``--repeat`` times as its own process (the
installed ``valvecheck`` script, output to a pipe) and the median wall time and the largest
peak resident size (``wait4``) are printed. ``--help`` and ``summary``/``measures`` on the
seed's workspace (``init``) are measured the same way, and ``python -c pass`` is the floor of
any command: the interpreter starting.

The growth column is each command's median at 15,000 measures over its median at 3,750.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import COUNCIL, catalogue_files, synthetic_catalogue  # noqa: E402

BIN = Path(sys.executable).parent
VALVECHECK = str(BIN / "valvecheck")
PER_AGREEMENT = 25
LIBRARIES = "import sqlalchemy, sqlalchemy.dialects.sqlite, typer, rich.console"


def measured(argv: list[str], cwd: Path, repeat: int) -> tuple[float, float, float]:
    """Median wall seconds, median CPU seconds and largest peak MiB over ``repeat`` runs."""
    runs = [run(argv, cwd) for _ in range(repeat)]
    return (
        statistics.median(r[0] for r in runs),
        statistics.median(r[1] for r in runs),
        max(r[2] for r in runs),
    )


def run(argv: list[str], cwd: Path) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak resident MiB) of one process; stops the benchmark if
    it fails. CPU (user + system) is given beside wall time because the development machine is
    shared: wall time there measures the neighbours too."""
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.chdir(cwd)
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)
        kept = os.open(str(cwd / "last-output.txt"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(kept, 1)  # not a terminal: no progress bar, as when piped
        os.dup2(kept, 2)
        try:
            os.execv(argv[0], argv)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status):
        text = (cwd / "last-output.txt").read_text(errors="replace")
        raise SystemExit(f"{' '.join(argv)} failed:\n{text}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # KiB on Linux


COMMANDS = {
    "summary": ["summary"],
    "measures": ["measures"],
    "report --format xlsx": ["report", "--format", "xlsx", "--out", "out", "--date", "2024-05-01"],
    "report --format docx": ["report", "--format", "docx", "--out", "out", "--date", "2024-05-01"],
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="375,3750,15000,37500")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        floor = measured([sys.executable, "-c", "pass"], base, args.repeat)
        print(
            f"floor: python -c pass {floor[0]:.3f} s wall, {floor[1]:.3f} s CPU, {floor[2]:.0f} MiB"
        )
        # What `summary` cannot do without: the libraries it runs on, imported and nothing else
        # (SQLAlchemy Core with the SQLite dialect, Typer, Rich's console).
        libraries = measured([sys.executable, "-c", LIBRARIES], base, max(args.repeat, 5))
        print(
            f"floor: the libraries summary imports {libraries[0]:.3f} s wall, "
            f"{libraries[1]:.3f} s CPU, {libraries[2]:.0f} MiB"
        )

        seed = base / "seed"
        seed.mkdir()
        run([VALVECHECK, "init"], seed)
        for name, cmd in (
            ("--help", ["--help"]),
            ("summary", ["summary"]),
            ("measures", ["measures"]),
        ):
            wall, cpu, mib = measured([VALVECHECK, *cmd], seed, max(args.repeat, 5))
            print(f"seed workspace: {name:10} {wall:6.3f} s wall {cpu:6.3f} s CPU {mib:5.0f} MiB")

        results: dict[str, dict[int, tuple[float, float, float]]] = {}
        for size in sizes:
            folder = base / f"n{size}"
            folder.mkdir()
            db = ["--db", str(folder / "bench.db"), "--council", COUNCIL]
            run([VALVECHECK, *db, "init", "--empty"], folder)
            # files of at most the catalogue file limit, whole agreements each: the time and
            # CPU of every import added up, the largest peak
            parts = catalogue_files(synthetic_catalogue(size // PER_AGREEMENT, PER_AGREEMENT))
            done = []
            for n, part in enumerate(parts):
                csv = folder / f"catalogue-{n}.csv"
                csv.write_bytes(part)
                done.append(run([VALVECHECK, *db, "import", "catalogue", str(csv)], folder))
            results.setdefault("import catalogue", {})[size] = (
                sum(d[0] for d in done),
                sum(d[1] for d in done),
                max(d[2] for d in done),
            )
            for name, cmd in COMMANDS.items():
                results.setdefault(name, {})[size] = measured(
                    [VALVECHECK, *db, *cmd], folder, args.repeat
                )
            for name, by_size in results.items():
                wall, cpu, mib = by_size[size]
                print(
                    f"{size:>6} {name:22} {wall:7.2f} s wall {cpu:7.2f} s CPU {mib:6.0f} MiB",
                    flush=True,
                )

    head = " | ".join(f"{s:,}" for s in sizes)
    print(f"\n| command: wall / CPU s, peak MiB | {head} | growth 3,750 to 15,000 (wall / CPU) |")
    print("| --- |" + " ---: |" * (len(sizes) + 1))
    for name, by_size in results.items():
        cells = " | ".join(
            f"{by_size[s][0]:.1f} / {by_size[s][1]:.1f} s, {by_size[s][2]:.0f}" for s in sizes
        )
        growth = "n/a"
        if 3750 in by_size and 15000 in by_size:
            a, b = by_size[3750], by_size[15000]
            growth = f"{b[0] / a[0]:.1f}x / {b[1] / a[1]:.1f}x"
        print(f"| `{name}` | {cells} | {growth} |")
    print(f"\nPython {sys.version.split()[0]}, {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
