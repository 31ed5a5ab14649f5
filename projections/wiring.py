"""Building the views from settings: called by the one composition root (api/bootstrap.py).

    views = build_views(settings, tongjie)
    views.start(workers=not settings.is_postgres)   # `tongjie serve` on SQLite: in-process
    views.start(workers=True)                       # `tongjie project`: the worker process
    ...
    views.stop()

On PostgreSQL the API processes start only the feed (positions for `X-Position`,
`?min_position=` and the SSE stream) and read the views that `tongjie project` keeps.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from projections.board.query import BoardQuery
from projections.board.view import BoardView
from projections.engine.batch import VIEWS_CHANNEL, FaultHook
from projections.engine.database import Database
from projections.engine.decoding import Decoder
from projections.engine.engine import Engine, UnknownViewError
from projections.engine.feed import PositionFeed
from projections.engine.waking import ListenWaker, Waker
from projections.stats.query import StatsQuery
from projections.stats.view import StatsView

if TYPE_CHECKING:
    from application.tongjie import Tongjie
    from infrastructure.settings import Settings
    from projections.engine.view import View

SQLITE_POLL = 0.05
POSTGRES_POLL = 1.0


@dataclass
class Views:
    """The engine that keeps the views, the feed of their positions, and their queries."""

    db: Database
    engine: Engine
    feed: PositionFeed
    board: BoardQuery
    stats: StatsQuery
    workers_running: bool = field(default=False)

    def start(self, *, workers: bool) -> None:
        """Start the position feed, and the view workers in this process if `workers`."""
        self.feed.start()
        if workers:
            self.engine.start()
            self.workers_running = True

    def stop(self) -> None:
        if self.workers_running:
            self.engine.stop()
            self.workers_running = False
        self.feed.stop()
        self.engine.waker.close()

    def close(self) -> None:
        self.stop()
        self.db.close()


def database(settings: Settings) -> Database:
    if settings.is_postgres:
        return Database(
            "postgres",
            conninfo=settings.postgres_conninfo,
            schema=settings.postgres_schema,
            pool_size=settings.pool_size,
        )
    return Database("sqlite", sqlite_path=settings.sqlite_path)


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
    recorder = tongjie.store.recorder
    views: list[View] = [BoardView(), StatsView(settings.zone), *extra_views]
    names = [view.name for view in views]
    unknown = set(only or ()) - set(names)
    if unknown:
        raise UnknownViewError(", ".join(sorted(unknown)), names)
    worked = [view for view in views if only is None or view.name in only]
    if settings.is_postgres:
        channel = str(getattr(recorder, "channel_name", "stored_events"))
        waker: Waker = ListenWaker(
            recorder, settings.postgres_conninfo, channel, poll_interval=POSTGRES_POLL
        )
        feed_waker: Waker | None = ListenWaker(
            None, settings.postgres_conninfo, VIEWS_CHANNEL, poll_interval=POSTGRES_POLL
        )
        feed = PositionFeed(db, names, feed_waker, POSTGRES_POLL)
    else:
        waker = Waker(recorder, SQLITE_POLL)
        feed = PositionFeed(db, names, None, 0.2)
    engine = Engine(
        db,
        recorder,
        Decoder(tongjie.store.mapper),
        worked,
        waker,
        page_size=page_size,
        on_advance=lambda name, position: feed.publish({name: position}),
        fault=fault,
    )
    return Views(
        db=db,
        engine=engine,
        feed=feed,
        board=BoardQuery(db, feed),
        stats=StatsQuery(db, settings.zone),
    )
