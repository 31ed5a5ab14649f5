"""Every benchmark in one command, then issue 22's table with this run's figures and baselines.

    python -m benchmarks [--quick] [--skip stats,audit,...] [--seconds 60]

Each benchmark runs as its own process, one after the other (never two at once: they would
measure each other), its lines printed as they come; the table at the end takes each figure
and its baseline from those lines, so every ratio in it compares figures of this run. Paste
the whole output, with the date, the machine and its load, into docs/benchmarks.md.

`--quick` scales the long ones down (commands 10 s, the statistics 100,000 events): for
trying a change, not for the record. Before a run for the record, check the machine:
`uptime` (a 1-minute load under ~1.5) and no other test run (`pgrep -fa pytest`).
`wrk` (Debian's package) drives the HTTP benchmarks.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NUMBER = r"([\d,]+\.?\d*)"


@dataclass
class Run:
    """One benchmark's command and the lines it printed."""

    name: str
    argv: list[str]
    lines: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def value(self, prefix: str, column: int = 0) -> float | None:
        """The first number (column 0) or the baseline (column 1) of the line named so."""
        for line in self.lines:
            if line.startswith(prefix):
                head, _, tail = line.partition(" baseline ")
                if column == 1:
                    match = re.match(r"\s*" + NUMBER, tail)
                    return _number(match.group(1)) if match else None
                tokens = head.split()  # ... name, value, unit
                return _number(tokens[-2]) if len(tokens) >= 2 else None
        return None


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def runs(args: argparse.Namespace) -> list[Run]:
    py = [sys.executable]
    seconds = "10" if args.quick else str(args.seconds)
    stats_events = "100000" if args.quick else "1000000"
    return [
        Run("commands", [*py, "benchmarks/bench_commands.py", "--seconds", seconds]),
        Run("replay", [*py, "benchmarks/bench_replay.py"]),
        Run("audit", [*py, "benchmarks/bench_audit.py", "--events", "20000"]),
        Run("http1", [*py, "benchmarks/bench_http.py", "--seconds", seconds, "--workers", "1"]),
        Run("http2", [*py, "benchmarks/bench_http.py", "--seconds", seconds, "--workers", "2"]),
        Run("httpcpu", [*py, "benchmarks/bench_http_cpu.py", "--rounds", "3"]),
        Run("stats", [*py, "benchmarks/bench_stats.py", "--events", stats_events]),
    ]


def execute(run: Run) -> None:
    print(f"\n### {run.name}: {' '.join(run.argv[1:])}", flush=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    with subprocess.Popen(
        run.argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as process:
        assert process.stdout is not None
        for text in process.stdout:
            print(text, end="", flush=True)
            run.lines.append(text.rstrip("\n"))
    run.seconds = time.perf_counter() - started
    if process.returncode:
        print(f"### {run.name} failed (exit {process.returncode})", flush=True)


def shown(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}{unit}" if value >= 100 else f"{value:,.1f}{unit}"


def ratio(value: float | None, baseline: float | None) -> str:
    return "-" if value is None or not baseline else f"{value / baseline:.2f}x"


def table(done: dict[str, Run]) -> list[tuple[str, str, str, str, str]]:
    """(figure, this run, baseline of this run, ratio, bar) for each row of issue 22."""
    empty = Run("", [])
    commands, replay, audit = (done.get(k, empty) for k in ("commands", "replay", "audit"))
    http1, http2, stats = (done.get(k, empty) for k in ("http1", "http2", "stats"))
    rows = []
    ours = commands.value("Tongjie recorder (group commit)")
    p99 = commands.value("Tongjie p99 latency")
    rows.append(
        (
            "commands in process, 32 in flight",
            f"{shown(ours, '/s')}, p99 {shown(p99, ' ms')}",
            "Emmett 739/s, p99 88 ms (issue 22)",
            ratio(ours, 739.0),
            "ahead on both",
        )
    )
    full = replay.value("full replay in process")
    rows.append(
        ("full replay, 1,000 events, in process", shown(full, " ms"), "Emmett 9.75 ms",
         ratio(full, 9.75), "<= 1x")
    )  # fmt: skip
    http = replay.value("/replay less the round trip")
    raw = replay.value("read the rows from SQLite + orjson parse")
    rows.append(
        ("the same over HTTP, less the round trip", shown(http, " ms"),
         f"SQLite read + orjson {shown(raw, ' ms')}", ratio(http, raw), "<= 3x")
    )  # fmt: skip
    snapshot = replay.value("current state from a snapshot")
    rows.append(
        ("current state from a snapshot", shown(snapshot, " ms"), "bar 11 ms; Emmett 9.75 ms",
         ratio(snapshot, 11.0), "<= 11 ms and <= 9.75 ms")
    )  # fmt: skip
    one = http1.value("log a session")
    noop1 = http1.value("no-op endpoint")
    rows.append(
        ("commands over HTTP, 1 worker", shown(one, "/s"), f"no-op {shown(noop1, '/s')}",
         ratio(one, noop1), ">= 0.5x")
    )  # fmt: skip
    cpu = done.get("httpcpu", empty)
    per_command = cpu.value("log a session (POST), server CPU")
    per_noop = cpu.value("no-op (GET /healthz), server CPU")
    rows.append(
        ("  server CPU per command, 1 worker",
         "-" if per_command is None else f"{per_command:.3f} ms",
         "-" if per_noop is None else f"no-op {per_noop:.3f} ms",
         ratio(per_command, per_noop), "<= 2x (for 0.5x the rate)")
    )  # fmt: skip
    two = http2.value("log a session")
    rows.append(
        ("the same, 2 workers", shown(two, "/s"), f"1 worker {shown(one, '/s')}",
         ratio(two, one), ">= 1.3x of 1 worker")
    )  # fmt: skip
    query = _last(stats, "stats query p99 @", "(during writes)")  # the largest store's
    rows.append(
        ("statistics query p99 during writes", shown(query, " ms"), "bar 20 ms",
         ratio(query, 20.0), "<= 20 ms")
    )  # fmt: skip
    rebuild, read = _largest_rebuild(stats)
    rows.append(
        ("rebuild from stored events", shown(rebuild, " ev/s"), f"raw read {shown(read, ' ev/s')}",
         ratio(rebuild, read), ">= 50,000/s and >= 0.5x")
    )  # fmt: skip
    verified = audit.value("case history + verify")
    audit_replay = audit.value("case history + verify", column=1)
    rows.append(
        ("audit: history + verify, 1,000 events", shown(verified, " ms"),
         f"full replay {shown(audit_replay, ' ms')}", ratio(verified, audit_replay), "<= 1.5x")
    )  # fmt: skip
    return rows


def _last(run: Run, prefix: str, containing: str) -> float | None:
    found = [line for line in run.lines if line.startswith(prefix) and containing in line]
    if not found:
        return None
    match = re.search(re.escape(containing) + r"\s+" + NUMBER, found[-1])
    return _number(match.group(1)) if match else None


def _largest_rebuild(run: Run) -> tuple[float | None, float | None]:
    """The statistics' rebuild at the largest store, and its raw read."""
    rebuilds = [
        line
        for line in run.lines
        if re.match(r"stats rebuild @[\d,]+ ", line) and "vs the bar" not in line
    ]
    if not rebuilds:
        return None, None
    last = Run("", [], rebuilds[-1:])
    return last.value("stats rebuild @", 0), last.value("stats rebuild @", 1)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="shorter runs, smaller stores")
    parser.add_argument("--seconds", type=int, default=60, help="each HTTP/command run")
    parser.add_argument("--skip", default="", help="comma-separated: " + ", ".join(
        r.name for r in runs(argparse.Namespace(quick=True, seconds=1))))  # fmt: skip
    args = parser.parse_args()
    skipped = {name.strip() for name in args.skip.split(",") if name.strip()}
    if shutil.which("wrk") is None and not {"http1", "http2", "httpcpu"} <= skipped:
        sys.exit("wrk is missing: apt-get install wrk (or --skip http1,http2,httpcpu)")
    load = os.getloadavg()
    print(
        f"# python -m benchmarks {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC, "
        f"{platform.machine()}, {os.cpu_count()} cores, "
        f"load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
        flush=True,
    )
    done: dict[str, Run] = {}
    for run in runs(args):
        if run.name in skipped:
            continue
        execute(run)
        done[run.name] = run
    load = os.getloadavg()
    print(f"\n## Issue 22's table, this run (load at the end {load[0]:.2f})\n")
    print("| figure | this run | baseline, same run | ratio | bar |")
    print("|---|---|---|---|---|")
    for row in table(done):
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
