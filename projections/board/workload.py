"""Each mediator's open cases, counted on the board (for the supervisor's routing form).

One grouped read of the open cases (the board's partial index of open cases), never the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from projections.board.query import RESOLVED, VIEW
from projections.board.schema import CASES
from projections.board.stored import sqlite_time
from projections.engine.catalog import active, ensure_catalog
from projections.engine.view import Tables

if TYPE_CHECKING:
    from projections.engine.ports import Database


@dataclass(frozen=True)
class Workload:
    open_cases: int
    overdue: int


@dataclass(frozen=True)
class Workloads:
    by_mediator: dict[str, Workload]
    position: int
    """The store position the board had processed when it was read."""


def workloads(db: Database, now: datetime | None = None) -> Workloads:
    now = now or datetime.now(UTC)
    with db.connection() as conn:
        ensure_catalog(conn)
        at = now if conn.dialect == "postgres" else sqlite_time(now)
        for _ in range(3):
            current = active(conn, VIEW)
            if current is None:
                return Workloads({}, 0)
            table = Tables(VIEW, current.generation).name(CASES)
            try:
                rows = conn.execute(
                    f"SELECT mediator, count(*), "
                    f"sum(CASE WHEN due_at < %s THEN 1 ELSE 0 END) FROM {table} "
                    f"WHERE status <> %s AND mediator IS NOT NULL GROUP BY mediator",
                    (at, RESOLVED),
                )
            except conn.missing_table:
                continue  # the generation was switched and dropped meanwhile: read the new one
            return Workloads(
                {str(m): Workload(int(n), int(late or 0)) for m, n, late in rows},
                current.position,
            )
    raise RuntimeError("the board's active generation kept changing while it was read")
