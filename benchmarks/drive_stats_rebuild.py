"""The statistics rebuild alone, on a store bench_stats.py kept: for trying a change in a minute.

    PYTHONPATH=benchmarks:. python benchmarks/drive_stats_rebuild.py SCHEMA [--no-raw]
    py-spy record -o x.svg --native -- python benchmarks/drive_stats_rebuild.py SCHEMA --no-raw

Reads the notification log as bench_stats.py does (its baseline), then rebuilds the statistics
view as bench_stats.py does (`Engine.rebuild`, pages of 5,000), and prints both lines as it
prints them, with the machine's load, and the time of the rebuild's phases: folding the events
into facts (`catch_up` up to the last page), the VACUUM, the indexes and the cells' build.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import resource
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bench_board import raw_read
from bench_stats import rebuild

from api.bootstrap import build_application, build_views
from infrastructure.settings import Settings
from infrastructure.views.log import PostgresLog
from projections.engine import catchup
from projections.engine.decoding import Decoder

URL = "postgresql://postgres@127.0.0.1:5432/test"


def _timed(module: Any, name: str, phases: dict[str, float], label: str = "") -> None:
    original: Callable[..., Any] = getattr(module, name)
    name_ = label or name

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start, cpu = time.perf_counter(), time.thread_time()
        try:
            return original(*args, **kwargs)
        finally:
            phases[name_] = phases.get(name_, 0.0) + time.perf_counter() - start
            phases[f"{name_} cpu"] = phases.get(f"{name_} cpu", 0.0) + time.thread_time() - cpu

    setattr(module, name, wrapper)


def _slow_statements(limit: float) -> None:
    from infrastructure.views.postgres import PostgresConnection

    original = PostgresConnection.execute

    def execute(self: PostgresConnection, statement: str, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(self, statement, *args, **kwargs)
        finally:
            took = time.perf_counter() - start
            if took >= limit:
                print(f"  {took:6.2f} s  {statement[:150]}", flush=True)

    PostgresConnection.execute = execute  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("schema")
    parser.add_argument("--no-raw", action="store_true", help="the rebuild alone")
    parser.add_argument("--page", type=int, default=5000)
    parser.add_argument("--cprofile", help="profile the rebuild's thread into this file")
    parser.add_argument("--slow", type=float, help="print statements slower than this (s)")
    args = parser.parse_args()
    print(
        f"# drive_stats_rebuild {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC, "
        f"load {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    phases: dict[str, float] = {}
    _timed(catchup, "vacuum", phases)
    _timed(catchup, "create_indexes", phases)
    if args.slow is not None:
        _slow_statements(args.slow)
    settings = Settings(database_url=f"{URL}?schema={args.schema}")
    app = build_application(settings)
    views = build_views(settings, app, page_size=args.page)
    try:
        if not args.no_raw:
            read, count = raw_read(app, args.page)
            print(f"raw log read @{count:,}  {read:12,.1f} events/s", flush=True)
        _timed(Decoder, "decode_page", phases, "decode (reading thread)")
        _timed(PostgresLog, "read", phases, "log read (reading thread)")
        profile = cProfile.Profile() if args.cprofile else None
        usage0 = resource.getrusage(resource.RUSAGE_SELF)
        cpu0 = usage0.ru_utime + usage0.ru_stime
        start = time.perf_counter()
        if profile is not None:
            profile.enable()
        built = rebuild(views)
        total = time.perf_counter() - start
        if profile is not None:
            profile.disable()
            profile.dump_stats(args.cprofile)
    finally:
        views.close()
        app.close()
    ratio = f"  {built / read:.2f}x of the raw read" if not args.no_raw else ""
    print(f"stats rebuild           {built:12,.1f} events/s{ratio}")
    reading = {k: v for k, v in phases.items() if "thread" in k or "cpu" in k}
    fold = total - sum(v for k, v in phases.items() if k not in reading)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"  process CPU {usage.ru_utime + usage.ru_stime - cpu0:.1f} s over {total:.1f} s")
    print(
        f"  phases: fold {fold:.1f} s, vacuum {phases.get('vacuum', 0):.1f} s, "
        f"indexes + cells {phases.get('create_indexes', 0):.1f} s, total {total:.1f} s; "
        f"load {os.getloadavg()[0]:.1f}"
    )
    print("  " + ", ".join(f"{k} {v:.1f} s" for k, v in reading.items()))


if __name__ == "__main__":
    main()
