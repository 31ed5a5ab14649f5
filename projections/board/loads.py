"""Each mediator's open cases and latest routing, from the board: what the triage balances.

One grouped read of the board's table, never the store. The latest routing counts every case
the board has the mediator on, resolved ones too (a mediator whose cases are all resolved was
still routed to lately).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from application.ports import Loads, MediatorLoad
from projections.board.query import RESOLVED, VIEW
from projections.board.schema import CASES
from projections.board.stored import read_time
from projections.engine.catalog import active, ensure_catalog
from projections.engine.view import Tables

if TYPE_CHECKING:
    from projections.engine.ports import Database


def mediator_loads(db: Database) -> Loads:
    with db.connection() as conn:
        ensure_catalog(conn)
        for _ in range(3):
            current = active(conn, VIEW)
            if current is None:
                return Loads({}, 0)
            table = Tables(VIEW, current.generation).name(CASES)
            try:
                rows = conn.execute(
                    f"SELECT mediator, sum(CASE WHEN status <> %s THEN 1 ELSE 0 END), "
                    f"max(routed_at) FROM {table} WHERE mediator IS NOT NULL GROUP BY mediator",
                    (RESOLVED,),
                )
            except conn.missing_table:
                continue  # the generation was switched and dropped meanwhile: read the new one
            return Loads(
                {str(m): MediatorLoad(int(n or 0), read_time(at)) for m, n, at in rows},
                current.position,
            )
    raise RuntimeError("the board's active generation kept changing while it was read")
