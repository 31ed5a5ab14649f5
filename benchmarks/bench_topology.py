"""The production topology on one PostgreSQL: `tongjie serve --workers N`, two `tongjie project`
(one active, one standby), and the load client (`wrk`) in a process of its own.

For each N of `--workers`: the no-op endpoint (`GET /healthz`, the baseline of the same run),
then commands (`POST /api/v1/cases/{id}/sessions` over 1,000 routed cases, as bench_http.py
sends them) while this process samples, every 10 ms, the store's head and the views'
positions (commit to visible in both views, with a resolution of those 10 ms), and every
100 ms each process's connections to PostgreSQL as the server sees them (pg_stat_activity,
each connection traced to its process through its client port). With the largest N, halfway
through the commands, the active `tongjie project` is killed (SIGKILL): the time until the
standby holds every view's lock, and until the views have caught up with the head of the
moment of the kill. Then the WAL written per command.

    PYTHONPATH=. python benchmarks/bench_topology.py [--workers 1 2] [--seconds 30]
        [--connections 32] [--pool-size 10]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_http import LUA, prepare

from projections.engine.locking import lock_key

URL = "postgresql://postgres@127.0.0.1:5432/test"
VIEWS = ("board", "stats")
SHOW_REFUSALS = """
local shown = 0
response = function(status, headers, body)
  if status >= 300 and shown < 3 then
    shown = shown + 1
    io.write("refused " .. status .. " " .. body:sub(1, 160) .. "\\n")
  end
end
"""


def line(name: str, value: float, unit: str, baseline: float | None = None, base: str = "") -> None:
    ratio = f"{value / baseline:6.2f}x {base}" if baseline else ""
    shown = f"{baseline:,.1f}" if baseline else "-"
    print(f"{name:<48} {value:>11,.1f} {unit:<9} baseline {shown:>10}  {ratio}", flush=True)


def wrk(url: str, seconds: float, connections: int, script: str | None = None) -> dict[str, Any]:
    """wrk's rate, p99 (ms), non-2xx count, and the first refusals' status and body."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{int(seconds)}s", "--latency", url]
    if script:
        command[1:1] = ["-s", script]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {
        "rate": float(rate.group(1)) if rate else float("nan"),
        "p99": float(p99.group(1)) * scale[p99.group(2)] if p99 else float("nan"),
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": "Socket errors" in out,
        "refusals": [row for row in out.splitlines() if row.startswith("refused ")],
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


# -- the processes ----------------------------------------------------------------------------


@dataclass
class Topology:
    database_url: str
    pool_size: int
    port: int
    env: dict[str, str] = field(init=False)
    projects: list[subprocess.Popen[bytes]] = field(default_factory=list)
    server: subprocess.Popen[bytes] | None = None

    def __post_init__(self) -> None:
        self.env = {
            **os.environ,
            "TONGJIE_DATABASE_URL": self.database_url,
            "TONGJIE_POOL_SIZE": str(self.pool_size),
            "TONGJIE_LOG_LEVEL": "warning",
            "TONGJIE_LOG_FORMAT": "json",
        }

    def tongjie(self, *args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "api.cli.main", *args],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def start_project(self) -> subprocess.Popen[bytes]:
        process = self.tongjie("project")
        self.projects.append(process)
        return process

    def serve(self, workers: int) -> None:
        self.server = self.tongjie("serve", "--port", str(self.port), "--workers", str(workers))
        base = f"http://127.0.0.1:{self.port}"
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the server did not answer within 30 s")

    def stop_server(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait(30)
            self.server = None

    def close(self) -> None:
        self.stop_server()
        for process in self.projects:
            if process.poll() is None:
                process.terminate()
                process.wait(30)

    def roles(self) -> dict[int, str]:
        """Each process's pid and what it is."""
        found: dict[int, str] = {}
        for index, process in enumerate(self.projects):
            if process.poll() is None:
                found[process.pid] = f"tongjie project #{index + 1}"
        if self.server is not None:
            workers = children(self.server.pid)
            found[self.server.pid] = "tongjie serve (master)" if workers else "tongjie serve"
            for number, pid in enumerate(workers, start=1):
                found[pid] = f"tongjie serve (worker {number})"
        return found


def children(pid: int) -> list[int]:
    listed = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    found = []
    for child in listed.stdout.split():
        cmdline = Path(f"/proc/{child}/cmdline").read_text(errors="replace")
        if "spawn_main" in cmdline:
            found.append(int(child))
    return sorted(found)


# -- what the database sees -------------------------------------------------------------------


def port_owners() -> dict[int, int]:
    """Local TCP port of each connection to 127.0.0.1:5432 -> the pid that holds it."""
    listed = subprocess.run(
        ["ss", "-tnpH", "dst", "127.0.0.1:5432"], capture_output=True, text=True
    ).stdout
    owners = {}
    for row in listed.splitlines():
        local = re.search(r"127\.0\.0\.1:(\d+)\s+127\.0\.0\.1:5432", row)
        pid = re.search(r"pid=(\d+)", row)
        if local and pid:
            owners[int(local.group(1))] = int(pid.group(1))
    return owners


class Sampler:
    """Heads and view positions every 10 ms; connections per process every 100 ms."""

    def __init__(self, database_url: str, schema: str, topology: Topology) -> None:
        self.url = database_url.split("?")[0]
        self.schema = schema
        self.topology = topology
        self.heads: list[tuple[float, int]] = []
        self.positions: list[tuple[float, int]] = []  # the lower of the two views'
        self.peaks: Counter[str] = Counter()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._positions, daemon=True),
            threading.Thread(target=self._connections, daemon=True),
        ]

    def __enter__(self) -> Sampler:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(10)

    def _positions(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            head_sql = f"SELECT max(notification_id) FROM {self.schema}.tongjie_events"
            views_sql = (
                f"SELECT min(notification_id) FROM {self.schema}.view_tracking "
                "WHERE status = 'active'"
            )
            while not self._stop.wait(0.01):
                head = conn.execute(head_sql).fetchone()
                seen = conn.execute(views_sql).fetchone()
                now = time.monotonic()
                self.heads.append((now, int(head[0] or 0) if head else 0))
                self.positions.append((now, int(seen[0] or 0) if seen else 0))

    def _connections(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self._stop.wait(0.1):
                rows = conn.execute(
                    "SELECT client_port FROM pg_stat_activity WHERE datname = 'test' "
                    "AND client_port IS NOT NULL"
                ).fetchall()
                owners = port_owners()
                roles = self.topology.roles()
                now: Counter[str] = Counter()
                for (port,) in rows:
                    role = roles.get(owners.get(int(port), -1))
                    if role is not None:
                        now[role] += 1
                for role, count in now.items():
                    self.peaks[role] = max(self.peaks[role], count)
                self.peaks["(all Tongjie processes at once)"] = max(
                    self.peaks["(all Tongjie processes at once)"], sum(now.values())
                )

    def lags_ms(self) -> list[float]:
        """For each head seen, the time until both views showed it."""
        lags = []
        index = 0
        for when, head in self.heads:
            while index < len(self.positions) and (
                self.positions[index][0] < when or self.positions[index][1] < head
            ):
                index += 1
            if index == len(self.positions):
                break
            lags.append((self.positions[index][0] - when) * 1000)
        return lags


def lock_holders(url: str, schema: str) -> dict[str, int | None]:
    """The pid of the `tongjie project` holding each view's lock (None: nobody)."""
    held: dict[str, int | None] = {}
    with psycopg.connect(url, autocommit=True) as conn:
        for view in VIEWS:
            key = lock_key(schema, view) & 0xFFFFFFFFFFFFFFFF
            row = conn.execute(
                "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a "
                "ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
                "AND l.classid = %s AND l.objid = %s AND l.objsubid = 1",
                (key >> 32, key & 0xFFFFFFFF),
            ).fetchone()
            held[view] = int(str(row[0]).rsplit("-", 1)[1]) if row else None
    return held


def wait_until(check: object, timeout: float, what: str) -> float:
    started = time.monotonic()
    while not check():  # type: ignore[operator]
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"not within {timeout} s: {what}")
        time.sleep(0.005)
    return time.monotonic() - started


def head(url: str, schema: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(f"SELECT max(notification_id) FROM {schema}.tongjie_events").fetchone()
    return int(row[0] or 0) if row else 0


def views_at(url: str, schema: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            f"SELECT min(notification_id), count(*) FROM {schema}.view_tracking "
            "WHERE status = 'active'"
        ).fetchone()
    return int(row[0] or 0) if row and row[1] == len(VIEWS) else 0


def wal_lsn(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')").fetchone()
    return int(row[0]) if row else 0


# -- the run ----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--pool-size", type=int, default=10, help="TONGJIE_POOL_SIZE of each")
    parser.add_argument("--port", type=int, default=0, help="default: a free one")
    parser.add_argument("--warmup", type=float, default=3)
    args = parser.parse_args()
    port = args.port or free_port()
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
        max_connections = int(conn.execute("SHOW max_connections").fetchone()[0])  # type: ignore[index]
    database_url = f"{URL}?schema={schema}"
    topology = Topology(database_url, args.pool_size, port)
    try:
        ids, token = prepare(database_url, args.cases, 0, 1)
        workdir = Path(tempfile.mkdtemp())
        (workdir / "ids.txt").write_text("\n".join(ids) + "\n")
        script = workdir / "sessions.lua"
        script.write_text(LUA % {"ids": workdir / "ids.txt", "token": token} + SHOW_REFUSALS)

        active = topology.start_project()
        wait_until(
            lambda: all(p == active.pid for p in lock_holders(URL, schema).values()),
            60,
            "the first tongjie project holds every view's lock",
        )
        wait_until(lambda: views_at(URL, schema) >= head(URL, schema), 60, "views caught up")
        standby = topology.start_project()
        time.sleep(3)  # the standby connects and polls the locks
        assert all(p == active.pid for p in lock_holders(URL, schema).values())

        print(
            f"# bench_topology {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, PostgreSQL 15 local, "
            f"{os.cpu_count()} cores, TONGJIE_POOL_SIZE={args.pool_size}, "
            f"{args.connections} connections, {args.seconds:.0f} s, load "
            f"{os.getloadavg()[0]:.1f}",
            flush=True,
        )
        print("# two `tongjie project` (active, standby); wrk (2 threads) in its own process")
        base = f"http://127.0.0.1:{port}"
        rates: dict[int, float] = {}
        for workers in args.workers:
            topology.serve(workers)
            if args.warmup:
                wrk(f"{base}/healthz", args.warmup, args.connections)
                wrk(base, args.warmup, args.connections, str(script))
            noop = wrk(f"{base}/healthz", args.seconds, args.connections)
            kill = workers == max(args.workers)
            wal_before = wal_lsn(URL)
            killed: dict[str, float] = {}
            with Sampler(database_url, schema, topology) as sampler:
                if kill:
                    timer = threading.Timer(
                        args.seconds / 2,
                        takeover,
                        (active, standby, schema, killed),
                    )
                    timer.start()
                cmds = wrk(base, args.seconds, args.connections, str(script))
                wait_until(lambda: views_at(URL, schema) >= head(URL, schema), 60, "caught up")
                time.sleep(0.05)
            wal = wal_lsn(URL) - wal_before
            rates[workers] = cmds["rate"]
            tag = f"{workers} worker{'s' if workers > 1 else ''}"
            line(f"no-op (GET /healthz), {tag}", noop["rate"], "req/s")
            line(f"commands, {tag}", cmds["rate"], "cmds/s", noop["rate"], "of no-op")
            if workers != args.workers[0]:
                first = args.workers[0]
                line(f"  against {first} worker(s)", cmds["rate"], "cmds/s", rates[first], "")
            line(f"command p99, {tag}", cmds["p99"], "ms", 100.0, "of the 100 ms bar")
            line(f"non-2xx answers, {tag}", cmds["errors"] + cmds["socket_errors"], "count")
            for refusal in cmds["refusals"]:
                print(f"#   {refusal}", flush=True)
            lags = sampler.lags_ms()
            line(f"view lag p50, {tag} (both views)", percentile(lags, 0.5), "ms")
            p99 = percentile(lags, 0.99)
            line(f"view lag p99, {tag} (both views)", p99, "ms", 250.0, "of the 250 ms bar")
            commands = cmds["rate"] * args.seconds
            line(f"WAL per command, {tag}", wal / max(commands, 1), "bytes")
            for role, peak in sorted(sampler.peaks.items()):
                line(f"  connections: {role}", peak, "at most")
            if kill:
                line("takeover: standby holds every lock after", killed["locked"] * 1000, "ms")
                line("takeover: views caught up after", killed["caught_up"] * 1000, "ms")
                pairs = zip(sampler.heads, lags, strict=False)
                after = [lag for (when, _), lag in pairs if when >= killed["at"]]
                line("view lag max after the kill", max(after, default=float("nan")), "ms")
            topology.stop_server()
        line("max_connections of the server (shared)", max_connections, "")
        print(f"# load at the end {os.getloadavg()[0]:.1f}", flush=True)
    finally:
        topology.close()
        with psycopg.connect(URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def takeover(
    active: subprocess.Popen[bytes],
    standby: subprocess.Popen[bytes],
    schema: str,
    out: dict[str, float],
) -> None:
    """Kill the active `tongjie project`; time the standby's taking over."""
    at_kill = head(URL, schema)
    out["at"] = time.monotonic()
    os.kill(active.pid, signal.SIGKILL)
    active.wait(10)
    wait_until(
        lambda: all(p == standby.pid for p in lock_holders(URL, schema).values()),
        30,
        "the standby holds every view's lock",
    )
    out["locked"] = time.monotonic() - out["at"]
    wait_until(lambda: views_at(URL, schema) >= at_kill, 30, "the standby caught up")
    out["caught_up"] = time.monotonic() - out["at"]


def free_port() -> int:
    for _ in range(100):
        port = random.randint(20000, 60000)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port")


if __name__ == "__main__":
    main()
