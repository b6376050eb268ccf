"""Load on the JSON API: 4 uvicorn workers on PostgreSQL, 20 clients rating the same 50 measures
as different editors for 30 seconds, over loopback. Then the proof that nothing was lost:

- every accepted rating is in its measure's history exactly once, in the order it was accepted;
- every refused one was refused with 409 (someone rated it since it was read);
- no request got a 5xx;
- each measure's final rating is its last accepted change.

    .venv/bin/python bench/api_load.py [--seconds 30] [--clients 20] [--workers 4]

Needs PostgreSQL at VALVECHECK_TEST_PG (default postgresql+psycopg://postgres@127.0.0.1:5432/test);
works in a schema of its own, dropped afterwards. Bounded: at most about 60 seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

import httpx
import psycopg
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
PG = os.environ.get("VALVECHECK_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ROLE = "valvecheck_bench_app"  # not a superuser: row-level security applies, as in production
PORT = 0  # chosen when the run starts: a free loopback port
RAGS = ("green", "amber", "red")


def make_app():  # type: ignore[no-untyped-def]
    """The app each uvicorn worker builds (uvicorn --factory)."""
    from fastapi import FastAPI

    from valvecheck.api import install
    from valvecheck.store.db import Workspace

    app = FastAPI()
    install(app, Workspace(os.environ["DATABASE_URL"]))
    return app


def prepare(schema: str, clients: int) -> tuple[str, list[str], list[str]]:
    """A schema with a 50-measure catalogue, one council and an editor token per client."""
    from synthetic import catalogue_csv, synthetic_catalogue

    from valvecheck.services import ratings, tokens
    from valvecheck.services.catalogue import import_catalogue
    from valvecheck.services.workspace import init_workspace, unit_of_work
    from valvecheck.store.db import Workspace

    with psycopg.connect(PG.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(
            f"DO $$ BEGIN CREATE ROLE {ROLE} LOGIN; "
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        )
        conn.execute(f'CREATE SCHEMA "{schema}" AUTHORIZATION {ROLE}')
    url = make_url(PG).set(username=ROLE, password=None)
    url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    text_url = url.render_as_string(hide_password=False)
    ws = Workspace(text_url)
    init_workspace(ws, empty=True, council="Bench")
    catalogue = synthetic_catalogue(agreements=2, per_agreement=25)
    with unit_of_work(ws, write=True, council="Bench", by="bench") as ctx:
        import_catalogue(ctx, catalogue_csv(catalogue, rated=0.0), "bench.csv", council="Bench")
        ratings.new_assessment(ctx, "Bench: load", use=True)
        secrets = [tokens.create_token(ctx, f"editor-{i}", "editor").secret for i in range(clients)]
    ws.dispose()
    return text_url, [m.id for m in catalogue.measures], secrets


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(url: str, workers: int) -> subprocess.Popen[bytes]:
    global PORT
    PORT = free_port()
    env = {**os.environ, "DATABASE_URL": url}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "api_load:make_app",
            "--app-dir",
            str(ROOT / "bench"),
            "--host",
            "127.0.0.1",
            "--port",
            str(PORT),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        env=env,
        start_new_session=True,  # its workers are stopped with it, whatever happens here
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{PORT}/api/measures").status_code == 401:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    stop(server)
    raise SystemExit("the server did not start")


def stop(server: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(5)


class Log:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.posts: list[tuple[str, str, int, int | None, str, float]] = []
        self.gets: list[float] = []
        self.statuses: dict[int, int] = defaultdict(int)


def client(secret: str, measures: list[str], until: float, log: Log, n: int) -> None:
    rng = random.Random(n)
    headers = {"Authorization": f"Bearer {secret}"}
    base = f"http://127.0.0.1:{PORT}/api/measures/"
    with httpx.Client(headers=headers, timeout=30) as http:
        i = 0
        while time.monotonic() < until:
            measure = rng.choice(measures)
            started = time.perf_counter()
            read = http.get(base + measure)
            got = time.perf_counter() - started
            with log.lock:
                log.gets.append(got)
                log.statuses[read.status_code] += 1
            if read.status_code != 200:
                continue
            version = read.json()["version"]
            rag, note = rng.choice(RAGS), f"client {n} change {i}"
            i += 1
            started = time.perf_counter()
            done = http.post(
                base + measure + "/ratings",
                json={"rag": rag, "rationale": note},
                headers={"If-Match": f'"{version}"'},
            )
            took = time.perf_counter() - started
            new = done.json().get("version") if done.status_code == 201 else None
            with log.lock:
                log.posts.append((measure, note, done.status_code, new, rag, took))
                log.statuses[done.status_code] += 1


def verify(url: str, measures: list[str], log: Log) -> list[str]:
    """What went wrong, read back from the database itself (empty: nothing)."""
    from valvecheck.services import ratings
    from valvecheck.services.workspace import unit_of_work
    from valvecheck.store.db import Workspace

    wrong = []
    if not any(status == 201 for _, _, status, _, _, _ in log.posts):
        wrong.append("no rating was accepted: the run measured nothing")
    unread = {s: n for s, n in log.statuses.items() if s not in (200, 201, 409)}
    if unread:
        wrong.append(f"unexpected answers: {unread}")
    five = {s: n for s, n in log.statuses.items() if s >= 500}
    if five:
        wrong.append(f"5xx answers: {five}")
    odd = {s for _, _, s, _, _, _ in log.posts if s not in (201, 409)}
    if odd:
        wrong.append(f"ratings answered neither 201 nor 409: {odd}")
    accepted: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for measure, note, status, version, rag, _ in log.posts:
        if status == 201 and version is not None:
            accepted[measure].append((version, note, rag))
    ws = Workspace(url)
    with unit_of_work(ws, council="Bench") as ctx:
        for measure in measures:
            history = ratings.history(ctx, measure)
            notes = [r.rationale for r in history if r.source == "person"]
            expected = [note for _, note, _ in sorted(accepted[measure])]
            if notes != expected:
                wrong.append(f"{measure}: history {len(notes)} entries, accepted {len(expected)}")
            if [r.version for r in history] != list(range(1, len(history) + 1)):
                wrong.append(f"{measure}: versions not 1..n")
            if accepted[measure]:
                last = max(accepted[measure])
                if not history or history[-1].rag.value != last[2]:
                    wrong.append(f"{measure}: final rating is not the last accepted change")
    ws.dispose()
    return wrong


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    args.seconds = min(args.seconds, 40)  # bounded: the whole run stays within a minute
    began = time.monotonic()
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    url, measures, secrets = prepare(schema, args.clients)
    server = serve(url, args.workers)
    log = Log()
    try:
        until = time.monotonic() + args.seconds
        threads = [
            threading.Thread(target=client, args=(secrets[i], measures, until, log, i))
            for i in range(args.clients)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        stop(server)
    wrong = verify(url, measures, log)
    with psycopg.connect(PG.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    posts = [p[5] for p in log.posts]
    accepted = sum(1 for p in log.posts if p[2] == 201)
    conflicts = sum(1 for p in log.posts if p[2] == 409)

    def q(values: list[float], n: int) -> float:
        return statistics.quantiles(values, n=100)[n - 1] * 1000 if len(values) > 1 else 0.0

    print(
        f"{args.workers} workers, {args.clients} clients, {len(measures)} measures, "
        f"{args.seconds:.0f} s on PostgreSQL"
    )
    print(f"requests {len(posts) + len(log.gets)} ({len(log.gets)} reads, {len(posts)} ratings)")
    print(
        f"accepted {accepted}, conflicts (409) {conflicts}, other {len(posts) - accepted - conflicts}"
    )
    print(f"rating POST p50 {q(posts, 50):.1f} ms, p95 {q(posts, 95):.1f} ms")
    print(f"measure GET p50 {q(log.gets, 50):.1f} ms, p95 {q(log.gets, 95):.1f} ms")
    print(f"statuses {dict(sorted(log.statuses.items()))}")
    print(f"whole run {time.monotonic() - began:.1f} s")
    if wrong:
        print("LOST OR WRONG:\n  " + "\n  ".join(wrong))
        raise SystemExit(1)
    print(
        "verified: every accepted change once and in order, every refusal a 409, no 5xx, "
        "final ratings = last accepted changes"
    )


if __name__ == "__main__":
    main()
