"""Raw SQL against the events table, as someone with the database's password would tamper.

Nothing here goes through the application or the recorder: each method is an UPDATE, DELETE
or INSERT on the stored rows, on SQLite or on PostgreSQL.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql

from application.tongjie import Tongjie
from infrastructure.eventstore.hashing import chain_hash, event_hash
from infrastructure.settings import Settings


class RawEvents:
    def __init__(self, settings: Settings, app: Tongjie) -> None:
        self.settings = settings
        recorder: Any = app.store.recorder
        self.table: str = recorder.events_table_name
        self.schema: str | None = recorder.datastore.schema if settings.is_postgres else None
        self.position = "notification_id" if settings.is_postgres else "rowid"

    # -- plumbing --------------------------------------------------------------------------

    @property
    def events(self) -> str:
        if self.schema is None:
            return self.table
        return (
            sql.SQL("{}.{}")
            .format(sql.Identifier(self.schema), sql.Identifier(self.table))
            .as_string()
        )

    def key(self, case_id: UUID) -> Any:
        return case_id if self.settings.is_postgres else case_id.hex

    @contextmanager
    def cursor(self) -> Iterator[Any]:
        if self.settings.is_postgres:
            with psycopg.connect(self.settings.postgres_conninfo, autocommit=False) as conn:
                with conn.cursor() as cursor:
                    yield cursor
                conn.commit()
        else:
            conn = sqlite3.connect(self.settings.sqlite_path, timeout=20)
            try:
                yield conn.cursor()
                conn.commit()
            finally:
                conn.close()

    def q(self, statement: str) -> str:
        """`?` placeholders become psycopg's `%s` on PostgreSQL; {events} the table."""
        statement = statement.replace("{events}", self.events).replace("{pos}", self.position)
        return statement.replace("?", "%s") if self.settings.is_postgres else statement

    def row(self, case_id: UUID, version: int) -> tuple[Any, ...]:
        with self.cursor() as c:
            c.execute(
                self.q(
                    "SELECT {pos}, topic, state, prev_hash, hash, chain_hash FROM {events} "
                    "WHERE originator_id = ? AND originator_version = ?"
                ),
                (self.key(case_id), version),
            )
            found = c.fetchone()
        assert found is not None, (case_id, version)
        return tuple(found)

    def position_of(self, case_id: UUID, version: int) -> int:
        return int(self.row(case_id, version)[0])

    # -- tampering -------------------------------------------------------------------------

    def flip_byte(self, case_id: UUID, version: int) -> None:
        """Change one byte of the event's stored payload (a letter, so JSON still parses)."""
        state = bytes(self.row(case_id, version)[2])
        offset = next(i for i, b in enumerate(state) if chr(b).isalpha() and i > 8)
        with self.cursor() as c:
            if self.settings.is_postgres:
                c.execute(
                    self.q(
                        "UPDATE {events} SET state = set_byte(state, ?, get_byte(state, ?) # 1) "
                        "WHERE originator_id = ? AND originator_version = ?"
                    ),
                    (offset, offset, case_id, version),
                )
            else:
                changed = state[:offset] + bytes([state[offset] ^ 1]) + state[offset + 1 :]
                c.execute(
                    "UPDATE stored_events SET state = ? "
                    "WHERE originator_id = ? AND originator_version = ?",
                    (changed, case_id.hex, version),
                )
            assert c.rowcount == 1

    def garble(self, case_id: UUID, version: int) -> None:
        """Overwrite the event's stored payload with bytes that decode to nothing."""
        with self.cursor() as c:
            c.execute(
                self.q(
                    "UPDATE {events} SET state = ? "
                    "WHERE originator_id = ? AND originator_version = ?"
                ),
                (b"\xff\xfe not an event", self.key(case_id), version),
            )
            assert c.rowcount == 1

    def delete(self, case_id: UUID, version: int) -> None:
        with self.cursor() as c:
            c.execute(
                self.q("DELETE FROM {events} WHERE originator_id = ? AND originator_version = ?"),
                (self.key(case_id), version),
            )
            assert c.rowcount == 1

    def delete_case(self, case_id: UUID) -> None:
        with self.cursor() as c:
            c.execute(self.q("DELETE FROM {events} WHERE originator_id = ?"), (self.key(case_id),))
            assert c.rowcount > 0

    def insert(
        self,
        case_id: UUID,
        version: int,
        topic: str,
        state: bytes,
        hashes: tuple[str | None, str | None, str | None] = (None, None, None),
    ) -> None:
        with self.cursor() as c:
            c.execute(
                self.q(
                    "INSERT INTO {events} (originator_id, originator_version, topic, state, "
                    "prev_hash, hash, chain_hash) VALUES (?, ?, ?, ?, ?, ?, ?)"
                ),
                (self.key(case_id), version, topic, state, *hashes),
            )

    def swap_versions(self, case_id: UUID, first: int, second: int) -> None:
        """Exchange two events' places in their case's order."""
        key = self.key(case_id)
        update = self.q(
            "UPDATE {events} SET originator_version = ? "
            "WHERE originator_id = ? AND originator_version = ?"
        )
        with self.cursor() as c:
            c.execute(update, (-1, key, first))
            c.execute(update, (first, key, second))
            c.execute(update, (second, key, -1))

    def swap_positions(self, case_id: UUID, first: int, second: int) -> None:
        """Exchange two events' places in the store's order."""
        a, b = self.position_of(case_id, first), self.position_of(case_id, second)
        key = self.key(case_id)
        update = self.q(
            "UPDATE {events} SET {pos} = ? WHERE originator_id = ? AND originator_version = ?"
        )
        with self.cursor() as c:
            c.execute(update, (-a, key, first))
            c.execute(update, (a, key, second))
            c.execute(update, (b, key, first))

    def rewrite_from(self, case_id: UUID, version: int) -> None:
        """Change an event, then recompute every hash after it, as a forger who knows how."""
        self.flip_byte(case_id, version)
        with self.cursor() as c:
            c.execute(
                self.q(
                    "SELECT {pos}, originator_id, originator_version, topic, state, prev_hash "
                    "FROM {events} ORDER BY {pos}"
                )
            )
            rows = c.fetchall()
            last: dict[Any, str] = {}
            chain: str | None = None
            for position, originator, v, topic, state, _ in rows:
                oid = originator if isinstance(originator, UUID) else UUID(originator)
                prev = last.get(originator)
                own = event_hash(oid, v, topic, bytes(state), prev)
                chain = chain_hash(chain, own)
                last[originator] = own
                c.execute(
                    self.q(
                        "UPDATE {events} SET prev_hash = ?, hash = ?, chain_hash = ? "
                        "WHERE {pos} = ?"
                    ),
                    (prev, own, chain, position),
                )
