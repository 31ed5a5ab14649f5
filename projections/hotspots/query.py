"""Reading the hotspots from the board's table: one grouped count over thirteen months of
receipts, then the cases of the cells found. Always as of a moment (default now); the board's
position comes with it (X-Position)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from projections.board.query import VIEW
from projections.board.schema import CASES
from projections.board.stored import read_time, read_uuid, sqlite_time
from projections.engine.catalog import active
from projections.engine.view import Tables
from projections.hotspots.rise import BASELINE, WINDOW, rise

if TYPE_CHECKING:
    from projections.engine.ports import Connection, Database


@dataclass(frozen=True)
class HotspotCase:
    id: UUID
    number: str
    received_at: datetime


@dataclass(frozen=True)
class Hotspot:
    """A street × subcategory cell whose last 30 days exceed what its past predicts."""

    street: str
    category: str
    subcategory: str | None
    count: int
    expected: float
    baseline_count: int
    p_value: float
    cases: list[HotspotCase]


@dataclass(frozen=True)
class Hotspots:
    as_of: datetime
    window_from: datetime
    baseline_from: datetime
    """The baseline's start: twelve months before the window, or the first receipt stored."""
    cells_tested: int
    hotspots: list[Hotspot]
    position: int


class HotspotsQuery:
    def __init__(self, db: Database) -> None:
        self.db = db

    def find(self, as_of: datetime | None = None) -> Hotspots:
        as_of = as_of or datetime.now(UTC)
        window_from = as_of - WINDOW
        with self.db.connection() as conn:
            generation = active(conn, VIEW)
            if generation is None:
                return Hotspots(as_of, window_from, window_from - BASELINE, 0, [], 0)
            table = Tables(VIEW, generation.generation).name(CASES)
            time = _time(conn)
            first = conn.execute(f"SELECT min(received_at) FROM {table}")[0][0]
            first_at = read_time(first) or window_from
            baseline_from = max(window_from - BASELINE, min(first_at, window_from))
            rows = conn.execute(
                "SELECT street, category, subcategory, "
                "sum(CASE WHEN received_at >= %s THEN 1 ELSE 0 END), count(*) "
                f"FROM {table} WHERE received_at >= %s AND received_at < %s "
                "GROUP BY street, category, subcategory",
                [time(window_from), time(baseline_from), time(as_of)],
            )
            found = []
            for street, category, subcategory, recent, total in rows:
                tested = rise(int(recent), int(total) - int(recent), window_from - baseline_from)
                if tested.hotspot:
                    cases = _cases(conn, table, (street, category, subcategory), window_from, as_of)
                    found.append(
                        Hotspot(
                            street,
                            category,
                            subcategory,
                            tested.count,
                            round(tested.expected, 2),
                            tested.baseline_count,
                            tested.p_value,
                            cases,
                        )
                    )
        found.sort(key=lambda cell: (cell.p_value, -cell.count, cell.street))
        return Hotspots(as_of, window_from, baseline_from, len(rows), found, generation.position)


def _time(conn: Connection) -> Any:
    if conn.dialect == "postgres":
        return lambda value: value
    return sqlite_time


def _cases(
    conn: Connection,
    table: str,
    cell: tuple[str, str, str | None],
    window_from: datetime,
    as_of: datetime,
) -> list[HotspotCase]:
    street, category, subcategory = cell
    time = _time(conn)
    kind = "subcategory IS NULL" if subcategory is None else "subcategory = %s"
    rows = conn.execute(
        f"SELECT id, number, received_at FROM {table} WHERE street = %s AND category = %s "
        f"AND {kind} AND received_at >= %s AND received_at < %s "
        "ORDER BY received_at DESC, id DESC",
        [street, category, *([] if subcategory is None else [subcategory]),
         time(window_from), time(as_of)],
    )  # fmt: skip
    return [
        HotspotCase(read_uuid(row[0]), row[1], read_time(row[2]) or window_from) for row in rows
    ]
