"""Write-path throughput on PostgreSQL, in-process (no HTTP), each figure beside its baseline.

Prints one line per figure: name, value, baseline, ratio. Baselines are measured in the same
run on the same machine (docs/benchmarks.md, "The bars"): raw psycopg commits, then the
library's stock recorder, then ours. Every phase runs in a fresh schema, dropped afterwards.

    python benchmarks/bench_write_path.py [--seconds 5] [--threads 32]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg
from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.postgres import PostgresFactory

from infrastructure.eventstore.postgres import Factory as TongjieFactory

URL = os.environ.get("TONGJIE_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def env(schema: str, threads: int) -> dict[str, str]:
    info = psycopg.conninfo.conninfo_to_dict(URL)
    return {
        "POSTGRES_DBNAME": str(info.get("dbname", "test")),
        "POSTGRES_HOST": str(info.get("host", "127.0.0.1")),
        "POSTGRES_PORT": str(info.get("port", "5432")),
        "POSTGRES_USER": str(info.get("user", "postgres")),
        "POSTGRES_PASSWORD": str(info.get("password", "")),
        "POSTGRES_SCHEMA": schema,
        "POSTGRES_POOL_SIZE": str(threads + 2),  # the stock recorder needs one per thread
        "POSTGRES_MAX_OVERFLOW": "0",
    }


@contextmanager
def fresh_schema() -> Iterator[str]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}".encode())
    try:
        yield schema
    finally:
        with psycopg.connect(URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE".encode())


def run_threads(threads: int, seconds: float, work: Callable[[random.Random], None]) -> float:
    """Call `work` in a loop from every thread for `seconds`; return calls per second."""
    stop = threading.Event()
    counts = [0] * threads
    errors: list[BaseException] = []

    def loop(n: int) -> None:
        rng = random.Random(n)
        try:
            while not stop.is_set():
                work(rng)
                counts[n] += 1
        except BaseException as error:
            errors.append(error)

    pool = [threading.Thread(target=loop, args=(n,)) for n in range(threads)]
    started = time.perf_counter()
    for thread in pool:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return sum(counts) / elapsed


def raw_commits(seconds: float) -> float:
    with fresh_schema() as schema, psycopg.connect(URL) as conn:
        conn.execute(f"CREATE TABLE {schema}.t (id bigserial PRIMARY KEY, data bytea)".encode())
        conn.commit()
        insert = f"INSERT INTO {schema}.t (data) VALUES (%s)".encode()
        count, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            conn.execute(insert, (b"state",))
            conn.commit()
            count += 1
        return count / (time.perf_counter() - started)


def new_case_commands(factory_class: Any, threads: int, seconds: float) -> float:
    """1-event commands, each on a new case: pure write throughput."""
    with fresh_schema() as schema:
        factory = factory_class(env(schema, threads))
        recorder = factory.application_recorder()

        def work(_: random.Random) -> None:
            recorder.insert_events([StoredEvent(uuid.uuid4(), 1, "bench.Opened", b"{}")])

        try:
            run_threads(threads, 1.0, work)  # warm up: connections, prepared statements
            return run_threads(threads, seconds, work)
        finally:
            factory.close()


def next_version_commands(factory_class: Any, threads: int, seconds: float) -> float:
    """Read a case's last version and append the next, on 1,000 cases; retry on conflict."""
    with fresh_schema() as schema:
        factory = factory_class(env(schema, threads))
        recorder = factory.application_recorder()
        cases = [uuid.uuid4() for _ in range(1000)]

        def work(rng: random.Random) -> None:
            case_id = rng.choice(cases)
            while True:
                last = recorder.select_events(case_id, desc=True, limit=1)
                version = last[0].originator_version + 1 if last else 1
                try:
                    recorder.insert_events([StoredEvent(case_id, version, "bench.Noted", b"{}")])
                except IntegrityError:
                    continue
                return

        try:
            run_threads(threads, 1.0, work)
            return run_threads(threads, seconds, work)
        finally:
            factory.close()


def line(name: str, value: float, baseline_name: str, baseline: float) -> None:
    ratio = value / baseline if baseline else float("nan")
    print(
        f"{name:<52} {value:>10,.0f}/s   baseline {baseline_name} {baseline:>9,.0f}/s   "
        f"ratio {ratio:5.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=32)
    args = parser.parse_args()
    seconds, threads = args.seconds, args.threads

    raw = raw_commits(seconds)
    line(
        "raw psycopg one-row INSERT+COMMIT, 1 connection",
        raw,
        "the baselines (~3,500-4,700)",
        4100,
    )
    stock = new_case_commands(PostgresFactory, threads, seconds)
    line(f"stock recorder, 1-event commands, {threads} threads", stock, "raw commits", raw)
    ours = new_case_commands(TongjieFactory, threads, seconds)
    line(f"tongjie recorder, 1-event commands, {threads} threads", ours, "stock recorder", stock)
    line(f"tongjie recorder, 1-event commands, {threads} threads", ours, "raw commits", raw)
    stock_rw = next_version_commands(PostgresFactory, threads, seconds)
    line(f"stock recorder, read+append, 1,000 cases, {threads} thr", stock_rw, "raw commits", raw)
    ours_rw = next_version_commands(TongjieFactory, threads, seconds)
    line(
        f"tongjie recorder, read+append, 1,000 cases, {threads} thr",
        ours_rw,
        "stock recorder",
        stock_rw,
    )


if __name__ == "__main__":
    main()
