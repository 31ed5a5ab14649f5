"""Our SQLite application recorder: group commit, hash columns, idempotency, polling."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore

from application.ports import StoredAnswer
from infrastructure.eventstore.chain import ChainRow
from infrastructure.eventstore.group import write_group
from infrastructure.eventstore.recorder import GroupCommitRecorder
from infrastructure.eventstore.sqlite_errors import sqlite_errors
from infrastructure.eventstore.sqlite_session import SQLiteWriteSession, db_id
from infrastructure.eventstore.subscription import PollingSubscription

if TYPE_CHECKING:
    from collections.abc import Sequence

    from eventsourcing.persistence import ApplicationRecorder, Subscription

    from infrastructure.eventstore.group import Outcome
    from infrastructure.eventstore.writer import PendingCommand

HASH_COLUMNS = ("prev_hash", "hash", "chain_hash")
_CHAIN_COLUMNS = (
    "rowid, originator_id, originator_version, topic, state, prev_hash, hash, chain_hash"
)


class TongjieSQLiteRecorder(GroupCommitRecorder, SQLiteApplicationRecorder):
    def __init__(
        self,
        datastore: SQLiteDatastore,
        events_table_name: str = "stored_events",
        *,
        idempotency_table_name: str = "idempotency_records",
        max_group_size: int = 256,
        poll_interval: float = 0.05,
    ) -> None:
        self.idempotency_table_name = idempotency_table_name
        super().__init__(datastore, events_table_name)
        self.poll_interval = poll_interval
        self._start_group_commit(max_group_size)

    def construct_create_table_statements(self) -> list[str]:
        return [
            f"CREATE TABLE IF NOT EXISTS {self.events_table_name} ("
            "originator_id TEXT, originator_version INTEGER, topic TEXT, state BLOB, "
            "prev_hash TEXT, hash TEXT, chain_hash TEXT, "
            "PRIMARY KEY (originator_id, originator_version))",
            f"CREATE TABLE IF NOT EXISTS {self.idempotency_table_name} ("
            "caller TEXT NOT NULL, path TEXT NOT NULL, key TEXT NOT NULL, "
            "fingerprint TEXT NOT NULL, status INTEGER NOT NULL, headers TEXT NOT NULL, "
            "body BLOB NOT NULL, position INTEGER, created_at TEXT NOT NULL, "
            "PRIMARY KEY (caller, path, key))",
            f"CREATE INDEX IF NOT EXISTS {self.idempotency_table_name}_created_at "
            f"ON {self.idempotency_table_name} (created_at)",
        ]

    def create_table(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(f"PRAGMA table_info({self.events_table_name})")
            columns = {row["name"] for row in c.fetchall()}
            if columns:  # a table made earlier, maybe by the library's recorder
                for column in HASH_COLUMNS:
                    if column not in columns:
                        c.execute(f"ALTER TABLE {self.events_table_name} ADD COLUMN {column} TEXT")
            self._create_table(c)

    # Write path.

    def _write_group(self, commands: list[PendingCommand]) -> list[Outcome]:
        with self.datastore.get_connection(commit=True) as conn, sqlite_errors():
            cursor = conn.cursor().sqlite_cursor
            cursor.execute("BEGIN IMMEDIATE")
            try:
                session = SQLiteWriteSession(
                    cursor, self.events_table_name, self.idempotency_table_name
                )
                outcomes = write_group(session, commands)
                conn.commit()
                self._observe_group(session.position_before, outcomes)
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    conn.rollback()
                raise
            finally:
                cursor.close()
        return outcomes

    def subscribe(
        self, gt: int | None = None, topics: Sequence[str] = ()
    ) -> Subscription[ApplicationRecorder]:
        return PollingSubscription(
            self, gt, topics, signal=self.commit_signal, poll_interval=self.poll_interval
        )

    # Reads of one aggregate for a replay (infrastructure/eventstore/reading.py).

    def select_states(self, originator_id: UUID) -> list[tuple[int, str, bytes]]:
        with self.datastore.transaction(commit=False) as c:
            cursor = c.sqlite_cursor
            cursor.row_factory = None  # plain tuples: this transaction's cursor only
            cursor.execute(
                f"SELECT originator_version, topic, state FROM {self.events_table_name} "
                "WHERE originator_id = ? ORDER BY originator_version",
                (db_id(originator_id),),
            )
            rows: list[tuple[int, str, bytes]] = cursor.fetchall()
            return rows

    # Idempotency.

    def find_idempotency(self, caller: str, path: str, key: str) -> StoredAnswer | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                "SELECT caller, path, key, fingerprint, status, headers, body, position, "
                f"created_at FROM {self.idempotency_table_name} "
                "WHERE caller=? AND path=? AND key=?",
                (caller, path, key),
            )
            row = c.fetchone()
        if row is None:
            return None
        return StoredAnswer(
            key=row["key"],
            caller=row["caller"],
            path=row["path"],
            fingerprint=row["fingerprint"],
            status=row["status"],
            headers=json.loads(row["headers"]),
            body=bytes(row["body"]),
            position=row["position"],
            created_at=datetime.fromisoformat(row["created_at"]),
        )

    def purge_idempotency(self, older_than: timedelta) -> int:
        cutoff = (datetime.now(UTC) - older_than).isoformat()
        with self.datastore.transaction(commit=True) as c:
            c.execute(f"DELETE FROM {self.idempotency_table_name} WHERE created_at < ?", (cutoff,))
            return int(c.sqlite_cursor.rowcount)

    # Audit.

    def select_chain(self, start: int | None, limit: int) -> list[ChainRow]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT {_CHAIN_COLUMNS} FROM {self.events_table_name} "
                "WHERE rowid >= ? ORDER BY rowid LIMIT ?",
                (start or 0, limit),
            )
            return [self._chain_row(row) for row in c.fetchall()]

    def select_case_chain(self, originator_id: UUID) -> list[ChainRow]:
        with self.datastore.transaction(commit=False) as c:
            cursor = c.sqlite_cursor
            cursor.row_factory = None  # plain tuples: this transaction's cursor only
            cursor.execute(
                "SELECT rowid, originator_version, topic, state, prev_hash, hash, chain_hash "
                f"FROM {self.events_table_name} "
                "WHERE originator_id = ? ORDER BY originator_version",
                (db_id(originator_id),),
            )
            # Every row is the one aggregate's: its id is the one asked for.
            make = ChainRow._make  # one call in C per row
            return [
                make((n, originator_id, version, topic, bytes(state), prev, own, chain))
                for n, version, topic, state, prev, own, chain in cursor.fetchall()
            ]

    def last_chain_position(self) -> tuple[int, str | None]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT rowid, chain_hash FROM {self.events_table_name} "
                "ORDER BY rowid DESC LIMIT 1"
            )
            row = c.fetchone()
        return (0, None) if row is None else (row[0], row[1])

    @staticmethod
    def _chain_row(row: Any) -> ChainRow:
        return ChainRow(
            notification_id=row["rowid"],
            originator_id=UUID(row["originator_id"]),
            originator_version=row["originator_version"],
            topic=row["topic"],
            state=bytes(row["state"]),
            prev_hash=row["prev_hash"],
            hash=row["hash"],
            chain_hash=row["chain_hash"],
        )
