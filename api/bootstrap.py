"""The one composition root: settings in, a wired application out. Nothing connects at import."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from application.audit import Verifier
from application.ports import EventSource, RecorderPorts
from application.reports import Reports
from application.store import TongjieStore
from application.tongjie import Tongjie
from infrastructure.access import AccessLog, access_log_for
from infrastructure.audit.verifier import ChainVerifier
from infrastructure.blobs import blob_table_for
from infrastructure.eventstore.creating import one_at_a_time
from infrastructure.eventstore.reading import EventReader
from infrastructure.eventstore.recorder import GroupCommitRecorder
from infrastructure.reachability import watch
from infrastructure.readlog import read_log_for
from infrastructure.settings import Settings
from infrastructure.transcodings import domain_transcodings

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

    from projections.engine.batch import FaultHook
    from projections.engine.view import View
    from projections.views import Views


def build_application(settings: Settings) -> Tongjie:
    """The application; its tables made or checked while no other process does the same
    (several API workers and the view workers start together on one PostgreSQL schema)."""
    with one_at_a_time(settings):
        return Tongjie(
            settings.persistence_env(),
            domain_transcodings(),
            settings.zone,
            ports_for=recorder_ports,
            verifier_for=chain_verifier,
            uses_for=access_log_for,
            blobs_for=partial(blob_table_for, cipher_key=settings.cipher_key),
            reads_for=read_log_for,
            events_for=event_reader,
            auto_routing=settings.auto_routing,
        )


def database_down(settings: Settings) -> Callable[[], bool]:
    """Whether this process's watch finds the database away now (never on SQLite): asked by
    /readyz, which then answers at once (infrastructure/reachability.py)."""
    if not settings.is_postgres:
        return lambda: False
    watched = watch(settings.postgres_conninfo)
    return lambda: watched.down


def access_log(tongjie: Tongjie) -> AccessLog | None:
    """The access log the application's users were given (shared with the API's limiter)."""
    uses = tongjie.users.uses
    return uses if isinstance(uses, AccessLog) else None


def recorder_ports(recorder: object) -> RecorderPorts:
    """What our recorders offer beyond the library's: idempotency answers and the conditions
    of a write, the count of other writers' groups, the hash columns. None for another one."""
    if isinstance(recorder, GroupCommitRecorder):
        return RecorderPorts(answers=recorder, witness=recorder, chain=recorder)
    return RecorderPorts()


def event_reader(store: TongjieStore) -> EventSource | None:
    """Replays read a case's events through our recorder's plain rows (reading.py)."""
    recorder = store.recorder
    if isinstance(recorder, GroupCommitRecorder):
        return EventReader(recorder, store.mapper)
    return None


def chain_verifier(recorder: object) -> Verifier | None:
    """The audit's checks, on a store that keeps hash chains (our recorders do)."""
    return ChainVerifier(recorder) if isinstance(recorder, GroupCommitRecorder) else None


def build_reports(tongjie: Tongjie, views: Views) -> Reports:
    """Monthly reports: recorded in the application's store, their figures read from the
    statistics view (the same query code as /api/v1/stats)."""
    from projections.stats.monthly import StatsMonthFigures

    return Reports(tongjie.store, StatsMonthFigures(views.stats), tongjie.timezone)


def build_views(
    settings: Settings,
    tongjie: Tongjie,
    only: Collection[str] | None = None,
    *,
    extra_views: Sequence[View] = (),
    page_size: int = 5000,
    fault: FaultHook | None = None,
) -> Views:
    """The views (the board, ...) over this application's store; the caller starts them.

    `only`: the views whose workers to run here (default all). Their adapters are chosen in
    `api/bootstrap_views.py`, imported here, not at the top: commands that never read a view
    (`tongjie demo`) do without them.
    """
    from api.bootstrap_views import build_views as wire_views
    from projections.board.loads import mediator_loads

    views = wire_views(
        settings, tongjie, extra_views=extra_views, only=only, page_size=page_size, fault=fault
    )
    tongjie.triage.loads = partial(mediator_loads, views.board.db)  # the balance reads the board
    return views
