"""The statistics on PostgreSQL (or SQLite): rebuild rate, and query latency during writes.

1. Seeds cases over ten years in the order real work leaves them (receipts advance through the
   decade; each case's later steps interleave with other cases'), with corrections,
   re-routings, risk, extensions, withdrawals, referrals, follow-ups and judicial confirmation.
2. At 10,000 events, then at N (default 1,000,000): reads the whole notification log through the
   recorder (the baseline), rebuilds the statistics view from the first event beside the active
   one, and times statistics queries of one year (the last whole year, and this year to date)
   overall and per dimension, while another process writes commands from four threads and the
   view workers follow them (in another process on PostgreSQL, as `tongjie project` runs them;
   in this one on SQLite, as `tongjie serve` does).

    PYTHONPATH=. python benchmarks/bench_stats.py [--events 1000000] [--small 10000]
        [--rounds 20] [--page 5000] [--sqlite] [--keep-schemas PREFIX] [--seed-only]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from bench_board import (
    MEDIATORS,
    STREETS,
    _registration,
    line,
    raw_read,
    save_in_steps,
    schema,
    spawned,
    writing,
)

from api.bootstrap import build_application
from application.tongjie import Tongjie
from domain.case import Case
from domain.values import (
    Actor,
    Agreement,
    AgreementForm,
    Category,
    Fulfilment,
    Method,
    Outcome,
    Referral,
    RiskLevel,
    Role,
    Ruling,
)
from infrastructure.settings import Settings
from projections.stats.read import Filters
from projections.wiring import Views, build_views
from tests.world import make_world

SUPERVISOR = Actor(id="bench-boss", login="boss", role=Role.SUPERVISOR)
ZONE = ZoneInfo("Asia/Shanghai")
YEARS = 10
CHUNK = 400


# -- seeding: a decade of work, in the order it happened ------------------------------------


def _life(case: Case, rng: random.Random, at: datetime, now: datetime) -> Iterator[None]:
    """A case's steps after intake, one event per step, so the cases' events interleave."""

    def later(hours: int) -> datetime:
        nonlocal at
        at = min(at + timedelta(hours=rng.randrange(1, hours)), now)
        return at

    if rng.random() < 0.02:
        case.resolve(outcome=Outcome.WITHDRAWN, actor=SUPERVISOR, resolved_at=later(24))
        yield
        return
    if rng.random() < 0.05:
        case.correct_registration(
            reason="登记错误",
            changes={"street": rng.choice(STREETS)},
            actor=SUPERVISOR,
            corrected_at=later(24),
        )
        yield
    organisation, code = rng.choice(MEDIATORS)
    case.route(organisation=organisation, mediator=code, actor=SUPERVISOR, routed_at=later(48))
    yield
    if rng.random() < 0.05:  # re-routed before any session
        organisation, code = rng.choice(MEDIATORS)
        case.route(organisation=organisation, mediator=code, actor=SUPERVISOR, routed_at=later(48))
        yield
    mediator = Actor(id=f"user-{code}", login=code, role=Role.MEDIATOR, mediator=code)
    for _ in range(rng.choice((1, 1, 2, 3))):
        case.log_session(
            method=Method.IN_PERSON,
            attendees=["王", "赵"],
            notes="调解",
            actor=mediator,
            held_at=later(150),
        )
        yield
    if rng.random() < 0.2:
        level = rng.choice([RiskLevel.YELLOW, RiskLevel.ORANGE, RiskLevel.RED, RiskLevel.NONE])
        case.assess_risk(level=level, reason="研判", actor=SUPERVISOR, assessed_at=at)
        yield
    if rng.random() < 0.03 and case.due_at is not None:
        case.extend_deadline(
            new_due_at=case.due_at + timedelta(days=15),
            reason="双方同意",
            parties_consent=True,
            actor=mediator,
            extended_at=at,
        )
        yield
    if at > now - timedelta(days=25) and rng.random() < 0.6:
        return  # still open
    resolved = later(300)
    if rng.random() < 0.03:
        case.resolve(
            outcome=Outcome.NO_AGREEMENT,
            actor=mediator,
            resolved_at=resolved,
            referral=Referral.LITIGATION,
        )
        yield
        return
    form = AgreementForm.WRITTEN if rng.random() < 0.7 else AgreementForm.ORAL
    amount = Decimal(rng.randrange(100, 10**6)) / 100
    case.resolve(
        outcome=Outcome.AGREEMENT,
        actor=mediator,
        resolved_at=resolved,
        agreement=Agreement(form, "分期付款", amount),
    )
    yield
    if rng.random() < 0.5:
        fulfilment = rng.choice([Fulfilment.FULFILLED, Fulfilment.FULFILLED, Fulfilment.PARTIAL])
        case.record_follow_up(
            fulfilment=fulfilment, satisfaction=5, actor=mediator, visited_at=later(200)
        )
        yield
    if form is AgreementForm.WRITTEN and rng.random() < 0.1:
        applied = min(resolved + timedelta(days=3), now)
        case.record_judicial_confirmation(actor=mediator, applied_at=applied)
        yield
        case.record_judicial_confirmation(
            actor=mediator,
            ruling=Ruling.CONFIRMED,
            ruled_at=min(resolved + timedelta(days=20), now),
        )
        yield


def seed(
    app: Tongjie, events: int, rng: random.Random, share: int, of: int, years: float = YEARS
) -> int:
    """This process's chunks (every `of`-th, from `share`) of about `events` events in all."""
    now = datetime.now(UTC) - timedelta(hours=1)
    first = now - timedelta(days=365 * years)
    chunks = max(events // (CHUNK * 6), 1)  # about six events a case
    span = (now - first) / chunks
    receiver = Actor(id="user-m0", login="m0", role=Role.MEDIATOR, mediator="m0")
    written = 0
    for index in range(share, chunks, of):
        start = first + span * index
        times = sorted(start + span * rng.random() for _ in range(CHUNK))
        cases, lives = [], []
        for at in times:
            case = Case.receive(
                id=uuid.uuid4(),
                number=f"{at.year}-{uuid.uuid4().hex[:8]}",
                registration=_registration(rng),
                actor=receiver,
                received_at=at,
            )
            cases.append(case)
            lives.append(_life(case, rng, at, now))
        written += save_in_steps(app, cases, lives)
    return written


def _seed_process(url: str, events: int, seed_value: int, share: int, of: int) -> int:
    app = build_application(Settings(database_url=url))
    try:
        return seed(app, events, random.Random(seed_value), share, of)
    finally:
        app.close()


def seed_parallel(url: str, events: int, processes: int) -> tuple[int, float]:
    """About `events` events from `processes` processes: the events written, and per second."""
    start = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes) as pool:
        jobs = [
            pool.apply_async(_seed_process, (url, events, events + i, i, processes))
            for i in range(processes)
        ]
        written = sum(job.get() for job in jobs)
    return written, written / (time.perf_counter() - start)


# -- figures ------------------------------------------------------------------------------------


def rebuild(views: Views) -> float:
    head = int(views.engine.recorder.max_notification_id() or 0)
    start = time.perf_counter()
    built = views.engine.rebuild("stats")
    assert built is not None
    assert built.position >= head, built
    return built.position / (time.perf_counter() - start)


def vacuum(url: str) -> None:
    """VACUUM ANALYZE the statistics' tables, as autovacuum would: this server runs without it
    (`SHOW autovacuum` is off), and a rebuild leaves every updated row's old versions behind."""
    with psycopg.connect(url.split("?")[0], autocommit=True) as conn:
        schema_name = url.split("schema=")[1]
        rows = conn.execute(
            "SELECT tablename FROM pg_tables "
            "WHERE schemaname = %s AND tablename LIKE 'view_stats_%%'",
            (schema_name,),
        ).fetchall()
        for (table,) in rows:
            conn.execute(f'VACUUM ANALYZE "{schema_name}"."{table}"')


def queries(views: Views) -> dict[str, Callable[[], Any]]:
    """A dashboard's statistics of one year: the last whole year, and this year to date (to now
    at each query, as the API's default period: the cases written meanwhile are in it)."""
    today = datetime.now(ZONE).date()
    last = (_midnight(date(today.year - 1, 1, 1)), _midnight(date(today.year, 1, 1)))
    first = _midnight(date(today.year, 1, 1))
    stats, none = views.stats, Filters()
    found: dict[str, Callable[[], Any]] = {}

    def period(label: str) -> tuple[datetime, datetime]:
        return last if label == "last year" else (first, datetime.now(UTC))

    for label in ("last year", "this year"):
        found[f"{label}: summary"] = lambda p=label: stats.summary(*period(p), none)
        for by in ("category", "street", "organisation", "mediator", "channel", "month"):
            found[f"{label}: by {by}"] = lambda b=by, p=label: stats.by(b, *period(p), none)
    street = Filters(street=STREETS[3])
    found["this year: a street by month"] = lambda: stats.by("month", *period("this"), street)
    two = Filters(street=STREETS[3], category=Category.FAMILY.value)
    found["this year: street+category by mediator (facts)"] = lambda: stats.by(
        "mediator", *period("this"), two
    )
    return found


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=ZONE)


def latencies(views: Views, rounds: int) -> dict[str, list[float]]:
    named = queries(views)
    for query in named.values():
        query()  # warm
    times: dict[str, list[float]] = {name: [] for name in named}
    for _ in range(rounds):
        for name, query in named.items():
            start = time.perf_counter()
            query()
            times[name].append((time.perf_counter() - start) * 1000)
    return times


def _project(url: str, started: Any, stop: Any) -> None:
    """In a process of its own, as `tongjie project`: the view workers until `stop` is set."""
    settings = Settings(database_url=url)
    app = build_application(settings)
    views = build_views(settings, app)
    views.start(workers=True)
    started.set()
    stop.wait()
    views.close()
    app.close()


@contextmanager
def projecting(url: str, views: Views, postgres: bool) -> Iterator[None]:
    """The view workers meanwhile: another process on PostgreSQL (`tongjie project`), this one
    on SQLite (`tongjie serve` runs them in-process)."""
    if not postgres:
        views.start(workers=True)
        yield
        return
    with spawned(_project, url):
        yield


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(int(len(ordered) * 0.99) - 1, 0)]


@contextmanager
def store(args: argparse.Namespace, label: str) -> Iterator[str]:
    if args.sqlite:
        folder = args.keep_dir or tempfile.mkdtemp(prefix="bench_stats_")
        yield f"sqlite:///{os.path.join(folder, f'{label}.db')}"
        return
    keep = f"{args.keep_schemas}_{label}" if args.keep_schemas else None
    with schema(keep) as url:
        yield url


def measure(url: str, args: argparse.Namespace, target: int, small: float | None) -> float:
    settings = Settings(database_url=url)
    app = build_application(settings)
    world = make_world(app) if not app.reference.streets() else None
    have = int(app.store.recorder.max_notification_id() or 0)
    if target - have > target // 100:  # a kept store a few events short is the same size
        written, rate = seed_parallel(url, target - have, 1 if args.sqlite else args.seeders)
        print(f"-- seeded {written:,} events at {rate:,.0f} events/s", flush=True)
    if args.seed_only:
        app.close()
        return 0.0
    actor = world.mediator if world else app.users.authenticate(app.users.rotate("zhang").token)
    views = build_views(settings, app, page_size=args.page)
    try:
        read, count = raw_read(app, args.page)
        built = rebuild(views)
        if not args.sqlite:
            vacuum(url)
        line(
            f"raw log read @{count:,} (pages of {args.page})",
            read,
            "events/s",
            165_000,
            "of the library's read (perf.md)",
        )
        line(f"stats rebuild @{count:,}", built, "events/s", read, "of the raw read (bar 0.3x)")
        line(f"stats rebuild @{count:,} vs the bar", built, "events/s", 50_000, "of 50,000")
        with projecting(url, views, not args.sqlite), writing([(url, actor)]):
            times = latencies(views, args.rounds)
        every = [t for values in times.values() for t in values]
        for name, values in times.items():
            line(f"  {name} p50", statistics.median(values), "ms", None)
            line(f"  {name} p99", p99(values), "ms", None)
        line(f"stats query p50 @{count:,} (during writes)", statistics.median(every), "ms", None)
        base = ("of 20 ms", 20.0) if small is None else ("of the small store's p99", small)
        line(f"stats query p99 @{count:,} (during writes)", p99(every), "ms", base[1], base[0])
        return p99(every)
    finally:
        views.close()
        app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=20, help="rounds of the 16 queries")
    parser.add_argument(
        "--page", type=int, default=5000, help="notifications per batch (the engine's default)"
    )
    parser.add_argument("--seeders", type=int, default=2, help="processes that seed events")
    parser.add_argument("--sqlite", action="store_true", help="SQLite files instead")
    parser.add_argument("--keep-schemas", metavar="PREFIX", help="seed into (or reuse) schemas")
    parser.add_argument("--keep-dir", help="SQLite: seed into (or reuse) files in this folder")
    parser.add_argument("--seed-only", action="store_true", help="seed, measure nothing")
    args = parser.parse_args()
    kind = "SQLite" if args.sqlite else "PostgreSQL"
    load = os.getloadavg()[0]
    print(
        f"# bench_stats {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {kind}, {platform.machine()}, "
        f"{os.cpu_count()} cores, load {load:.1f}",
        flush=True,
    )
    small: float | None = None
    for label, target in (("small", args.small), ("large", args.events)):
        with store(args, label) as url:
            figure = measure(url, args, target, small)
        small = small if small is not None else figure


if __name__ == "__main__":
    main()
