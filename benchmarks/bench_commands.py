"""Commands/s through the use cases on PostgreSQL, and the load of a 1,000-event case.

In-process (no HTTP): 32 threads log sessions on 1,000 cases for a fixed time, first through the
library's stock PostgreSQL recorder, then through ours (group commit, hash chains), with raw
psycopg commits measured in the same run as the baseline. Then a case of 1,000 events is loaded:
current state (cache and snapshots) and a full replay from its first event.

    python benchmarks/bench_commands.py [--seconds 10] [--threads 32] [--cases 1000]
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import psycopg

from api.bootstrap import build_application, recorder_ports
from application.tongjie import Tongjie
from domain.values import Method
from infrastructure.settings import Settings
from tests.world import make_world, registration

URL = "postgresql://postgres@127.0.0.1:5432/test"


def line(name: str, value: float, unit: str, baseline: float | None = None, base: str = "") -> None:
    ratio = f"{value / baseline:6.2f}x {base}" if baseline else ""
    shown = f"{baseline:,.1f}" if baseline else "-"
    print(f"{name:<48} {value:>12,.1f} {unit:<10} baseline {shown:>10}  {ratio}")


@contextmanager
def schema() -> Iterator[str]:
    name = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    try:
        yield f"{URL}?schema={name}"
    finally:
        with psycopg.connect(URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {name} CASCADE")


def raw_commits(seconds: float) -> float:
    with psycopg.connect(URL) as conn:
        conn.execute("CREATE TEMP TABLE raw_bench (id bigserial primary key, body text)")
        conn.commit()
        count, end = 0, time.perf_counter() + seconds
        while time.perf_counter() < end:
            conn.execute("INSERT INTO raw_bench (body) VALUES ('x')")
            conn.commit()
            count += 1
    return count / seconds


def build(url: str, stock: bool) -> Tongjie:
    settings = Settings(database_url=url, pool_size=40)
    env = settings.persistence_env()
    if stock:
        env["PERSISTENCE_MODULE"] = "eventsourcing.postgres"
    from infrastructure.transcodings import domain_transcodings

    return Tongjie(env, domain_transcodings(), settings.zone, ports_for=recorder_ports)


def throughput(
    url: str, *, stock: bool, seconds: float, threads: int, cases: int
) -> tuple[float, float]:
    app = build(url, stock)
    try:
        world = make_world(app)
        ids = []
        for _ in range(cases):
            case = app.cases.receive(actor=world.mediator, registration=registration())
            app.cases.route(case.id, actor=world.supervisor, organisation="room-1", mediator="m1")
            ids.append(case.id)
        done: list[int] = [0] * threads
        latencies: list[float] = []
        lock = threading.Lock()
        stop = time.perf_counter() + seconds

        def worker(index: int) -> None:
            mine: list[float] = []
            n = index
            while time.perf_counter() < stop:
                started = time.perf_counter()
                app.cases.log_session(
                    ids[n % len(ids)],
                    actor=world.mediator,
                    method=Method.PHONE,
                    attendees=["甲", "乙"],
                    notes="电话调解",
                )
                mine.append(time.perf_counter() - started)
                done[index] += 1
                n += threads
            with lock:
                latencies.extend(mine)

        pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
        started = time.perf_counter()
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        elapsed = time.perf_counter() - started
        latencies.sort()
        p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000 if latencies else 0.0
        return sum(done) / elapsed, p99
    finally:
        app.close()


def timed(fn: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def long_case(url: str, events: int) -> None:
    app = build_application(Settings(database_url=url))
    try:
        world = make_world(app)
        start = datetime.now(UTC) - timedelta(days=2)
        case = app.cases.receive(
            actor=world.mediator, registration=registration(), received_at=start
        )
        app.cases.route(
            case.id, actor=world.supervisor, organisation="room-1", mediator="m1", routed_at=start
        )
        for i in range(events - 2):
            app.cases.log_session(
                case.id,
                actor=world.mediator,
                method=Method.PHONE,
                attendees=["甲"],
                notes=f"第{i}次",
                held_at=start + timedelta(seconds=i),
            )
        cached = timed(lambda: app.reads.current(case.id), 50)
        uncached = build_application(Settings(database_url=url, aggregate_cache_size=0))
        try:
            snapshot = timed(lambda: uncached.reads.current(case.id), 20)
        finally:
            uncached.close()
        replay = timed(lambda: app.reads.at_version(case.id, events), 10)
        line(f"load {events}-event case, current (cached)", cached, "ms", replay, "of full replay")
        line(
            f"load {events}-event case, current (snapshot)",
            snapshot,
            "ms",
            11.0,
            "of Emmett's 11 ms",
        )
        line(f"load {events}-event case, full replay", replay, "ms")
    finally:
        app.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--events", type=int, default=1000)
    args = parser.parse_args()
    print(
        f"# bench_commands {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {args.threads} threads, "
        f"{args.cases} cases, {args.seconds:.0f} s each"
    )
    raw = raw_commits(3)
    line("raw psycopg INSERT+COMMIT, 1 connection", raw, "commits/s")
    with schema() as url:
        stock, stock_p99 = throughput(
            url, stock=True, seconds=args.seconds, threads=args.threads, cases=args.cases
        )
    line("stock eventsourcing recorder, log session", stock, "cmds/s", raw, "of raw commits")
    with schema() as url:
        ours, ours_p99 = throughput(
            url, stock=False, seconds=args.seconds, threads=args.threads, cases=args.cases
        )
    line("Tongjie recorder (group commit), log session", ours, "cmds/s", stock, "of stock")
    line("  same, against raw commits", ours, "cmds/s", raw, "of raw commits")
    line("stock p99 latency", stock_p99, "ms")
    line("Tongjie p99 latency", ours_p99, "ms", stock_p99, "of stock")
    with schema() as url:
        long_case(url, args.events)


if __name__ == "__main__":
    main()
