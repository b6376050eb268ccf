"""The web app under 20 concurrent clients, with Datasette's listing of the same SQLite file.

    .venv/bin/python bench/web_bench.py                       # 150 agreements x 25 measures
    .venv/bin/python bench/web_bench.py --clients 20 --requests 400

Builds the synthetic workspace (bench/synthetic.py), starts `valvecheck serve` (one process) and
`datasette serve` (read-only listing of the same file) on loopback ports, then for each page sends
``--requests`` requests from ``--clients`` threads (each its own connection) and reports p50/p95.
Rating POSTs go to distinct measures, each carrying the version it read, so none conflicts.
Everything stops by itself; only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import COUNCIL, synthetic_workspace  # noqa: E402

from valvecheck.services import people  # noqa: E402
from valvecheck.services.workspace import unit_of_work  # noqa: E402

PASSWORD = "bench password 2026"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=5).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url} did not answer")


def run(clients: int, requests: int, send: Callable[[httpx.Client, int], int], make) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """``requests`` calls of ``send`` spread over ``clients`` threads; latencies in ms."""
    times: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    counter = iter(range(requests))

    def worker() -> None:
        client = make()
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                break
            started = time.perf_counter()
            status = send(client, n)
            took = (time.perf_counter() - started) * 1000
            with lock:
                times.append(took)
                statuses[status] = statuses.get(status, 0) + 1
        client.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    times.sort()
    return {
        "p50": statistics.median(times),
        "p95": times[int(0.95 * (len(times) - 1))],
        "rps": len(times) / elapsed,
        "statuses": statuses,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agreements", type=int, default=150)
    parser.add_argument("--measures", type=int, default=25)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--workers", type=int, default=2, help="valvecheck serve --workers")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="valvecheck-web-bench-"))
    ws, catalogue = synthetic_workspace(args.agreements, args.measures, str(folder))
    with unit_of_work(ws, write=True, council=COUNCIL, by="bench") as ctx:
        people.add_person(ctx, "bench.editor", "editor", COUNCIL, PASSWORD)
    ws.dispose()
    db = folder / "bench.db"
    ids = [m.id for m in catalogue.measures]
    print(f"{len(ids)} measures in {db}; {args.clients} clients, {args.requests} requests a page")

    app_port, ds_port = free_port(), free_port()
    env = {**os.environ, "VALVECHECK_SECRET_KEY": "bench-" + "k" * 40}
    env.pop("DATABASE_URL", None)
    valvecheck = [
        sys.executable,
        "-m",
        "valvecheck",
        "--db",
        str(db),
        "serve",
        "--port",
        str(app_port),
        "--workers",
        str(args.workers),
    ]
    datasette = [shutil.which("datasette") or str(Path(sys.executable).parent / "datasette")]
    datasette += [
        "serve",
        str(db),
        "--port",
        str(ds_port),
        "--setting",
        "sql_time_limit_ms",
        "10000",
    ]
    servers = [
        subprocess.Popen(valvecheck, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        subprocess.Popen(datasette, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
    ]
    try:
        app = f"http://127.0.0.1:{app_port}"
        ds = f"http://127.0.0.1:{ds_port}"
        wait(f"{app}/login")
        wait(f"{ds}/-/versions.json")
        signer = httpx.Client(base_url=app)
        token = re.search(r'name="csrf_token" value="([^"]+)"', signer.get("/login").text)
        assert token
        signer.post(
            "/login",
            data={"username": "bench.editor", "password": PASSWORD, "csrf_token": token.group(1)},
        )
        cookies = dict(signer.cookies)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', signer.get("/").text)
        assert csrf
        signer.close()

        def make_app() -> httpx.Client:
            return httpx.Client(base_url=app, cookies=cookies, timeout=60)

        # warm every server process (imports, the first grouping of common measures, the state)
        with make_app() as c:
            for _ in range(4 * args.workers):
                for path in ("/", "/measures", f"/measures/{ids[0]}"):
                    c.get(path)
        httpx.get(f"{ds}/bench/measure?_size=50", timeout=60)

        # The version each rating form carries, read before the timed POSTs (as the page did).
        versions: dict[str, int] = {}
        with make_app() as c:
            for n in range(args.requests):
                measure = ids[(n * 7) % len(ids)]
                found = re.search(
                    r'name="version" value="(\d+)"', c.get(f"/measures/{measure}").text
                )
                versions[measure] = int(found.group(1)) if found else 0

        def rate(client: httpx.Client, n: int) -> int:
            measure = ids[(n * 7) % len(ids)]
            version = versions[measure]
            response = client.post(
                f"/measures/{measure}/rating",
                data={
                    "rag": ("green", "amber", "red")[n % 3],
                    "rationale": f"bench {n}",
                    "version": str(version),
                    "csrf_token": csrf.group(1),
                },
            )
            return response.status_code

        pages: list[tuple[str, Callable[[httpx.Client, int], int], Callable[[], httpx.Client]]] = [
            ("dashboard `/`", lambda c, n: c.get("/").status_code, make_app),
            (
                "measures list `/measures?page=N` (50 a page)",
                lambda c, n: c.get(f"/measures?page={n % 75 + 1}").status_code,
                make_app,
            ),
            (
                "measures list filtered `/measures?rag=red&text=schools`",
                lambda c, n: c.get("/measures?rag=red&text=schools").status_code,
                make_app,
            ),
            (
                "a measure's page `/measures/ID`",
                lambda c, n: c.get(f"/measures/{ids[n % len(ids)]}").status_code,
                make_app,
            ),
            (
                "Datasette: measure table `/bench/measure?_size=50&_next=N`",
                lambda c, n: c.get(f"/bench/measure?_size=50&_next={(n % 75) * 50}").status_code,
                lambda: httpx.Client(base_url=ds, timeout=60),
            ),
            (
                "Datasette: filtered `/bench/measure?text__contains=schools&_size=50`",
                lambda c, n: c.get("/bench/measure?text__contains=schools&_size=50").status_code,
                lambda: httpx.Client(base_url=ds, timeout=60),
            ),
            ("rating POST `/measures/ID/rating` (its redirect not followed)", rate, make_app),
        ]
        results = {}
        for name, send, make in pages:
            results[name] = found = run(args.clients, args.requests, send, make)
            print(
                f"| {name} | {found['p50']:.1f} | {found['p95']:.1f} | {found['rps']:.0f} | "
                f"{found['statuses']} |"
            )
        ours = results["measures list `/measures?page=N` (50 a page)"]["p95"]
        theirs = results["Datasette: measure table `/bench/measure?_size=50&_next=N`"]["p95"]
        print(f"p95 ratio, our listing / Datasette's listing: {ours / theirs:.2f}")
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
