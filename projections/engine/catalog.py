"""The tracking table: where each generation of each view stands in the store.

One row per (view, generation), like the library's tracking table keyed by application name,
plus the generation's status: `building` (a rebuild filling it beside the active one), `active`
(what queries read), `retired` (replaced; its tables are dropped at the next rebuild). The
position moves only in the transaction that writes the view's rows, and only from the value the
writer read: a second writer, a retired generation or a replayed batch changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

    from projections.engine.ports import Connection, Row, Statement
    from projections.engine.view import View

TRACKING = "view_tracking"
BUILDING, ACTIVE, RETIRED = "building", "active", "retired"
CATALOG_LOCK = 0x746F6E676A6965  # "tongjie": serialises DDL of several processes


@dataclass(frozen=True)
class Generation:
    view: str
    generation: int
    version: int
    status: str
    position: int
    indexed: bool = False


class PositionMovedError(Exception):
    """Another writer moved the position, or the generation was retired: reload and go on."""

    def __init__(self, view: str, generation: int, expected: int) -> None:
        super().__init__(f"view {view} g{generation}: position is no longer {expected}")


class ActiveGenerationExistsError(Exception):
    def __init__(self, view: str) -> None:
        super().__init__(f"view {view} has an active generation already")


def ensure_catalog(conn: Connection) -> None:
    """The tracking table, and beside it the events the views set aside (engine/poison.py),
    made if missing. On PostgreSQL existing ones are only looked up, so that a read-only
    connection (a hot standby's) may call this too."""
    from projections.engine import poison

    if conn.dialect == "postgres":
        if _exist(conn, TRACKING, poison.POISONED):
            return
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (CATALOG_LOCK,))
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS {TRACKING} ("
                "view_name text NOT NULL, generation integer NOT NULL, "
                "version integer NOT NULL, status text NOT NULL, "
                "notification_id bigint NOT NULL DEFAULT 0, "
                "indexed boolean NOT NULL DEFAULT false, "
                "updated_at timestamptz NOT NULL DEFAULT now(), "
                "PRIMARY KEY (view_name, generation))"
            )
            poison.create_table(conn)
        return
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {TRACKING} ("
        "view_name TEXT NOT NULL, generation INTEGER NOT NULL, "
        "version INTEGER NOT NULL, status TEXT NOT NULL, "
        "notification_id INTEGER NOT NULL DEFAULT 0, "
        "indexed BOOLEAN NOT NULL DEFAULT 0, "
        "updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, "
        "PRIMARY KEY (view_name, generation))"
    )
    poison.create_table(conn)


def _exist(conn: Connection, *tables: str) -> bool:
    """Whether each table is in the schema CREATE TABLE would make it in (PostgreSQL)."""
    found = conn.execute(
        "SELECT count(to_regclass(format('%%I.%%I', current_schema(), name))) "
        "FROM unnest(%s::text[]) AS name",
        (list(tables),),
    )
    return int(found[0][0]) == len(tables)


_COLUMNS = "view_name, generation, version, status, notification_id, indexed"


def generations(conn: Connection, view: str) -> list[Generation]:
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM {TRACKING} WHERE view_name = %s ORDER BY generation", (view,)
    )
    return [_generation(row) for row in rows]


def active(conn: Connection, view: str) -> Generation | None:
    return active_in(conn.execute(*active_statement(view)))


def active_statement(view: str) -> Statement:
    """The statement that reads the active generation, to send with others (`active_in`)."""
    statement = f"SELECT {_COLUMNS} FROM {TRACKING} WHERE view_name = %s AND status = %s"
    return statement, (view, ACTIVE)


def active_in(rows: Sequence[Row]) -> Generation | None:
    """The active generation in the rows of `active_statement`, if there is one."""
    return _generation(rows[0]) if rows else None


def all_active(conn: Connection) -> dict[str, Generation]:
    rows = conn.execute(f"SELECT {_COLUMNS} FROM {TRACKING} WHERE status = %s", (ACTIVE,))
    return {row[0]: _generation(row) for row in rows}


def _generation(row: tuple[Any, ...]) -> Generation:
    return Generation(row[0], int(row[1]), int(row[2]), row[3], int(row[4]), bool(row[5]))


def create_generation(conn: Connection, view: View, status: str) -> Generation:
    """A new generation's tables and tracking row at position 0, in one transaction."""
    from projections.engine.view import Tables

    with conn.transaction():
        if conn.dialect == "postgres":
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (CATALOG_LOCK,))
        if status == ACTIVE and active(conn, view.name) is not None:
            raise ActiveGenerationExistsError(view.name)
        last = conn.execute(
            f"SELECT COALESCE(MAX(generation), 0) FROM {TRACKING} WHERE view_name = %s",
            (view.name,),
        )[0][0]
        generation = Generation(view.name, int(last) + 1, view.version, status, 0)
        view.create_tables(conn, Tables(view.name, generation.generation))
        conn.execute(
            f"INSERT INTO {TRACKING} ({_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s)",
            (view.name, generation.generation, view.version, status, 0, False),
        )
    return generation


def advance(conn: Connection, current: Generation, position: int) -> None:
    """Move the position within the caller's transaction, or raise PositionMovedError."""
    now = "now()" if conn.dialect == "postgres" else "CURRENT_TIMESTAMP"
    changed = conn.rowcount(
        f"UPDATE {TRACKING} SET notification_id = %s, updated_at = {now} "
        "WHERE view_name = %s AND generation = %s AND notification_id = %s AND status = %s",
        (position, current.view, current.generation, current.position, current.status),
    )
    if changed != 1:
        raise PositionMovedError(current.view, current.generation, current.position)


def create_indexes(conn: Connection, view: View, generation: Generation) -> Generation:
    """The generation's indexes, made once it has caught up: bulk loading goes faster without."""
    from projections.engine.view import Tables

    with conn.transaction():
        view.create_indexes(conn, Tables(view.name, generation.generation))
        conn.execute(
            f"UPDATE {TRACKING} SET indexed = %s WHERE view_name = %s AND generation = %s",
            (True, generation.view, generation.generation),
        )
    return replace(generation, indexed=True)


def vacuum(conn: Connection, view: View, generation: Generation) -> None:
    """VACUUM (ANALYZE) the generation's tables, outside any transaction (PostgreSQL).

    Autovacuum may be off (it is on the benchmark's server): after a rebuild, whose upserts
    leave a dead version of most rows, and now and then while following the store. It clears
    dead rows and sets the visibility map, so index-only scans need not visit the table.
    """
    from projections.engine.view import Tables

    if conn.dialect != "postgres":
        return
    tables = Tables(view.name, generation.generation)
    for table in view.table_names:
        conn.execute(f"VACUUM (ANALYZE) {tables.name(table)}")


def switch(conn: Connection, built: Generation) -> bool:
    """Make `built` the active generation if it is at least as far as the active one.

    Within the caller's transaction. Readers never see the position go back.
    """
    rows = conn.execute(
        f"SELECT generation, notification_id FROM {TRACKING} "
        "WHERE view_name = %s AND status = %s"
        + (" FOR UPDATE" if conn.dialect == "postgres" else ""),
        (built.view, ACTIVE),
    )
    if rows and int(rows[0][1]) > built.position:
        return False
    conn.execute(
        f"UPDATE {TRACKING} SET status = %s WHERE view_name = %s AND status = %s",
        (RETIRED, built.view, ACTIVE),
    )
    conn.execute(
        f"UPDATE {TRACKING} SET status = %s WHERE view_name = %s AND generation = %s",
        (ACTIVE, built.view, built.generation),
    )
    return True


def drop_generations(conn: Connection, view: View, statuses: tuple[str, ...]) -> list[int]:
    """Drop the tables and rows of this view's generations in `statuses`; say which."""
    from projections.engine.poison import forget_generation
    from projections.engine.view import Tables

    dropped: list[int] = []
    with conn.transaction():
        for generation in generations(conn, view.name):
            if generation.status not in statuses:
                continue
            tables = Tables(view.name, generation.generation)
            for table in view.table_names:
                conn.execute(f"DROP TABLE IF EXISTS {tables.name(table)}")
            conn.execute(
                f"DELETE FROM {TRACKING} WHERE view_name = %s AND generation = %s",
                (view.name, generation.generation),
            )
            forget_generation(conn, view.name, generation.generation)
            dropped.append(generation.generation)
    return dropped
