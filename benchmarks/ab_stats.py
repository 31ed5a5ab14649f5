"""Statistics queries of two (or more) copies of the code, in alternate rounds, during writes.

    git archive BASE | tar -x -C /tmp/old      # the code to compare with, e.g. main
    PYTHONPATH=benchmarks:. python benchmarks/ab_stats.py keep22 /tmp/old . [--rounds 60]

Against the stores bench_stats.py kept (`--keep-schemas PREFIX`, seeded and rebuilt): one
query process per copy of the code (bench_stats.py's 16 queries of the large store), each
asked in turn for a round, while another process writes commands into both stores (two
threads each) and another runs the statistics' workers. The copies share the same minutes of
the machine's load, so a change is measured against the code before it in the same run, not
against a run of another hour's neighbours. Prints p50 and p99 (ms) and the querying thread's
CPU p50 per query and over all, per copy. The copies must read the same view version (the
view's tables are the kept store's).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from contextlib import ExitStack, closing
from datetime import UTC, datetime


def child(prefix: str) -> None:
    """One copy's query process: a round of the queries per line `round` on stdin."""
    from bench_board import URL
    from bench_stats import queries

    from api.app import GC_THRESHOLDS
    from api.bootstrap import build_application, build_views
    from infrastructure.settings import Settings

    gc.set_threshold(*GC_THRESHOLDS)
    settings = Settings(database_url=f"{URL}?schema={prefix}_large")
    app = build_application(settings)
    views = build_views(settings, app, page_size=5000)
    asked = queries(views)
    for query in asked.values():
        query()  # warm
    times: dict[str, list[float]] = {name: [] for name in asked}
    cpu: dict[str, list[float]] = {name: [] for name in asked}
    failed = 0
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() != "round":
            break
        for name, query in asked.items():
            start, start_cpu = time.perf_counter(), time.thread_time()
            try:
                query()
            except Exception as error:  # a neighbour's rebuild may block one
                print(f"{name}: {error!r}", file=sys.stderr, flush=True)
                failed += 1
                continue
            times[name].append((time.perf_counter() - start) * 1000)
            cpu[name].append((time.thread_time() - start_cpu) * 1000)
        print("done", flush=True)
    print(json.dumps({"times": times, "cpu": cpu, "failed": failed}), flush=True)
    views.close()
    app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("prefix", help="bench_stats.py's --keep-schemas")
    parser.add_argument("code", nargs="+", help="folders of the copies of the code")
    parser.add_argument("--rounds", type=int, default=60)
    args = parser.parse_args()
    from bench_board import URL, worker_process, writing
    from bench_stats import p99

    from api.bootstrap import build_application
    from infrastructure.settings import Settings

    urls = [f"{URL}?schema={args.prefix}_{label}" for label in ("young", "large")]
    print(f"# ab_stats {datetime.now(UTC):%H:%M:%S} UTC, load {os.getloadavg()[0]:.1f}")
    with ExitStack() as running:
        actors = []
        for url in urls:
            app = running.enter_context(closing(build_application(Settings(database_url=url))))
            actors.append((url, app.users.authenticate(app.users.rotate("zhang").token)))
        running.enter_context(worker_process(urls, only=["stats"]))
        kids = []
        for code in args.code:
            path = os.pathsep.join([os.path.join(code, "benchmarks"), code])
            kid = subprocess.Popen(
                [sys.executable, __file__, "--child", args.prefix],
                env={**os.environ, "PYTHONPATH": path},
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                cwd=code,
            )
            if _said(kid) != "ready":
                raise RuntimeError(f"the query process of {code} did not start")
            kids.append(kid)
        running.enter_context(writing(actors, threads=2))
        for turn in range(args.rounds):
            for kid in kids if turn % 2 == 0 else kids[::-1]:
                if _said(kid, "round") != "done":
                    raise RuntimeError("a query process stopped")
        found = []
        for kid in kids:
            found.append(json.loads(_said(kid, "report")))
            kid.wait()
    print(f"# end {datetime.now(UTC):%H:%M:%S} UTC, load {os.getloadavg()[0]:.1f}")
    names = [*found[0]["times"], "ALL"]
    print(f"{'p50 / p99 / CPU p50, ms':48}" + "".join(f" | {c[-20:]:>20}" for c in args.code))
    for name in names:
        row = f"{name:48}"
        for each in found:
            wall = each["times"].get(name) or [t for v in each["times"].values() for t in v]
            cpu = each["cpu"].get(name) or [t for v in each["cpu"].values() for t in v]
            row += (
                f" | {statistics.median(wall):6.1f} {p99(wall):6.1f} {statistics.median(cpu):5.1f}"
            )
        print(row)
    print("failed queries: " + ", ".join(str(each["failed"]) for each in found))


def _said(kid: subprocess.Popen[str], line: str | None = None) -> str:
    """What a query process answers (to `line`, if any)."""
    assert kid.stdin is not None
    assert kid.stdout is not None
    if line is not None:
        kid.stdin.write(f"{line}\n")
        kid.stdin.flush()
    return kid.stdout.readline().strip()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2])
    else:
        main()
