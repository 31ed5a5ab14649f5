"""Command throughput over HTTP on PostgreSQL, against a no-op endpoint measured the same way.

A real `tongjie serve` runs in a subprocess; `wrk` (Debian's package) drives it with 32
connections: first `GET /healthz` (the no-op baseline), then `POST /api/v1/cases/{id}/sessions`
spread over 1,000 routed cases, each after a short warm-up of the same requests. The bar
(docs/benchmarks.md, "The bars"): >= 1,000 commands/s and >= 0.5 x the no-op rate, p99 <= 100
ms, no errors. Then the server's resident memory, whose bar is <= 300 MB after the commands
with 1,000,000 events stored: `--stored 1000000` seeds them first (cases over ten years, as
bench_board.py does), `--keep-schema NAME` keeps the seeded schema for the next run.

    python benchmarks/bench_http.py [--seconds 60] [--workers 1] [--connections 32]
        [--stored 1000000 --keep-schema bench_http_1m]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.bootstrap import build_application
from infrastructure.settings import Settings
from tests.world import make_world, registration

URL = "postgresql://postgres@127.0.0.1:5432/test"

LUA = """
local ids = {}
for line in io.lines("%(ids)s") do ids[#ids + 1] = line end
local counter = 0
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer %(token)s"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"method": "phone", "attendees": ["甲", "乙"], "notes": "电话调解，双方陈述意见"}'
request = function()
  counter = counter + 1
  local id = ids[(counter * 7919 + math.random(1, #ids)) %% #ids + 1]
  return wrk.format(nil, "/api/v1/cases/" .. id .. "/sessions")
end
"""


def line(name: str, value: float, unit: str, baseline: float | None = None, base: str = "") -> None:
    ratio = f"{value / baseline:6.2f}x {base}" if baseline else ""
    shown = f"{baseline:,.1f}" if baseline else "-"
    print(f"{name:<44} {value:>11,.1f} {unit:<9} baseline {shown:>10}  {ratio}", flush=True)


def wrk(url: str, seconds: float, connections: int, script: str | None = None) -> dict[str, float]:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{int(seconds)}s", "--latency", url]
    if script:
        cmd[1:1] = ["-s", script]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    requests = float(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    p99_match = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    p99 = float(p99_match.group(1)) * scale[p99_match.group(2)] if p99_match else float("nan")
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rate": rate,
        "requests": requests,
        "p99": p99,
        "errors": float(errors.group(1)) if errors else 0.0,
        "socket_errors": 1.0 if socket_errors else 0.0,
    }


def prepare(database_url: str, cases: int, stored: int, seeders: int) -> tuple[list[str], str]:
    """The routed cases and a mediator's token; first `stored` events of other cases."""
    if stored:
        from benchmarks.bench_board import seed_parallel  # its cases over ten years

        started = time.perf_counter()
        seed_parallel(database_url, stored, seeders, 0)
        print(f"# seeded {stored:,} events in {time.perf_counter() - started:,.0f} s", flush=True)
    app = build_application(Settings(database_url=database_url))
    try:
        world = make_world(app)
        ids = []
        for _ in range(cases):
            case = app.cases.receive(actor=world.mediator, registration=registration())
            app.cases.route(case.id, actor=world.supervisor, organisation="room-1", mediator="m1")
            ids.append(str(case.id))
    finally:
        app.close()
    return ids, world.tokens["zhang"]


def kept_fixture(schema: str) -> tuple[list[str], str] | None:
    with psycopg.connect(URL, autocommit=True) as conn:
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {schema}.bench_http_fixture (ids text, token text)"
        )
        row = conn.execute(f"SELECT ids, token FROM {schema}.bench_http_fixture").fetchone()
    return None if row is None else (row[0].split(), row[1])


def keep_fixture(schema: str, ids: list[str], token: str) -> None:
    with psycopg.connect(URL, autocommit=True) as conn:
        conn.execute(
            f"INSERT INTO {schema}.bench_http_fixture VALUES (%s, %s)", (" ".join(ids), token)
        )


def stored_events(schema: str) -> int:
    with psycopg.connect(URL, autocommit=True) as conn:
        row = conn.execute(f"SELECT max(notification_id) FROM {schema}.tongjie_events").fetchone()
    return int(row[0] or 0) if row else 0


def server_rss_mb(server: subprocess.Popen[bytes]) -> list[float]:
    """Resident memory of the process that answers (each worker's, with --workers > 1)."""
    children = subprocess.run(
        ["pgrep", "-P", str(server.pid)], capture_output=True, text=True
    ).stdout.split()
    workers = [
        int(pid)
        for pid in children
        if "spawn_main" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")
    ]
    sizes = []
    for pid in workers or [server.pid]:
        match = re.search(r"VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
        if match:
            sizes.append(int(match.group(1)) / 1024)
    return sizes


def session_script(ids: list[str], token: str) -> Path:
    """wrk's Lua script logging sessions on these cases with this token, in a folder of its own."""
    workdir = Path(tempfile.mkdtemp())
    (workdir / "ids.txt").write_text("\n".join(ids) + "\n")
    script = workdir / "sessions.lua"
    script.write_text(LUA % {"ids": workdir / "ids.txt", "token": token})
    return script


def start_server(
    database_url: str, port: int, workers: int, tries: int
) -> tuple[subprocess.Popen[bytes], str]:
    """`tongjie serve` on this store and port, waited for (`tries` × 0.2 s at most); its URL."""
    env = {**os.environ, "TONGJIE_DATABASE_URL": database_url, "TONGJIE_LOG_LEVEL": "warning"}
    env["TONGJIE_LOG_FORMAT"] = "json"
    serve = ["serve", "--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen(
        [sys.executable, "-m", "api.cli.main", *serve],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(tries):
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    return server, base


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--port", type=int, default=18765)
    parser.add_argument("--warmup", type=float, default=3, help="seconds of each, not measured")
    parser.add_argument("--stored", type=int, default=0, help="events to seed first")
    parser.add_argument("--seeders", type=int, default=2, help="processes that seed them")
    parser.add_argument("--keep-schema", metavar="NAME", help="seed into (or reuse) NAME")
    args = parser.parse_args()
    schema = args.keep_schema or f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    database_url = f"{URL}?schema={schema}"
    server = None
    try:
        kept = kept_fixture(schema) if args.keep_schema else None
        if kept is None:
            ids, token = prepare(database_url, args.cases, args.stored, args.seeders)
            if args.keep_schema:
                keep_fixture(schema, ids, token)
        else:
            ids, token = kept
        script = session_script(ids, token)
        server, base = start_server(database_url, args.port, args.workers, tries=100)
        print(
            f"# bench_http {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {args.workers} worker(s), "
            f"{args.connections} connections, {args.seconds:.0f} s, {args.cases} cases, "
            f"{stored_events(schema):,} events stored, load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        if args.warmup:
            wrk(f"{base}/healthz", args.warmup, args.connections)
            wrk(base, args.warmup, args.connections, str(script))
        noop = wrk(f"{base}/healthz", args.seconds, args.connections)
        line("no-op endpoint (GET /healthz)", noop["rate"], "req/s")
        line("no-op p99 latency", noop["p99"], "ms")
        cmds = wrk(base, args.seconds, args.connections, str(script))
        line("log a session (POST .../sessions)", cmds["rate"], "cmds/s", noop["rate"], "of no-op")
        line("  against the fixed bar", cmds["rate"], "cmds/s", 1000.0, "of 1,000 cmds/s")
        line("command p99 latency", cmds["p99"], "ms", 100.0, "of the 100 ms bar")
        line("non-2xx answers", cmds["errors"] + cmds["socket_errors"], "count")
        with urllib.request.urlopen(f"{base}/healthz") as answer:
            json.load(answer)
        stored = stored_events(schema)
        for size in server_rss_mb(server):
            line(f"API process RSS @{stored:,} events", size, "MB", 300.0, "of the 300 MB bar")
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)
        if not args.keep_schema:
            with psycopg.connect(URL, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    main()
