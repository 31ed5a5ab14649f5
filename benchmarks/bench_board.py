"""The board on PostgreSQL: rebuild speed beside the raw log read, query latency, view lag.

1. Seeds cases straight through the aggregate and batched saves of many cases (events of a case
   interleaved with other cases', as real work leaves them): the large store N events over ten
   years; the small one 10,000 events at the same cases a day, so the same district's last
   weeks (`--small-days` to spread them otherwise). The two differ in their history, not in
   the work in hand: the same open cases, mediators and streets, so the same pages answer.
2. At 10,000 events, then at N (default 1,000,000): reads the whole notification log through
   the recorder just before and just after rebuilding the board from the first event (the
   baseline is their mean), then the view lag: commands written by several threads while the
   engine runs; time from a command's return to the board having applied it.
3. Board pages (filters of the last twelve months, `q`, a mediator's reach, a second page) of
   both sizes in alternate rounds, so that both share the same minutes of the neighbours'
   load, while each store takes commands and each board's worker applies them, each in a
   process of its own as in production on PostgreSQL (API processes only read the views;
   `tongjie project` keeps them).

    python benchmarks/bench_board.py [--events 1000000] [--queries 100] [--lag-seconds 10]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import psycopg

from api.bootstrap import build_application, build_views
from application.tongjie import Tongjie
from domain.case import Case
from domain.values import (
    Actor,
    Agreement,
    AgreementForm,
    Category,
    Channel,
    Fulfilment,
    Method,
    Outcome,
    Party,
    PartyRole,
    Registration,
    RiskLevel,
    Role,
)
from infrastructure.settings import Settings
from projections.board.page import BoardFilter, Reach
from projections.views import Views
from tests.world import World, make_world, registration

URL = "postgresql://postgres@127.0.0.1:5432/test"
DAYS = 3650.0
"""The large store's history: ten years."""
STREETS = [f"街道{i:02d}" for i in range(16)]
MEDIATORS = [(f"org-{i % 40}", f"m{i}") for i in range(300)]
PLACES = [
    f"{name}小区{n}栋" for name in ("东湖", "西山", "南岸", "北城", "金桥") for n in range(1, 9)
]
ISSUES = [
    "楼上漏水",
    "物业费拖欠",
    "劳务报酬争议",
    "遗产继承分配",
    "停车位占用",
    "噪音扰民",
    "装修损坏",
    "借款未还",
    "租金拖欠",
    "赡养费争议",
    "宠物伤人",
    "房屋买卖违约",
    "彩礼返还",
    "相邻通行",
    "网购退款",
    "工伤赔偿",
    "电梯维修费",
    "绿化占地",
    "高空抛物",
    "养老保险",
    "合伙散伙",
    "抚养权",
    "宅基地界址",
    "拖欠货款",
]
SMALL_POOL = 3
"""Connections per pool of the processes beside the queries: the server's 100 are shared."""
SUPERVISOR = Actor(id="bench-boss", login="boss", role=Role.SUPERVISOR)


def line(name: str, value: float, unit: str, baseline: float | None, base: str = "") -> None:
    ratio = f"{value / baseline:6.2f}x {base}" if baseline else ""
    shown = f"{baseline:,.1f}" if baseline else "-"
    print(f"{name:<44} {value:>12,.1f} {unit:<9} baseline {shown:>10}  {ratio}", flush=True)


@contextmanager
def schema(keep: str | None) -> Iterator[str]:
    """A fresh schema dropped afterwards; or `keep`, made if missing and kept for the next run."""
    name = keep or f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {name}")
    try:
        yield f"{URL}?schema={name}"
    finally:
        if keep is None:
            with psycopg.connect(URL, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA {name} CASCADE")


# -- seeding ---------------------------------------------------------------------------------


def _registration(rng: random.Random) -> Registration:
    return Registration(
        category=rng.choice(list(Category)),
        subcategory=None,
        street=rng.choice(STREETS),
        channel=rng.choice(list(Channel)),
        summary=f"{rng.choice(PLACES)}{rng.choice(ISSUES)}纠纷，第{rng.randrange(10**4)}号",
        parties=(Party(PartyRole.APPLICANT, "王"), Party(PartyRole.RESPONDENT, "赵")),
        claim_amount=Decimal(rng.randrange(100, 100000)),
    )


def _steps(case: Case, rng: random.Random, at: datetime, now: datetime) -> Iterator[None]:
    """A case's life after intake, one event per step, so rounds interleave the cases."""
    organisation, code = rng.choice(MEDIATORS)
    mediator = Actor(id=f"user-{code}", login=code, role=Role.MEDIATOR, mediator=code)
    at = min(at + timedelta(hours=rng.randrange(1, 48)), now)
    case.route(organisation=organisation, mediator=code, actor=SUPERVISOR, routed_at=at)
    yield
    for _ in range(rng.choice((1, 1, 2, 3))):
        at = min(at + timedelta(hours=rng.randrange(1, 200)), now)
        case.log_session(
            method=Method.IN_PERSON,
            attendees=["王", "赵"],
            notes="调解",
            actor=mediator,
            held_at=at,
        )
        yield
    if rng.random() < 0.3:
        case.assess_risk(
            level=rng.choice(list(RiskLevel)), reason="研判", actor=SUPERVISOR, assessed_at=at
        )
        yield
    if at > now - timedelta(days=20) and rng.random() < 0.5:
        return  # still open
    at = min(at + timedelta(hours=rng.randrange(1, 300)), now)
    case.resolve(
        outcome=Outcome.AGREEMENT,
        actor=mediator,
        resolved_at=at,
        agreement=Agreement(AgreementForm.WRITTEN, "分期付款", Decimal(500)),
    )
    yield
    case.record_follow_up(
        fulfilment=Fulfilment.FULFILLED, satisfaction=5, actor=mediator, visited_at=at
    )
    yield


def seed(app: Tongjie, events: int, rng: random.Random, prefix: str, days: float = DAYS) -> int:
    """Add cases of about `events` events in all, received over the last `days`; answer how
    many."""
    now = datetime.now(UTC) - timedelta(hours=1)
    receiver = Actor(id="user-m0", login="m0", role=Role.MEDIATOR, mediator="m0")
    written = 0
    serial = 0
    chunk = max(20, min(800, events // 24))  # ~6 events a case: overshoot by 1/4 at most
    while written < events:
        cases, lives = [], []
        for _ in range(chunk):
            serial += 1
            received = now - timedelta(days=rng.random() * days)
            case = Case.receive(
                id=uuid.uuid4(),
                number=f"{received.year}-{prefix}{serial:06d}",
                registration=_registration(rng),
                actor=receiver,
                received_at=received,
            )
            cases.append(case)
            lives.append(_steps(case, rng, received, now))
        written += save_in_steps(app, cases, lives)
    return written


def save_in_steps(app: Tongjie, cases: list[Case], lives: list[Iterator[None]]) -> int:
    """Save the cases, then a step of each case whose life goes on per save until every life
    has ended, so that the log interleaves the cases as real work does; the events saved."""
    written = 0
    while cases:
        written += sum(len(case.pending_events) for case in cases)
        app.store.save(*cases)
        going = [
            (case, life)
            for case, life in zip(cases, lives, strict=True)
            if next(life, StopIteration) is not StopIteration
        ]
        cases, lives = [case for case, _ in going], [life for _, life in going]
    return written


def _seed_process(url: str, events: int, seed_value: int, prefix: str, days: float) -> int:
    app = build_application(Settings(database_url=url))
    try:
        return seed(app, events, random.Random(seed_value), prefix, days)
    finally:
        app.close()


def seed_parallel(url: str, events: int, processes: int, round_: int, days: float = DAYS) -> float:
    """Seed `events` from several processes (saves of many cases each); answer events/s."""
    start = time.perf_counter()
    share = events // processes + 1
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes) as pool:
        jobs = [
            pool.apply_async(_seed_process, (url, share, round_ * 100 + i, f"{round_}{i}", days))
            for i in range(processes)
        ]
        written = sum(job.get() for job in jobs)
    return written / (time.perf_counter() - start)


# -- figures -----------------------------------------------------------------------------------


def raw_read(app: Tongjie, page: int) -> tuple[float, int]:
    recorder = app.store.recorder
    start, count, position = time.perf_counter(), 0, 0
    while True:
        notifications = recorder.select_notifications(
            start=position, limit=page, inclusive_of_start=False
        )
        if not notifications:
            break
        count += len(notifications)
        position = notifications[-1].id
    return count / (time.perf_counter() - start), count


def rebuild(views: Views) -> float:
    head = int(views.engine.recorder.max_notification_id() or 0)
    start = time.perf_counter()
    built = views.engine.rebuild("board")
    assert built is not None
    assert built.position == head, built
    return head / (time.perf_counter() - start)


def board_queries(views: Views) -> list[Callable[[], Any]]:
    now = datetime.now(UTC)
    year = (now - timedelta(days=365), now)  # the last twelve months
    board = views.board
    first = board.page(BoardFilter(limit=50))
    return [
        lambda: board.page(BoardFilter(limit=50)),
        lambda: board.page(BoardFilter(limit=50, cursor=first.next_cursor)),
        lambda: board.page(BoardFilter(received_from=year[0], received_to=year[1])),
        lambda: board.page(
            BoardFilter(street=STREETS[3], received_from=year[0], received_to=year[1])
        ),
        lambda: board.page(BoardFilter(status=None, overdue=True)),
        lambda: board.page(BoardFilter(category="family", channel="hotline")),
        lambda: board.page(BoardFilter(organisation="org-7", received_from=year[0])),
        lambda: board.page(BoardFilter(q="漏水")),
        lambda: board.page(BoardFilter(q="继承分配")),
        lambda: board.page(BoardFilter(q="金桥小区3栋")),
        lambda: board.page(BoardFilter(q="-00012")),
        lambda: board.page(BoardFilter(), Reach(mediator="m17", actor_id="user-m17")),
    ]


def latencies(boards: list[Views], rounds: int) -> list[tuple[float, float]]:
    """(p50, p99) in ms of each board's queries, timed in alternate rounds: the boards share
    the same minutes, so the neighbours' load weighs on each alike."""
    queries = [board_queries(views) for views in boards]
    for query in (q for each in queries for q in each):
        query()  # warm
    times: list[list[float]] = [[] for _ in boards]
    for _ in range(rounds):
        for own, board in zip(times, queries, strict=True):
            for query in board:
                start = time.perf_counter()
                query()
                own.append((time.perf_counter() - start) * 1000)
    figures = []
    for own in times:
        own.sort()
        figures.append((statistics.median(own), own[int(len(own) * 0.99) - 1]))
    return figures


def _write_commands(
    stores: list[tuple[str, Actor]], threads: int, started: Any, stop: Any, out: Any
) -> None:
    """In a process of its own: receive cases into each store from `threads` threads each
    until `stop` is set."""
    apps = [
        (build_application(Settings(database_url=url, pool_size=threads + 1)), actor)
        for url, actor in stores
    ]
    done: list[tuple[int, float]] = []

    def write(app: Tongjie, actor: Actor) -> None:
        while not stop.is_set():
            summary = app.cases.receive(actor=actor, registration=registration())
            done.append((int(summary.position or 0), time.perf_counter()))
            started.set()
            stop.wait(0.01)

    workers = [
        threading.Thread(target=write, args=(app, actor))
        for app, actor in apps
        for _ in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    out.put(done)
    for app, _ in apps:
        app.close()


def _keep_views(
    urls: list[str], only: list[str] | None, pool_size: int, ready: Any, stop: Any
) -> None:
    """In a process of its own, as `tongjie project`: the workers of the views `only` (None:
    all) of each store until `stop`."""
    running = []
    for url in urls:
        settings = Settings(database_url=url, pool_size=pool_size)
        app = build_application(settings)
        views = build_views(settings, app, only=only)
        views.start(workers=True)
        running.append((app, views))
    ready.set()
    stop.wait()
    for app, views in running:
        views.close()
        app.close()


@contextmanager
def spawned(target: Callable[..., None], *args: Any) -> Iterator[None]:
    """`target(*args, ready, stop)` in a process of its own, from when it sets `ready` until
    this block ends (then `stop` is set)."""
    context = multiprocessing.get_context("spawn")
    ready, stop = context.Event(), context.Event()
    process = context.Process(target=target, args=(*args, ready, stop))
    process.start()
    try:
        if not ready.wait(120):
            raise RuntimeError(f"{target.__name__} did not start")
        yield
    finally:
        stop.set()
        process.join(30)


def worker_process(
    urls: list[str], only: list[str] | None = None, pool_size: int = SMALL_POOL
) -> AbstractContextManager[None]:
    """The view workers of these stores in a process of their own (see `_keep_views`)."""
    return spawned(_keep_views, urls, only, pool_size)


@contextmanager
def writing(stores: list[tuple[str, Actor]], threads: int = 4) -> Iterator[list[tuple[int, float]]]:
    """Commands written by another process (as by the API's other workers) meanwhile,
    `threads` threads for each store.

    Yields a list filled at the end with (position, time it returned) of each command; times
    are CLOCK_MONOTONIC, the same clock in every process of this machine.
    """
    context = multiprocessing.get_context("spawn")
    started, stop, out = context.Event(), context.Event(), context.Queue()
    process = context.Process(target=_write_commands, args=(stores, threads, started, stop, out))
    process.start()
    done: list[tuple[int, float]] = []
    try:
        if not started.wait(120):
            raise RuntimeError("the writer process did not start writing")
        yield done
    finally:
        stop.set()
        if started.is_set():
            done.extend(out.get(timeout=120))
        else:
            process.terminate()
        process.join(30)


def view_lag(views: Views, url: str, actor: Actor, seconds: float) -> tuple[float, float, int]:
    advances: list[tuple[int, float]] = []
    original = views.engine._on_advance

    def record(name: str, position: int) -> None:
        advances.append((position, time.perf_counter()))
        if original is not None:
            original(name, position)

    views.engine._on_advance = record
    with writing([(url, actor)]) as done:
        time.sleep(seconds)
    assert views.engine.wait_caught_up(30)
    lags = []
    for position, returned in done:
        seen = next(t for p, t in advances if p >= position)
        lags.append(max(seen - returned, 0.0) * 1000)
    lags.sort()
    return statistics.median(lags), lags[int(len(lags) * 0.99) - 1], len(lags)


def _world(app: Tongjie) -> World:
    """The district of an earlier run: its mediator signs in again with a new token."""
    token = app.users.rotate("zhang").token
    actor = app.users.authenticate(token)
    return World(actor, actor, actor, actor, actor, {"zhang": token})


@dataclass
class Sized:
    """One seeded store with its board rebuilt, for the query timing."""

    url: str
    world: World
    count: int

    @contextmanager
    def board(self) -> Iterator[Views]:
        """The views as an API process has them: the positions' feed, no worker."""
        settings = Settings(database_url=self.url, pool_size=SMALL_POOL)
        app = build_application(settings)
        views = build_views(settings, app, only=["board"])
        views.start(workers=False)
        try:
            yield views
        finally:
            views.close()
            app.close()


def measure(url: str, args: argparse.Namespace) -> Sized | None:
    """Seed up to the target held in `args.target`, then the rebuild and the lag at that size.

    The raw read is timed just before and just after the rebuild; its baseline is the mean
    of the two, so that a change of the neighbours' load in between weighs on both sides.
    """
    settings = Settings(database_url=url)
    app = build_application(settings)
    world = make_world(app) if not app.reference.streets() else _world(app)
    have = int(app.store.recorder.max_notification_id() or 0)
    if args.target > have:
        rate = seed_parallel(url, args.target - have, args.seeders, args.target % 997, args.days)
        print(f"-- seeded {args.target - have:,} events at {rate:,.0f} events/s", flush=True)
    head = int(app.store.recorder.max_notification_id() or 0)
    print(f"-- {head:,} events stored", flush=True)
    if args.seed_only:
        app.close()
        return None
    views = build_views(settings, app, only=["board"], page_size=args.page)
    before, count = raw_read(app, args.page)
    built = rebuild(views)
    after, _ = raw_read(app, args.page)
    read = (before + after) / 2
    base = "of the library's read (baselines)"
    pages = f"pages of {args.page}"
    line(f"raw log read @{count:,} before ({pages})", before, "events/s", 165_000, base)
    line(f"raw log read @{count:,} after ({pages})", after, "events/s", 165_000, base)
    line(f"board rebuild @{count:,}", built, "events/s", read, "of the raw read (mean)")
    line(f"board rebuild @{count:,} vs the bar", built, "events/s", 50_000, "of 50,000")
    try:
        views.start(workers=True)
        lag50, lag99, commands = view_lag(views, url, world.mediator, args.lag_seconds)
    finally:
        views.close()
        app.close()
    line(f"view lag p50 ({commands} commands, 4 writers)", lag50, "ms", None)
    line(f"view lag p99 ({commands} commands, 4 writers)", lag99, "ms", 250, "of 250 ms")
    return Sized(url, world, count)


def query_latencies(small: Sized, large: Sized, rounds: int) -> None:
    """Both boards' pages in alternate rounds while each store takes commands (one process,
    2 threads for each store) and one process, as `tongjie project`, keeps both boards."""
    with ExitStack() as running:
        boards = [running.enter_context(sized.board()) for sized in (small, large)]
        running.enter_context(worker_process([small.url, large.url], only=["board"]))
        stores = [(sized.url, sized.world.mediator) for sized in (small, large)]
        running.enter_context(writing(stores, threads=2))
        figures = latencies(boards, rounds)
    (p50_small, p99_small), (p50_large, p99_large) = figures
    during = "(during writes)"
    line(f"board query p50 @{small.count:,} {during}", p50_small, "ms", None)
    line(f"board query p99 @{small.count:,} {during}", p99_small, "ms", 20.0, "of 20 ms")
    line(f"board query p50 @{large.count:,} {during}", p50_large, "ms", None)
    line(f"board query p99 @{large.count:,} {during}", p99_large, "ms", 20.0, "of 20 ms")
    line(f"board query p99 @{large.count:,} vs small", p99_large, "ms", p99_small, "of small")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=100, help="rounds of the 12 board queries")
    parser.add_argument("--lag-seconds", type=float, default=10.0)
    parser.add_argument("--page", type=int, default=5000, help="notifications per batch")
    parser.add_argument("--seeders", type=int, default=2, help="processes that seed events")
    parser.add_argument(
        "--keep-schemas", metavar="PREFIX", help="seed into (or reuse) PREFIX_small, PREFIX_large"
    )
    parser.add_argument(
        "--small-schema", metavar="NAME", help="seed into (or reuse) NAME for the small size"
    )
    parser.add_argument("--seed-only", action="store_true", help="seed, measure nothing")
    parser.add_argument(
        "--small-days",
        type=float,
        help="the small store's history in days (default: the large store's cases a day, so "
        "the small store is the same district's last weeks)",
    )
    args = parser.parse_args()
    small_days = args.small_days or DAYS * args.small / args.events
    print(f"board benchmark: PostgreSQL, {args.small:,} then {args.events:,} events", flush=True)
    print(f"-- {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {_load()}", flush=True)
    print(
        f"-- the small store: {args.small:,} events over {small_days:,.0f} days; "
        f"the large one: {args.events:,} over {DAYS:,.0f} days",
        flush=True,
    )
    with ExitStack() as stack:
        sizes: list[Sized] = []
        young = "young" if small_days < DAYS else "small"
        for label, target, days in ((young, args.small, small_days), ("large", args.events, DAYS)):
            args.target, args.days = target, days
            keep = f"{args.keep_schemas}_{label}" if args.keep_schemas else None
            if label == young and args.small_schema:
                keep = args.small_schema
            sized = measure(stack.enter_context(schema(keep)), args)
            if sized is not None:
                sizes.append(sized)
        if len(sizes) == 2:
            print("-- queries of both boards in alternate rounds", flush=True)
            query_latencies(sizes[0], sizes[1], args.queries)
    print(f"-- {_load()}", flush=True)


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"


if __name__ == "__main__":
    main()
