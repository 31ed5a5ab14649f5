"""The composition root's part for the views: pick their database adapters from the settings.

PostgreSQL: pooled psycopg connections to the store's schema, the log read in one SQL
statement of our own, and LISTEN waking (the write path's channel for the workers, the
views' own for the position feed). SQLite: connections to the store's file, the log read
through the recorder, and the recorder's commit signal plus a short poll. Used by
`api/bootstrap.py` only; nothing connects until the views start but the one read of the
store's index secret (infrastructure/keys.py), when no cipher key is set.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from functools import partial
from typing import TYPE_CHECKING

from eventsourcing.postgres import PostgresApplicationRecorder

from infrastructure.eventstore.recorder import GroupCommitRecorder
from infrastructure.keys import view_keys
from infrastructure.views.database import Database
from infrastructure.views.listen import ListenWaker
from infrastructure.views.log import PostgresLog
from projections.board.query import BoardQuery
from projections.board.view import BoardView
from projections.engine.batch import VIEWS_CHANNEL, FaultHook
from projections.engine.decoding import Decoder
from projections.engine.engine import Engine, UnknownViewError
from projections.engine.feed import PositionFeed
from projections.engine.log import RecorderLog
from projections.engine.waking import Signal, Waker
from projections.hotspots import HotspotsQuery
from projections.stats.query import StatsQuery
from projections.stats.view import StatsView
from projections.views import Views

if TYPE_CHECKING:
    from eventsourcing.persistence import ApplicationRecorder

    from application.tongjie import Tongjie
    from infrastructure.settings import Settings
    from projections.engine.ports import LogReader, WakeSource
    from projections.engine.view import View

SQLITE_POLL = 0.05
POSTGRES_POLL = 1.0
REPLICA_POLL = 0.05
"""How often a process reading a hot standby reads the views' positions there."""


def database(settings: Settings, conninfo: str | None = None) -> Database:
    """The store's database; on PostgreSQL `conninfo` may name a hot standby of it."""
    if settings.is_postgres:
        return Database(
            "postgres",
            conninfo=conninfo or settings.postgres_conninfo,
            schema=settings.postgres_schema,
            pool_size=settings.connections.views,
        )
    return Database("sqlite", sqlite_path=settings.sqlite_path)


def log_reader(recorder: ApplicationRecorder, topics: Collection[str]) -> LogReader:
    """The store's log for a view: in our own SQL on PostgreSQL, else through the recorder."""
    if isinstance(recorder, PostgresApplicationRecorder):
        return PostgresLog(recorder, topics)
    return RecorderLog(recorder, topics)


def build_views(
    settings: Settings,
    tongjie: Tongjie,
    *,
    extra_views: Sequence[View] = (),
    only: Collection[str] | None = None,
    page_size: int = 5000,
    fault: FaultHook | None = None,
) -> Views:
    """Wire the board, the statistics (and `extra_views`) to this store. Connects nothing yet.

    `only` names the views whose workers this engine runs (default: all of them); queries and
    positions cover every view whatever it says.
    """
    db = database(settings)
    replica = (
        None if settings.replica_conninfo is None else database(settings, settings.replica_conninfo)
    )
    reads = replica or db  # where queries and positions are read
    recorder = tongjie.store.recorder
    keys = view_keys(settings.cipher_key, recorder)  # the store's secret: read once, here
    views: list[View] = [BoardView(keys), StatsView(settings.zone), *extra_views]
    names = [view.name for view in views]
    unknown = set(only or ()) - set(names)
    if unknown:
        raise UnknownViewError(", ".join(sorted(unknown)), names)
    worked = [view for view in views if only is None or view.name in only]
    # Our recorders signal this process's commits: its own writes wake the workers at once.
    committing = recorder if isinstance(recorder, GroupCommitRecorder) else None
    waker: WakeSource
    if settings.is_postgres:
        conninfo = settings.postgres_conninfo
        channel = (
            recorder.channel_name
            if isinstance(recorder, PostgresApplicationRecorder)
            else "stored_events"
        )
        waker = ListenWaker(
            Signal(),
            conninfo,
            channel,
            commits=None if committing is None else committing.commit_signal,
            poll_interval=POSTGRES_POLL,
        )
        if replica is None:
            feed_waker = ListenWaker(Signal(), conninfo, VIEWS_CHANNEL, poll_interval=POSTGRES_POLL)
            feed = PositionFeed(db, names, feed_waker, POSTGRES_POLL)
        else:  # a standby takes no LISTEN: the positions it has replayed are polled
            feed = PositionFeed(replica, names, None, REPLICA_POLL)
    else:
        waker = Waker(committing, SQLITE_POLL)
        feed = PositionFeed(db, names, None, 0.2)
    engine = Engine(
        db,
        recorder,
        Decoder(tongjie.store.mapper),
        worked,
        waker,
        page_size=page_size,
        # What this process's workers wrote is on the primary: a replica's feed waits for it.
        on_advance=None if replica else lambda name, position: feed.publish({name: position}),
        fault=fault,
        open_log=partial(log_reader, recorder),
    )
    return Views(
        db=db,
        engine=engine,
        feed=feed,
        board=BoardQuery(reads, feed, keys),
        stats=StatsQuery(reads, settings.zone),
        hotspots=HotspotsQuery(reads),
        replica=replica,
    )
