"""Reading one case of 1,000 events: a full replay, its HTTP answer, and the current state.

1. **Full replay in process** (`CaseReads.at_version(id, 1000)`, PostgreSQL): every event read
   from the store and folded from the first, no snapshot. Compared with Emmett's load of a
   1,000-event stream (~9.75 ms, the peer's figure of issue 22) and with the library's own
   path measured in the same run (`store.events.get` and `event.mutate`, as before issue 22).
2. **The same over HTTP**: `GET /api/v1/cases/{id}/replay?version=1000` from a real `tongjie
   serve` on a SQLite file, less the round trip (the median of `GET /healthz` by the same
   client), against reading the case's rows from that file with sqlite3 and parsing them
   with orjson in this process, the same minute. Bar: at most 3 x that read.
3. **Current state from a snapshot** (`CaseReads.current`, PostgreSQL, a process with no
   aggregate cache: the latest snapshot and the events after it). Bar: at most 11 ms and at
   most the peer's full replay.

Medians of wall-clock times (each figure interleaved with its baseline, so a change of the
machine's load weighs on both), and beside each the process's CPU time, which the other
engineers' runs on this shared machine disturb less.

    PYTHONPATH=. python benchmarks/bench_replay.py [--events 1000] [--repeat 41]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.bootstrap import build_application
from application.tongjie import Tongjie
from benchmarks.bench_audit import case_of
from domain.case import Case
from infrastructure.settings import Settings
from tests.world import make_world

URL = os.environ.get("TONGJIE_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
EMMETT_REPLAY_MS = 9.75  # Emmett 0.42 loading a 1,000-event stream (issue 22's table)
SNAPSHOT_BAR_MS = 11.0


def line(name: str, value: float, unit: str, baseline: float | None = None, base: str = "") -> None:
    ratio = f"{value / baseline:6.2f}x {base}" if baseline else ""
    shown = f"{baseline:,.2f}" if baseline else "-"
    print(f"{name:<48} {value:>10,.2f} {unit:<8} baseline {shown:>9}  {ratio}", flush=True)


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU milliseconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def interleaved(repeat: int, **fns: Callable[[], object]) -> dict[str, tuple[float, float]]:
    """Median wall and CPU ms of each function, called in turn `repeat` times."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            samples[name].append(timed(fn))
    return {
        name: (statistics.median(s[0] for s in got), statistics.median(s[1] for s in got))
        for name, got in samples.items()
    }


def library_replay(app: Tongjie, case_id: uuid.UUID) -> Case:
    """The path before issue 22: the library's repository read and fold."""
    case: Any = None
    for event in app.store.events.get(case_id):
        case = event.mutate(case)
    assert isinstance(case, Case)
    return case


@contextmanager
def postgres_schema() -> Iterator[str]:
    name = f"bench_replay_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    try:
        yield f"{URL}?schema={name}"
    finally:
        with psycopg.connect(URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {name} CASCADE")


def in_process(events: int, repeat: int) -> None:
    with postgres_schema() as url:
        app = build_application(Settings(database_url=url))
        cold = build_application(Settings(database_url=url, aggregate_cache_size=0))
        try:
            case = case_of(events, 1)  # snapshots at every 50th version, as commands take
            app.store.save(case)
            for _ in range(3):
                app.reads.at_version(case.id, events)
                cold.reads.current(case.id)
            got = interleaved(
                repeat,
                fast=lambda: app.reads.at_version(case.id, events),
                library=lambda: library_replay(app, case.id),
                snapshot=lambda: cold.reads.current(case.id),
            )
        finally:
            app.close()
            cold.close()
    fast, library, snapshot = got["fast"], got["library"], got["snapshot"]
    n = f"{events}-event case"
    line(f"full replay in process, {n}", fast[0], "ms", EMMETT_REPLAY_MS, "of Emmett's")
    line("  the same, CPU time", fast[1], "ms")
    line("  the library's read and fold, same run", library[0], "ms", fast[0], "of ours")
    line(f"current state from a snapshot, {n}", snapshot[0], "ms", SNAPSHOT_BAR_MS, "of 11 ms")
    line("  against the peer's full replay", snapshot[0], "ms", EMMETT_REPLAY_MS, "of Emmett's")
    line("  the same, CPU time", snapshot[1], "ms")


def get(url: str, token: str | None = None) -> bytes:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as answer:
        body: bytes = answer.read()
    return body


def over_http(events: int, repeat: int, port: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/replay.db"
        app = build_application(Settings(database_url=f"sqlite:///{path}"))
        try:
            world = make_world(app)
            case = case_of(events, 1)
            app.store.save(case)
            token = world.tokens["boss"]  # a supervisor may replay
        finally:
            app.close()
        env = {**os.environ, "TONGJIE_DATABASE_URL": f"sqlite:///{path}"}
        env.update(TONGJIE_LOG_LEVEL="warning", TONGJIE_LOG_FORMAT="json")
        command = [sys.executable, "-m", "api.cli.main", "serve", "--port", str(port)]
        server = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(150):
                try:
                    get(f"{base}/healthz")
                    break
                except OSError:
                    time.sleep(0.2)
            replay_url = f"{base}/api/v1/cases/{case.id}/replay?version={events}"
            answer = orjson.loads(get(replay_url, token))
            assert answer["version"] == events
            assert len(answer["sessions"]) == events - 2
            database = sqlite3.connect(path)
            query = (
                "SELECT originator_version, topic, state FROM stored_events "
                "WHERE originator_id = ? ORDER BY originator_version"
            )

            def read_and_parse() -> list[Any]:
                rows = database.execute(query, (case.id.hex,)).fetchall()
                return [orjson.loads(state) for _, _, state in rows]

            for _ in range(3):
                get(replay_url, token)
            got = interleaved(
                repeat,
                replay=lambda: get(replay_url, token),
                noop=lambda: get(f"{base}/healthz"),
                raw=read_and_parse,
            )
            cpu_replay = server_cpu_ms(server.pid, lambda: get(replay_url, token), repeat * 2)
            cpu_noop = server_cpu_ms(server.pid, lambda: get(f"{base}/healthz"), repeat * 2)
            cpu_raw = statistics.median(timed(read_and_parse)[1] for _ in range(repeat))
            database.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    replay, noop, raw = got["replay"][0], got["noop"][0], got["raw"][0]
    line(f"GET /replay?version={events}, whole request", replay, "ms")
    line("  round trip (GET /healthz), same client", noop, "ms")
    line("read the rows from SQLite + orjson parse", raw, "ms")
    line("/replay less the round trip", replay - noop, "ms", raw, "of read+parse (bar 3x)")
    line("  the server's CPU per /replay, less /healthz's", cpu_replay - cpu_noop, "ms",
         cpu_raw, "of read+parse's CPU")  # fmt: skip


def server_cpu_ms(pid: int, request: Callable[[], object], count: int) -> float:
    """The server process's CPU time (user + system) per request, over `count` requests:
    what the neighbours' load disturbs least (at 10 ms a tick, over a second or more)."""

    def ticks() -> int:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime, stime

    before = ticks()
    for _ in range(count):
        request()
    return (ticks() - before) * 1000 / os.sysconf("SC_CLK_TCK") / count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=41)
    parser.add_argument("--port", type=int, default=20000 + os.getpid() % 30000)
    parser.add_argument("--only", choices=["process", "http"])
    args = parser.parse_args()
    print(
        f"# bench_replay {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, "
        f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    if args.only != "http":
        in_process(args.events, args.repeat)
    if args.only != "process":
        over_http(args.events, args.repeat, args.port)


if __name__ == "__main__":
    main()
