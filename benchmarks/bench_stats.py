"""The statistics on PostgreSQL (or SQLite): rebuild rate, and query latency during writes.

1. Seeds cases in the order real work leaves them (receipts advance through the history; each
   case's later steps interleave with other cases'), with corrections, re-routings, risk,
   extensions, withdrawals, referrals, follow-ups and judicial confirmation: the large store N
   events over ten years, the small one 10,000 events at the same cases a day (the same
   district's last weeks; `--small-years` to spread them otherwise). The two differ in their
   history, not in the work in hand: the same mediators, streets and open cases answer.
2. At 10,000 events, then at N (default 1,000,000): reads the whole notification log through the
   recorder (the baseline), rebuilds the statistics view from the first event beside the active
   one.
3. Times statistics queries of one year (the last whole year, and this year to date) overall
   and per dimension, of both stores in alternate rounds (so that both share the same minutes
   of the neighbours' load), while another process writes commands into each store from two
   threads and the view workers follow them (in another process on PostgreSQL, as `tongjie
   project` runs them; in this one on SQLite, as `tongjie serve` does). This process collects
   its garbage as the API's processes do (`api.app.GC_THRESHOLDS`): on SQLite it holds the
   view workers' heap, and the default thresholds' full collections (up to 90 ms) made the p99.

    PYTHONPATH=. python benchmarks/bench_stats.py [--events 1000000] [--small 10000]
        [--rounds 60] [--page 5000] [--sqlite] [--keep-schemas PREFIX] [--seed-only]
        [--small-years YEARS]
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing
import os
import platform
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass
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
    worker_process,
    writing,
)

from api.app import GC_THRESHOLDS
from api.bootstrap import build_application, build_views
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
from projections.stats.facts import DIMENSIONS
from projections.stats.read import Filters
from projections.views import Views
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
                number=f"{at.year}-{uuid.uuid4().hex[:16]}",  # 8 digits: a number twice in 167,000
                registration=_registration(rng),
                actor=receiver,
                received_at=at,
            )
            cases.append(case)
            lives.append(_life(case, rng, at, now))
        written += save_in_steps(app, cases, lives)
    return written


def _seed_process(url: str, events: int, seed_value: int, share: int, of: int, years: float) -> int:
    app = build_application(Settings(database_url=url))
    try:
        return seed(app, events, random.Random(seed_value), share, of, years)
    finally:
        app.close()


def seed_parallel(url: str, events: int, processes: int, years: float = YEARS) -> tuple[int, float]:
    """About `events` events over the last `years` from `processes` processes: the events
    written, and per second."""
    start = time.perf_counter()
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes) as pool:
        jobs = [
            pool.apply_async(_seed_process, (url, events, events + i, i, processes, years))
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
        for by in (*DIMENSIONS, "month", "week"):
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


def latencies(
    stores: list[Views], rounds: int
) -> tuple[list[dict[str, list[float]]], list[list[float]]]:
    """Each store's queries, timed in alternate rounds: the stores share the same minutes, so
    the neighbours' load weighs on each alike. Beside each wall-clock time, the querying
    thread's CPU time: what the query itself cost, which waiting for a core does not add to."""
    named = [queries(views) for views in stores]
    for query in (q for each in named for q in each.values()):
        query()  # warm
    times: list[dict[str, list[float]]] = [{name: [] for name in each} for each in named]
    cpu: list[list[float]] = [[] for _ in named]
    for _ in range(rounds):
        for own, own_cpu, each in zip(times, cpu, named, strict=True):
            for name, query in each.items():
                start, start_cpu = time.perf_counter(), time.thread_time()
                query()
                own[name].append((time.perf_counter() - start) * 1000)
                own_cpu.append((time.thread_time() - start_cpu) * 1000)
    return times, cpu


@contextmanager
def projecting(urls: list[str], stores: list[Views], postgres: bool) -> Iterator[None]:
    """The view workers meanwhile: another process on PostgreSQL (`tongjie project`), this one
    on SQLite (`tongjie serve` runs them in-process)."""
    if not postgres:
        for views in stores:
            views.start(workers=True)
        yield
        return
    with worker_process(urls, pool_size=Settings().pool_size):
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


@dataclass
class Sized:
    """One seeded store with its statistics rebuilt, for the query timing."""

    url: str
    actor: Actor
    count: int


def measure(url: str, args: argparse.Namespace, target: int, years: float) -> Sized | None:
    """Seed up to `target` events over the last `years`, then the raw read and the rebuild."""
    settings = Settings(database_url=url)
    app = build_application(settings)
    world = make_world(app) if not app.reference.streets() else None
    have = int(app.store.recorder.max_notification_id() or 0)
    if target - have > target // 100:  # a kept store a few events short is the same size
        seeders = 1 if args.sqlite else args.seeders
        written, rate = seed_parallel(url, target - have, seeders, years)
        print(f"-- seeded {written:,} events at {rate:,.0f} events/s", flush=True)
    if args.seed_only:
        app.close()
        return None
    actor = world.mediator if world else app.users.authenticate(app.users.rotate("zhang").token)
    views = build_views(settings, app, page_size=args.page)
    try:
        read, count = raw_read(app, args.page)
        built = rebuild(views)
    finally:
        views.close()
        app.close()
    if not args.sqlite:
        vacuum(url)
    base = "of the library's read (baselines)"
    line(f"raw log read @{count:,} (pages of {args.page})", read, "events/s", 165_000, base)
    line(f"stats rebuild @{count:,}", built, "events/s", read, "of the raw read (bar 0.3x)")
    line(f"stats rebuild @{count:,} vs the bar", built, "events/s", 50_000, "of 50,000")
    return Sized(url, actor, count)


def query_latencies(sizes: list[Sized], rounds: int, postgres: bool) -> None:
    """The queries of both stores in alternate rounds while another process writes commands
    into each (two threads each) and the view workers follow them; this process's garbage
    collector set as in the API's."""
    gc.set_threshold(*GC_THRESHOLDS)
    with ExitStack() as running:
        stores = []
        for sized in sizes:
            settings = Settings(database_url=sized.url)
            app = running.enter_context(closing(build_application(settings)))
            views = build_views(settings, app, page_size=5000)
            running.callback(views.close)
            stores.append(views)
        urls = [sized.url for sized in sizes]
        running.enter_context(projecting(urls, stores, postgres))
        running.enter_context(writing([(sized.url, sized.actor) for sized in sizes], threads=2))
        times, cpu = latencies(stores, rounds)
    for sized, own in zip(sizes, times, strict=True):
        for name, values in own.items():
            line(f"  @{sized.count:,} {name} p50", statistics.median(values), "ms", None)
            line(f"  @{sized.count:,} {name} p99", p99(values), "ms", None)
    every = [[t for values in own.values() for t in values] for own in times]
    for sized, values in zip(sizes, every, strict=True):
        during = f"@{sized.count:,} (during writes)"
        line(f"stats query p50 {during}", statistics.median(values), "ms", None)
        line(f"stats query p99 {during}", p99(values), "ms", 20.0, "of 20 ms")
    for sized, values, own_cpu in zip(sizes, every, cpu, strict=True):
        during = f"@{sized.count:,} (during writes)"
        line(f"  the querying thread's CPU p50 {during}", statistics.median(own_cpu), "ms", None)
        line(f"  the querying thread's CPU p99 {during}", p99(own_cpu), "ms", p99(values),
             "of the wall-clock p99")  # fmt: skip
    if len(sizes) == 2:
        small, large = (p99(values) for values in every)
        during = f"@{sizes[1].count:,} vs small"
        line(f"stats query p99 {during}", large, "ms", small, "of the small store's p99")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=60, help="rounds of the 16 queries")
    parser.add_argument(
        "--page", type=int, default=5000, help="notifications per batch (the engine's default)"
    )
    parser.add_argument("--seeders", type=int, default=2, help="processes that seed events")
    parser.add_argument("--sqlite", action="store_true", help="SQLite files instead")
    parser.add_argument("--keep-schemas", metavar="PREFIX", help="seed into (or reuse) schemas")
    parser.add_argument("--keep-dir", help="SQLite: seed into (or reuse) files in this folder")
    parser.add_argument("--seed-only", action="store_true", help="seed, measure nothing")
    parser.add_argument(
        "--small-years",
        type=float,
        help="the small store's history in years (default: the large store's cases a day, "
        "so the small store is the same district's last weeks)",
    )
    args = parser.parse_args()
    young = args.small_years is None or args.small_years < YEARS
    small_years = args.small_years or YEARS * args.small / args.events
    kind = "SQLite" if args.sqlite else "PostgreSQL"
    load = os.getloadavg()[0]
    print(
        f"# bench_stats {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {kind}, {platform.machine()}, "
        f"{os.cpu_count()} cores, load {load:.1f}",
        flush=True,
    )
    print(
        f"-- the small store: {args.small:,} events over {small_years * 365.25:,.0f} days; "
        f"the large one: {args.events:,} over {YEARS} years",
        flush=True,
    )
    stores = (
        ("young" if young else "small", args.small, small_years),
        ("large", args.events, YEARS),
    )
    with ExitStack() as kept:
        sizes = []
        for label, target, years in stores:
            sized = measure(kept.enter_context(store(args, label)), args, target, years)
            if sized is not None:
                sizes.append(sized)
        if sizes:
            print("-- queries of both stores in alternate rounds", flush=True)
            query_latencies(sizes, args.rounds, postgres=not args.sqlite)


if __name__ == "__main__":
    main()
