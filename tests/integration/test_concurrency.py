"""Concurrent writers on PostgreSQL, as several server processes with many threads each would be:
no event is lost, a lost race surfaces as a VersionConflictError that is retried (or, when the
caller named the version it expected, a mismatch the caller can retry), any other integrity
error is not retried, and intake numbers stay gapless."""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError

from api.bootstrap import build_application
from application.errors import VersionMismatchError
from application.ports import VersionConflictError
from application.tongjie import Tongjie
from domain.case import Case
from domain.values import Method
from infrastructure.settings import Settings
from tests.conftest import POSTGRES_URL
from tests.integration.app_support import last_position
from tests.world import World, make_world, registration

pytestmark = pytest.mark.postgres

PROCESSES = 4
THREADS_EACH = 4
T = TypeVar("T")


@pytest.fixture
def apps(postgres_url: str) -> Iterator[list[Tongjie]]:
    """Four applications on one PostgreSQL schema: four server processes, as the store sees it."""
    settings = Settings(database_url=postgres_url, pool_size=THREADS_EACH)
    started = [build_application(settings) for _ in range(PROCESSES)]
    try:
        yield started
    finally:
        for app in started:
            app.close()


@pytest.fixture
def world(apps: list[Tongjie]) -> World:
    return make_world(apps[0])


def count_refusals(app: Tongjie, refusals: Counter[str], gate: threading.Barrier) -> None:
    """Count the store's refusals of a save by their exact class; each application's first
    save waits at `gate` until every application has prepared one, so that they race for the
    same version."""
    save = app.store.save
    first = threading.Event()

    def counted(*args: Any, **kwargs: Any) -> Any:
        if not first.is_set():
            first.set()
            with contextlib.suppress(threading.BrokenBarrierError):
                gate.wait(timeout=10)
        try:
            return save(*args, **kwargs)
        except Exception as error:
            refusals[type(error).__name__] += 1
            raise

    app.store.save = counted  # type: ignore[method-assign]


def in_threads(apps: list[Tongjie], work: Callable[[Tongjie, int], T]) -> list[T]:
    """`work(app, n)` in THREADS_EACH threads per application, all started together."""
    start = threading.Barrier(len(apps) * THREADS_EACH)

    def run(n: int) -> T:
        start.wait(timeout=30)
        return work(apps[n % len(apps)], n)

    with ThreadPoolExecutor(max_workers=len(apps) * THREADS_EACH) as pool:
        return list(pool.map(run, range(len(apps) * THREADS_EACH)))


def test_sixteen_writers_on_one_case_lose_no_event(apps: list[Tongjie], world: World) -> None:
    first = apps[0]
    case = first.cases.receive(
        actor=world.mediator,
        registration=registration(),
        received_at=datetime.now(UTC) - timedelta(days=2),
    )
    first.cases.route(
        case.id,
        actor=world.supervisor,
        organisation="room-1",
        mediator="m1",
        routed_at=datetime.now(UTC) - timedelta(days=1),
    )
    refusals: Counter[str] = Counter()
    gate = threading.Barrier(PROCESSES)
    for app in apps:
        count_refusals(app, refusals, gate)

    def log(app: Tongjie, n: int) -> int:
        return app.cases.log_session(
            case.id,
            actor=world.mediator,
            method=Method.PHONE,
            attendees=[f"当事人{n}"],
            notes=f"session {n}",
            held_at=datetime.now(UTC) - timedelta(minutes=n),
        ).version

    versions = in_threads(apps, log)
    writers = PROCESSES * THREADS_EACH
    assert sorted(versions) == list(range(3, 3 + writers))
    assert refusals["VersionConflictError"] >= PROCESSES - 1  # the race was real, and retried
    assert set(refusals) == {"VersionConflictError"}  # and nothing else refused a save
    for app in apps:
        details = app.reads.current(case.id)
        assert details.version == 2 + writers
        assert sorted(s.notes for s in details.sessions) == sorted(
            f"session {n}" for n in range(writers)
        )
    history = first.reads.history(case.id)
    assert [e.version for e in history] == list(range(1, 3 + writers))


def test_a_stale_save_is_a_version_conflict_and_records_nothing(
    apps: list[Tongjie], world: World
) -> None:
    one, other = apps[0], apps[1]
    summary = one.cases.receive(actor=world.mediator, registration=registration())
    stale: Any = one.store.repository.get(summary.id)
    assert isinstance(stale, Case)
    other.cases.route(summary.id, actor=world.supervisor, organisation="room-1", mediator="m1")
    before = last_position(one)
    stale.route(organisation="centre-2", mediator="m2", actor=world.supervisor)
    with pytest.raises(IntegrityError) as raised:
        one.store.save(stale)
    assert type(raised.value) is VersionConflictError  # the one refusal a command retries
    assert last_position(one) == before
    with pytest.raises(VersionMismatchError) as mismatch:
        one.cases.route(
            summary.id,
            actor=world.supervisor,
            organisation="centre-2",
            mediator="m2",
            expected_version=1,
        )
    assert (mismatch.value.expected, mismatch.value.actual) == (1, 2)
    assert last_position(one) == before
    retried = one.cases.route(
        summary.id,
        actor=world.supervisor,
        organisation="centre-2",
        mediator="m2",
        expected_version=mismatch.value.actual,
    )
    assert retried.version == 3


def test_writers_that_name_the_version_get_one_success_and_mismatches(
    apps: list[Tongjie], world: World
) -> None:
    first = apps[0]
    case = first.cases.receive(actor=world.mediator, registration=registration())
    first.cases.route(case.id, actor=world.supervisor, organisation="room-1", mediator="m1")

    def log(app: Tongjie, n: int) -> str:
        try:
            app.cases.log_session(
                case.id,
                actor=world.mediator,
                method=Method.VIDEO,
                attendees=[],
                notes=f"n{n}",
                expected_version=2,
            )
        except VersionMismatchError as error:
            return f"mismatch: at {error.actual}"
        return "recorded"

    outcomes = Counter(in_threads(apps, log))
    assert outcomes == {"recorded": 1, "mismatch: at 3": PROCESSES * THREADS_EACH - 1}
    assert first.reads.current(case.id).version == 3


def test_concurrent_intake_numbers_are_distinct_and_gapless_per_year(
    apps: list[Tongjie], world: World
) -> None:
    zone = ZoneInfo("Asia/Shanghai")
    this_year = datetime.now(zone).year
    last_year = datetime(this_year - 1, 6, 1, tzinfo=zone)
    per_thread = 10

    def receive(app: Tongjie, n: int) -> list[tuple[int, str]]:
        numbered = []
        for i in range(per_thread):
            year = this_year if (n + i) % 2 else this_year - 1
            at = None if year == this_year else last_year + timedelta(hours=n * per_thread + i)
            summary = app.cases.receive(
                actor=world.supervisor, registration=registration(), received_at=at
            )
            numbered.append((year, summary.number))
        return numbered

    numbered = [pair for pairs in in_threads(apps, receive) for pair in pairs]
    total = PROCESSES * THREADS_EACH * per_thread
    assert len(numbered) == total
    assert len({number for _, number in numbered}) == total
    for year in (this_year - 1, this_year):
        numbers = sorted(number for y, number in numbered if y == year)
        assert numbers == [f"{year}-{n:06d}" for n in range(1, total // 2 + 1)]


def test_an_integrity_error_that_is_not_a_version_conflict_is_not_retried(
    apps: list[Tongjie], world: World
) -> None:
    """The database refuses every session (a CHECK constraint on the events, standing for any
    constraint but the version key): the command fails at its first save, as that error."""
    app = apps[0]
    case = app.cases.receive(actor=world.mediator, registration=registration())
    app.cases.route(case.id, actor=world.supervisor, organisation="room-1", mediator="m1")
    recorder: Any = app.store.recorder
    table = f'"{recorder.datastore.schema}"."{recorder.events_table_name}"'
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT no_sessions "
            "CHECK (topic NOT LIKE '%Mediated') NOT VALID"
        )
    refusals: Counter[str] = Counter()
    count_refusals(app, refusals, threading.Barrier(1))
    before = last_position(app)
    with pytest.raises(IntegrityError) as raised:
        app.cases.log_session(
            case.id, actor=world.mediator, method=Method.PHONE, attendees=[], notes="n"
        )
    assert type(raised.value) is IntegrityError
    assert refusals == {"IntegrityError": 1}  # one save, not retried
    assert last_position(app) == before
