"""The server's CPU time per request: a case command against the no-op, over HTTP (issue 22).

On a shared 2-core machine a rate measures the neighbours as much as the server; the CPU time
the server's processes spend per request (`/proc/PID/stat`, user + system, every worker and
every thread) is disturbed much less. A real `tongjie serve` on PostgreSQL (a schema of its
own, dropped after), 1,000 routed cases and a mediator's token seeded as bench_http.py does,
driven by `wrk` with 32 connections: `GET /healthz` (the no-op), then `POST .../sessions`,
`--rounds` times each, alternating; the median round of each is printed.

One worker answering at half the no-op rate needs a command to cost at most twice a no-op
(the bar "commands >= 0.5 x the no-op rate", docs/benchmarks.md).

    python benchmarks/bench_http_cpu.py [--seconds 10] [--rounds 3] [--workers 1]
        [--profile FILE.svg]   # py-spy records the (last) worker during a command round
                               # (FILE.txt: py-spy's raw collapsed stacks, to read as text)
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_http import URL, prepare, session_script, start_server, wrk

TICK = os.sysconf("SC_CLK_TCK")


def line(name: str, value: float, unit: str, baseline: float | None = None, base: str = "") -> None:
    """bench_http's line, with the three decimals a CPU time in ms needs."""
    ratio = f"{value / baseline:6.2f}x {base}" if baseline else ""
    shown = f"{baseline:,.3f}" if baseline else "-"
    print(f"{name:<44} {value:>11,.3f} {unit:<9} baseline {shown:>10}  {ratio}", flush=True)


def _ticks(stat: str) -> int:
    fields = stat.rsplit(")", 1)[1].split()  # after the command's name, which may hold spaces
    return int(fields[11]) + int(fields[12])  # utime, stime


def server_pids(server: subprocess.Popen[bytes]) -> list[int]:
    """The server and its workers (`--workers N`: uvicorn's children)."""
    children = subprocess.run(
        ["pgrep", "-P", str(server.pid)], capture_output=True, text=True
    ).stdout.split()
    return [server.pid, *(int(pid) for pid in children)]


def backends(pids: list[int]) -> list[int]:
    """The PostgreSQL backends serving the server's connections: the ports of its sockets to
    5432 (/proc/net/tcp), named in pg_stat_activity."""
    inodes = set()
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    ports = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            fields = row.split()
            if fields[2].endswith(":1538") and fields[9] in inodes:  # to port 5432
                ports.append(int(fields[1].rsplit(":", 1)[1], 16))
    with psycopg.connect(URL, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE client_port = ANY(%s)", (ports,)
        ).fetchall()
    return [row[0] for row in rows]


@dataclass
class Cpu:
    """CPU seconds of the server's processes: all of it, their main threads' (the event
    loops) apart, and the PostgreSQL backends serving them."""

    total: float
    loops: float
    database: float = 0.0

    @classmethod
    def of(cls, pids: list[int], database: Sequence[int] = ()) -> Cpu:
        total = loops = db = 0
        for pid in pids:
            try:
                total += _ticks(Path(f"/proc/{pid}/stat").read_text())
                loops += _ticks(Path(f"/proc/{pid}/task/{pid}/stat").read_text())
            except FileNotFoundError:
                continue
        for pid in database:
            try:
                db += _ticks(Path(f"/proc/{pid}/stat").read_text())
            except FileNotFoundError:
                continue
        return cls(total / TICK, loops / TICK, db / TICK)

    def __sub__(self, other: Cpu) -> Cpu:
        return Cpu(
            self.total - other.total, self.loops - other.loops, self.database - other.database
        )


@dataclass
class Round:
    requests: float
    rate: float
    errors: float
    cpu: Cpu

    @property
    def ms(self) -> float:
        return self.cpu.total * 1000 / max(self.requests, 1)

    @property
    def loop_ms(self) -> float:
        return self.cpu.loops * 1000 / max(self.requests, 1)

    @property
    def database_ms(self) -> float:
        return self.cpu.database * 1000 / max(self.requests, 1)


def measured(pids: list[int], url: str, seconds: float, script: str | None) -> Round:
    database = backends(pids)
    before = Cpu.of(pids, database)
    result = wrk(url, seconds, 32, script)
    opened = [pid for pid in backends(pids) if pid not in database]  # all of theirs is new
    spent = Cpu.of(pids, database + opened) - before
    return Round(result["requests"], result["rate"], result["errors"], spent)


def thread_ticks(pid: int) -> dict[int, int]:
    found = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found[int(task.name)] = _ticks((task / "stat").read_text())
        except FileNotFoundError:
            continue
    return found


def by_thread(pid: int, url: str, seconds: float, script: str) -> dict[str, float]:
    """CPU seconds of one process's threads during a command round, by Python thread name
    (names read with `py-spy dump`; a pool's numbered threads counted together)."""
    before = thread_ticks(pid)
    result = wrk(url, seconds, 32, script)
    after = thread_ticks(pid)
    dump = subprocess.run(
        [str(Path(sys.executable).with_name("py-spy")), "dump", "--pid", str(pid)],
        capture_output=True,
        text=True,
    ).stdout
    names = {
        int(m.group(1)): m.group(2) for m in re.finditer(r'Thread (\d+) \(\w+\): "([^"]+)"', dump)
    }
    names |= {
        int(m.group(1), 16): m.group(2)
        for m in re.finditer(r'Thread (0x[0-9a-fA-F]+) \(\w+\): "([^"]+)"', dump)
    }
    spent: dict[str, float] = {}
    for tid, ticks in after.items():
        name = re.sub(r"[-_ ]?\d+$", "", names.get(tid, "(ended or unnamed)"))
        spent[name] = spent.get(name, 0.0) + (ticks - before.get(tid, 0)) / TICK
    return {name: cpu * 1000 / result["requests"] for name, cpu in spent.items()}


def median_round(rounds: list[Round]) -> Round:
    return sorted(rounds, key=lambda r: r.ms)[len(rounds) // 2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--port", type=int, default=18790)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--profile", metavar="SVG", help="py-spy record a command round")
    parser.add_argument("--threads", action="store_true", help="a command round's CPU by thread")
    args = parser.parse_args()
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    database_url = f"{URL}?schema={schema}"
    server = None
    try:
        ids, token = prepare(database_url, args.cases, 0, 1)
        script = session_script(ids, token)
        server, base = start_server(database_url, args.port, args.workers, tries=150)
        pids = server_pids(server)
        print(
            f"# bench_http_cpu {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {args.workers} worker(s), "
            f"32 connections, {args.rounds} x {args.seconds:.0f} s each, {args.cases} cases, "
            f"load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        wrk(f"{base}/healthz", args.warmup, 32)
        wrk(base, args.warmup, 32, str(script))
        noops: list[Round] = []
        commands: list[Round] = []
        for _ in range(args.rounds):
            noops.append(measured(pids, f"{base}/healthz", args.seconds, None))
            commands.append(measured(pids, base, args.seconds, str(script)))
        if args.profile:
            spy = subprocess.Popen(
                [str(Path(sys.executable).with_name("py-spy")), "record", "--threads", "--gil"]
                + (["-f", "raw"] if args.profile.endswith(".txt") else [])
                + ["-o", args.profile, "-d", str(int(args.seconds)), "--pid", str(pids[-1])],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(1)
            wrk(base, args.seconds + 2, 32, str(script))
            spy.wait()
        if args.threads:
            for name, ms in sorted(
                by_thread(pids[-1], base, args.seconds, str(script)).items(), key=lambda i: -i[1]
            ):
                if ms >= 0.001:
                    print(f"# thread {name:<40} {ms:7.3f} ms/cmd", flush=True)
        noop, command = median_round(noops), median_round(commands)
        line("no-op (GET /healthz), server CPU", noop.ms, "ms/req")
        line("  of which the event loop(s)", noop.loop_ms, "ms/req", noop.ms, "of the no-op")
        line("log a session (POST), server CPU", command.ms, "ms/cmd", noop.ms, "of the no-op")
        line("  of which the event loop(s)", command.loop_ms, "ms/cmd", command.ms, "of the cmd")
        line("  at most for 0.5x the no-op rate", command.ms, "ms/cmd", 2 * noop.ms, "of 2 no-ops")
        line(
            "  PostgreSQL's backends for it",
            command.database_ms,
            "ms/cmd",
            command.ms,
            "of the cmd",
        )
        line("no-op rate (this loaded machine)", noop.rate, "req/s")
        line("command rate (this loaded machine)", command.rate, "cmds/s", noop.rate, "of no-op")
        line("non-2xx answers", sum(r.errors for r in commands), "count")
        pairs = list(zip(noops, commands, strict=True))
        print(
            "# rounds, ms per request (no-op / command): "
            + ", ".join(f"{n.ms:.3f}/{c.ms:.3f}" for n, c in pairs)
            + f"; median ratio {statistics.median(c.ms / n.ms for n, c in pairs):.2f}",
            flush=True,
        )
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)
        with psycopg.connect(URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    main()
