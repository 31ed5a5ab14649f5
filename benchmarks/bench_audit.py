"""The audit's speed against its baselines, measured in the same run (docs/benchmarks.md).

1. A case of 1,000 events: its history with the verification of its chain (one read of its
   stored rows, each decoded and its hash recomputed) against a full replay of the same case
   from its first event, without a snapshot. Bar: at most 1.5 x.
2. The whole store: verification (every event's hash recomputed, every case chain and the
   store chain checked) in events/s, against reading the same notification log in pages of
   1,000 through the library's recorder. Bar: at least 0.5 x.

    python benchmarks/bench_audit.py [--events 100000] [--case-events 1000] [--sqlite]

Each figure is one line: its name, value, the baseline and the ratio. PostgreSQL by default
(a fresh schema, dropped after); `--sqlite` measures a temporary SQLite file instead.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import psycopg

from api.bootstrap import build_application
from application.tongjie import Tongjie
from domain.case import Case
from domain.values import (
    Actor,
    Category,
    Channel,
    Method,
    Party,
    PartyRole,
    Registration,
    Role,
)
from infrastructure.settings import Settings

URL = os.environ.get("TONGJIE_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
MEDIATOR = Actor(id="bench-m1", login="zhang", role=Role.MEDIATOR, mediator="m1")
SUPERVISOR = Actor(id="bench-boss", login="boss", role=Role.SUPERVISOR)
REGISTRATION = Registration(
    category=Category.FAMILY,
    subcategory="neighbour",
    street="东湖街道",
    channel=Channel.WALK_IN,
    summary="楼上漏水引发邻里纠纷",
    parties=(
        Party(PartyRole.APPLICANT, "王小明", "13800000000", "110101199001010011"),
        Party(PartyRole.RESPONDENT, "赵大海"),
    ),
    claim_amount=Decimal("1200.00"),
)


def line(name: str, value: float, unit: str, baseline: float, base: str, bar: str) -> None:
    print(
        f"{name:<40} {value:>12,.1f} {unit:<9} baseline {baseline:>12,.1f}  "
        f"{value / baseline:5.2f}x {base} ({bar})",
        flush=True,
    )


@contextmanager
def store(sqlite: bool) -> Iterator[Tongjie]:
    if sqlite:
        with tempfile.TemporaryDirectory() as folder:
            app = build_application(Settings(database_url=f"sqlite:///{folder}/bench.db"))
            try:
                yield app
            finally:
                app.close()
        return
    name = f"bench_audit_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    app = build_application(Settings(database_url=f"{URL}?schema={name}"))
    try:
        yield app
    finally:
        app.close()
        with psycopg.connect(URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {name} CASCADE")


def case_of(events: int, serial: int) -> Case:
    """A case with `events` events, built by its own commands (its rules checked)."""
    start = datetime.now(UTC) - timedelta(days=5)
    case = Case.receive(
        id=uuid.uuid4(),
        number=f"2026-{serial:06d}",
        registration=REGISTRATION,
        actor=MEDIATOR,
        received_at=start,
    )
    case.route(organisation="room-1", mediator="m1", actor=SUPERVISOR, routed_at=start)
    for i in range(events - 2):
        case.log_session(
            method=Method.PHONE,
            attendees=["王小明", "赵大海"],
            notes=f"第{i + 1}次电话调解，双方同意继续协商维修费用的分担",
            actor=MEDIATOR,
            held_at=start + timedelta(seconds=i + 1),
        )
    return case


def fill(app: Tongjie, events: int, per_case: int = 10, per_save: int = 100) -> None:
    """Store `events` events: cases of `per_case` events, `per_save` cases a transaction."""
    serial = 0
    while serial * per_case < events:
        batch = [case_of(per_case, serial + i) for i in range(per_save)]
        serial += per_save
        app.store.save(*batch)


def best_rate(fn: Callable[[], int], repeat: int) -> float:
    """The best of `repeat` runs, in items per second (the least disturbed by neighbours)."""
    rates = []
    for _ in range(repeat):
        started = time.perf_counter()
        count = fn()
        rates.append(count / (time.perf_counter() - started))
    return max(rates)


def median_ms(fn: Callable[[], Any], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def read_log(app: Tongjie) -> int:
    """The baseline: the notification log in pages of 1,000, as the library reads it."""
    recorder = app.store.recorder
    count, start = 0, 1
    while True:
        page = recorder.select_notifications(start, 1000)
        count += len(page)
        if len(page) < 1000:
            return count
        start = page[-1].id + 1


def verify_store(app: Tongjie) -> int:
    result = app.audit.verify_store()
    assert result.valid, result.invalid[:3]
    return result.events_checked


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--case-events", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sqlite", action="store_true")
    args = parser.parse_args()
    kind = "SQLite" if args.sqlite else "PostgreSQL"
    print(
        f"# bench_audit {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {kind}, {platform.machine()}, "
        f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    with store(args.sqlite) as app:
        long = case_of(args.case_events, 999_999)
        app.store.save(long)
        n = args.case_events
        for _ in range(2):  # warm both paths
            app.audit.verified_history(long.id)
            app.reads.at_version(long.id, n)
        replay = verified = two_calls = 0.0
        replays, verifieds, twos = [], [], []
        for _ in range(args.repeat):  # interleaved, so drift hits both alike
            replays.append(median_ms(lambda: app.reads.at_version(long.id, n), 3))
            verifieds.append(median_ms(lambda: app.audit.verified_history(long.id), 3))
            twos.append(
                median_ms(lambda: (app.reads.history(long.id), app.audit.verify_case(long.id)), 3)
            )
        replay, verified = statistics.median(replays), statistics.median(verifieds)
        two_calls = statistics.median(twos)
        line(
            f"case history + verify, {n} events",
            verified,
            "ms",
            replay,
            "of full replay",
            "bar <= 1.5x",
        )
        line(
            f"  as /history + /verify, {n} events",
            two_calls,
            "ms",
            replay,
            "of full replay",
            "two reads",
        )

        started = time.perf_counter()
        fill(app, args.events)
        total = app.store.recorder.max_notification_id() or 0
        seeded = total / (time.perf_counter() - started)
        print(f"# {total:,} events stored (seeded at {seeded:,.0f} events/s)", flush=True)
        raw = verify = 0.0
        for _ in range(args.repeat):  # interleaved again; the best of each
            raw = max(raw, best_rate(lambda: read_log(app), 1))
            verify = max(verify, best_rate(lambda: verify_store(app), 1))
        line("whole-store verification", verify, "events/s", raw, "of raw log read", "bar >= 0.5x")


if __name__ == "__main__":
    main()
