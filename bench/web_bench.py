"""The web app under 20 concurrent clients, with Datasette's listing of the same SQLite file.

    .venv/bin/python bench/web_bench.py                       # 150 agreements x 25 measures
    .venv/bin/python bench/web_bench.py --clients 20 --seconds 10 --workers 2

Builds the synthetic workspace (bench/synthetic.py), starts `valvecheck serve --workers N` and
`datasette serve` (a read-only listing of the same file) on loopback ports, signs in once, then
for each page drives ``--clients`` keep-alive connections for ``--seconds`` with wrk (Debian's
`wrk` package: a C load generator, so the clients take little of the CPU the servers share) and
reports p50/p95/p99, requests a second and every status seen. Rating POSTs go to distinct
measures, each carrying the version it has, so none conflicts. Everything stops by itself; only
127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import COUNCIL, synthetic_workspace  # noqa: E402

from valvecheck.services import people  # noqa: E402
from valvecheck.services.measures import load_state  # noqa: E402
from valvecheck.services.workspace import unit_of_work  # noqa: E402

PASSWORD = "bench password 2026"

# Each wrk thread sends the lines of the requests file whose number, modulo the threads, is its
# own (so one measure's ratings always come from one thread, in order), and counts statuses.
LUA = r"""
local threads, counter = {}, 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  lines, statuses, n = {}, {}, 0
  local all, k = {}, 0
  for line in io.lines(args[1]) do
    if k % tonumber(args[2]) == id then table.insert(lines, line) end
    table.insert(all, line)
    k = k + 1
  end
  if #lines == 0 then lines = all end  -- fewer lines than threads: each sends them all
  -- wrk checks the script by calling the first thread's request() once right after its init
  -- (main(): script_verify_request), and sends nothing for that call: it must not use a line,
  -- or that thread's first rating is never sent and the same measure's next one is stale (409)
  checked = id ~= 0
end
request = function()
  if lines == nil then return wrk.format() end  -- wrk's own check, before any thread's init
  if not checked then
    checked = true
    return wrk.format("GET", "/")
  end
  n = n % #lines + 1
  local method, path, body = lines[n]:match("^(%S+) (%S+) ?(.*)$")
  if method == "POST" then
    local headers = {}  -- a table given to wrk.format replaces the -H headers: keep them
    for name, value in pairs(wrk.headers) do headers[name] = value end
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    return wrk.format("POST", path, headers, body)
  end
  return wrk.format("GET", path)
end
response = function(status, headers, body)
  statuses[tostring(status)] = (statuses[tostring(status)] or 0) + 1
end
done = function(summary, latency, requests)
  local all = {}
  for _, t in ipairs(threads) do
    for code, count in pairs(t:get("statuses")) do all[code] = (all[code] or 0) + count end
  end
  local parts = {}
  for code, count in pairs(all) do table.insert(parts, string.format('"%s": %d', code, count)) end
  io.write(string.format(
    'RESULT {"p50": %.3f, "p95": %.3f, "p99": %.3f, "requests": %d, "seconds": %.3f, ' ..
    '"errors": %d, "statuses": {%s}}\n',
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests, summary.duration / 1e6,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    table.concat(parts, ", ")))
end
"""


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


def drive(
    base: str, lines: list[str], folder: Path, clients: int, seconds: float, headers: list[str]
) -> dict:  # type: ignore[type-arg]
    """wrk over ``lines`` ("METHOD PATH [BODY]") for ``seconds``: latencies in ms."""
    threads = 2
    requests = folder / "requests.txt"
    requests.write_text("\n".join(lines) + "\n")
    script = folder / "bench.lua"
    script.write_text(LUA)
    command = ["wrk", f"-t{threads}", f"-c{clients}", f"-d{seconds:g}s", "--timeout", "30s"]
    for header in headers:
        command += ["-H", header]
    command += ["-s", str(script), base, "--", str(requests), str(threads)]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    found = re.search(r"^RESULT (.*)$", out, re.MULTILINE)
    if not found:
        raise SystemExit(f"wrk printed no result:\n{out}")
    result: dict = json.loads(found.group(1))  # type: ignore[type-arg]
    result["rps"] = result["requests"] / result["seconds"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agreements", type=int, default=150)
    parser.add_argument("--measures", type=int, default=25)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2, help="valvecheck serve --workers")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("this benchmark drives the servers with wrk: apt-get install wrk")

    folder = Path(tempfile.mkdtemp(prefix="valvecheck-web-bench-"))
    ws, catalogue = synthetic_workspace(args.agreements, args.measures, str(folder))
    with unit_of_work(ws, write=True, council=COUNCIL, by="bench") as ctx:
        people.add_person(ctx, "bench.editor", "editor", COUNCIL, PASSWORD)
    with unit_of_work(ws, as_person="bench.editor") as ctx:
        versions = {v.id: v.version for v in load_state(ctx).views}
    ws.dispose()
    db = folder / "bench.db"
    ids = [m.id for m in catalogue.measures]
    print(
        f"{len(ids)} measures in {db}; {args.clients} clients for {args.seconds:g} s a page; "
        f"valvecheck serve --workers {args.workers}; load average before: {os.getloadavg()[0]:.2f}"
    )

    app_port, ds_port = free_port(), free_port()
    env = {**os.environ, "VALVECHECK_SECRET_KEY": "bench-" + "k" * 40}
    env.pop("DATABASE_URL", None)
    valvecheck = [sys.executable, "-m", "valvecheck", "--db", str(db), "serve"]
    valvecheck += ["--port", str(app_port), "--workers", str(args.workers)]
    datasette = [shutil.which("datasette") or str(Path(sys.executable).parent / "datasette")]
    datasette += ["serve", str(db), "--port", str(ds_port)]
    datasette += ["--setting", "sql_time_limit_ms", "10000"]
    servers = [
        subprocess.Popen(valvecheck, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        subprocess.Popen(datasette, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
    ]
    try:
        app = f"http://127.0.0.1:{app_port}"
        ds = f"http://127.0.0.1:{ds_port}"
        wait(f"{app}/login")
        wait(f"{ds}/-/versions.json")
        with httpx.Client(base_url=app) as signer:
            token = re.search(r'name="csrf_token" value="([^"]+)"', signer.get("/login").text)
            assert token
            signer.post(
                "/login",
                data={
                    "username": "bench.editor",
                    "password": PASSWORD,
                    "csrf_token": token.group(1),
                },
            )
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', signer.get("/").text)
            assert csrf
            cookie = "; ".join(f"{k}={v}" for k, v in signer.cookies.items())
        # Warm every server process (imports, the state, the common measures): each request on
        # a new connection, so that the operating system hands them to every worker in turn.
        for _ in range(8 * args.workers):
            for path in ("/", "/measures", f"/measures/{ids[0]}"):
                httpx.get(f"{app}{path}", headers={"Cookie": cookie}, timeout=60)
        httpx.get(f"{ds}/bench/measure?_size=50", timeout=60)

        # Three rounds over every measure, each rating carrying the version the one before it
        # made (an even number of measures a round keeps each measure on one wrk thread).
        ratings = []
        for rounds in range(3):
            for n, measure in enumerate(ids[: len(ids) // 2 * 2]):
                body = urlencode(
                    {
                        "rag": ("green", "amber", "red")[(n + rounds) % 3],
                        "rationale": f"bench {rounds}.{n}",
                        "version": str(versions[measure] + rounds),
                        "csrf_token": csrf.group(1),
                    }
                )
                ratings.append(f"POST /measures/{measure}/rating {body}")
        pages = [
            ("dashboard `/`", app, ["GET /"]),
            (
                "measures list `/measures?page=N` (50 a page)",
                app,
                [f"GET /measures?page={n % 75 + 1}" for n in range(75)],
            ),
            (
                "measures list filtered `/measures?rag=red&text=schools`",
                app,
                ["GET /measures?rag=red&text=schools"],
            ),
            (
                "a measure's page `/measures/ID`",
                app,
                [f"GET /measures/{ids[(n * 7) % len(ids)]}" for n in range(len(ids))],
            ),
            (
                "Datasette: measure table `/bench/measure?_size=50&_next=N`",
                ds,
                [f"GET /bench/measure?_size=50&_next={n * 50}" for n in range(75)],
            ),
            (
                "Datasette: filtered `/bench/measure?text__contains=schools&_size=50`",
                ds,
                ["GET /bench/measure?text__contains=schools&_size=50"],
            ),
            ("rating POST `/measures/ID/rating` (its redirect not followed)", app, ratings),
        ]
        print("| request | p50 ms | p95 ms | p99 ms | requests/s | statuses |")
        print("| --- | ---: | ---: | ---: | ---: | --- |")
        results = {}
        for name, base, lines in pages:
            headers = [f"Cookie: {cookie}"] if base == app else []
            results[name] = found = drive(base, lines, folder, args.clients, args.seconds, headers)
            errors = f", socket errors {found['errors']}" if found["errors"] else ""
            print(
                f"| {name} | {found['p50']:.1f} | {found['p95']:.1f} | {found['p99']:.1f} | "
                f"{found['rps']:.0f} | {found['statuses']}{errors} |"
            )
        ours = results["measures list `/measures?page=N` (50 a page)"]["p95"]
        theirs = results["Datasette: measure table `/bench/measure?_size=50&_next=N`"]["p95"]
        print(f"p95 ratio, our listing / Datasette's listing: {ours / theirs:.2f}")
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
