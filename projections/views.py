"""The views as the API and the command line hold them: the engine, the feed, the queries.

Built from settings by the composition root (`api/bootstrap_views.py`):

    views = build_views(settings, tongjie)
    views.start(workers=not settings.is_postgres)   # `tongjie serve` on SQLite: in-process
    views.start(workers=True)                       # `tongjie project`: the worker process
    ...
    views.stop()

On PostgreSQL the API processes start only the feed (positions for `X-Position`,
`?min_position=` and the SSE stream) and read the views that `tongjie project` keeps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from projections.board.query import BoardQuery
    from projections.engine.engine import Engine
    from projections.engine.feed import PositionFeed
    from projections.engine.ports import Database
    from projections.hotspots import HotspotsQuery
    from projections.stats.query import StatsQuery


@dataclass
class Views:
    """The engine that keeps the views, the feed of their positions, and their queries."""

    db: Database
    engine: Engine
    feed: PositionFeed
    board: BoardQuery
    stats: StatsQuery
    hotspots: HotspotsQuery
    replica: Database | None = None
    """A hot standby the queries and the feed read instead of `db` (the workers write `db`)."""
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
        if self.replica is not None:
            self.replica.close()
