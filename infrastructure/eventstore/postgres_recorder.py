"""Our PostgreSQL application recorder: group commit, hash columns, idempotency records.

Reads and the LISTEN/NOTIFY subscription are the library's; the write transaction takes the
library's EXCLUSIVE table lock and issues its NOTIFY, so readers tailing the notification
ids never pass a gap that a slower transaction fills in later.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from eventsourcing.persistence import InterfaceError, Notification, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composable, Identifier, Literal

from application.ports import CommitOutcomeUnknownError, StoredAnswer
from infrastructure.eventstore.chain import ChainRow
from infrastructure.eventstore.group import write_group
from infrastructure.eventstore.postgres_session import PostgresStatements, PostgresWriteSession
from infrastructure.eventstore.recorder import GroupCommitRecorder
from infrastructure.reachability import retried, retryable

if TYPE_CHECKING:
    from collections.abc import Sequence
    from uuid import UUID

    from infrastructure.eventstore.group import Outcome
    from infrastructure.eventstore.writer import PendingCommand

_CHAIN_COLUMNS = SQL(
    "notification_id, originator_id, originator_version, topic, state, prev_hash, hash, chain_hash"
)


class TongjiePostgresRecorder(GroupCommitRecorder, PostgresApplicationRecorder):
    def __init__(
        self,
        datastore: PostgresDatastore,
        *,
        events_table_name: str = "stored_events",
        idempotency_table_name: str = "idempotency_records",
        max_group_size: int = 256,
        write_attempts: int = 2,
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.write_attempts = max(1, write_attempts)
        self.check_identifier_length(idempotency_table_name)
        self.idempotency_table_name = idempotency_table_name
        names = {
            "schema": Identifier(self.datastore.schema),
            "events": Identifier(self.events_table_name),
            "answers": Identifier(idempotency_table_name),
            "created_idx": Identifier(f"{idempotency_table_name}_created_at_idx"),
        }
        self._names = names
        self.sql_create_statements += [
            # ALTER TABLE takes the table's ACCESS EXCLUSIVE lock even when the columns exist:
            # every process start would wait behind any reader (a backup, an audit) and hold
            # up every read and write queued behind it. So only when they are missing.
            SQL(
                "DO $$ BEGIN IF (SELECT count(*) FROM pg_attribute "
                "WHERE attrelid = {relation}::regclass AND NOT attisdropped "
                "AND attname IN ('prev_hash', 'hash', 'chain_hash')) < 3 THEN "
                "ALTER TABLE {schema}.{events} "
                "ADD COLUMN IF NOT EXISTS prev_hash text, "
                "ADD COLUMN IF NOT EXISTS hash text, "
                "ADD COLUMN IF NOT EXISTS chain_hash text; "
                "END IF; END $$"
            ).format(
                relation=Literal(f'"{self.datastore.schema}"."{self.events_table_name}"'),
                **names,
            ),
            SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.{answers} ("
                "caller text NOT NULL, path text NOT NULL, key text NOT NULL, "
                "fingerprint text NOT NULL, status integer NOT NULL, headers jsonb NOT NULL, "
                "body bytea NOT NULL, position bigint, "
                "created_at timestamptz NOT NULL DEFAULT now(), "
                "PRIMARY KEY (caller, path, key))"
            ).format(**names),
            SQL(
                "CREATE INDEX IF NOT EXISTS {created_idx} ON {schema}.{answers} (created_at)"
            ).format(**names),
        ]
        self._statements = PostgresStatements(
            self.datastore.schema,
            self.events_table_name,
            idempotency_table_name,
            self.datastore.originator_id_type,
        )
        # The library's table lock, and its NOTIFY (delivered at COMMIT to its LISTEN).
        self._preamble = [
            query.as_bytes(None) if isinstance(query, Composable) else query
            for query in (
                *self.lock_table_statements,
                SQL("NOTIFY {0}").format(Identifier(self.channel_name)),
            )
        ]
        self._start_group_commit(max_group_size)

    # Write path.

    def _write_group(self, commands: list[PendingCommand]) -> list[Outcome]:
        """One transaction; retried once on a lost connection, unless COMMIT was sent.

        A pooled connection may be stale (a server restart): retrying before COMMIT is safe
        because nothing was committed. A failure at COMMIT has an unknown outcome, so it is
        raised to every caller of the group, never retried. In pipeline mode, statements
        whose answers are not needed yet travel with the next ones: BEGIN with the reads,
        the savepoint with the insert, its release with COMMIT (three round trips, not six).
        """
        for attempt in range(1, self.write_attempts + 1):
            committing = False
            try:
                with (
                    self.datastore.get_connection() as conn,
                    conn.pipeline(),
                    conn.transaction(),
                ):
                    session = PostgresWriteSession(conn, self._statements, self._preamble)
                    outcomes = write_group(session, commands)
                    committing = True  # leaving the block sends COMMIT
            except (OperationalError, InterfaceError) as error:
                if committing:
                    msg = f"the connection was lost at COMMIT: {error}"
                    raise CommitOutcomeUnknownError(msg) from error
                if attempt == self.write_attempts or not retryable(error):
                    raise
                time.sleep(0.05 * attempt)
            else:
                self._observe_group(session.position_before, outcomes)
                return outcomes
        raise AssertionError  # unreachable

    # Reads of one aggregate: every load and every fast-forward of a cached one.

    @retried  # not the library's ten tries 0.2 s apart: an outage answers at once (503)
    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> list[StoredEvent]:
        """The library's query, composed once per shape instead of on every call, and without
        the hash columns (which only the audit reads)."""
        params: list[Any] = [originator_id]
        params += [value for value in (gt, lte, limit) if value is not None]
        statement = self._statements.select_events(
            gt is not None, lte is not None, desc, limit is not None
        )
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, params, prepare=True)
            return [
                StoredEvent(
                    originator_id=row["originator_id"],
                    originator_version=row["originator_version"],
                    topic=row["topic"],
                    state=bytes(row["state"]),
                )
                for row in curs.fetchall()
            ]

    # The library's reads of the log, without its ten tries 0.2 s apart.

    @retried
    def max_notification_id(self) -> int | None:
        found: int | None = PostgresApplicationRecorder.max_notification_id.__wrapped__(self)
        return found

    @retried
    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        select = PostgresApplicationRecorder.select_notifications.__wrapped__
        found: Sequence[Notification] = select(
            self, start, limit, stop, topics, inclusive_of_start=inclusive_of_start
        )
        return found

    @retried  # not the library's ten tries 0.2 s apart: an outage answers at once (503)
    def select_states(self, originator_id: UUID) -> list[tuple[int, str, bytes]]:
        """One aggregate's versions, topics and states for a replay (reading.py)."""
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            # Binary: the states come as their bytes, not as hex text to decode (half the time).
            curs.execute(
                self._statements.select_states, (originator_id,), prepare=True, binary=True
            )
            return curs.fetchall()

    # Idempotency.

    def find_idempotency(self, caller: str, path: str, key: str) -> StoredAnswer | None:
        query = SQL(
            "SELECT caller, path, key, fingerprint, status, headers, body, position, created_at "
            "FROM {schema}.{answers} WHERE caller = %s AND path = %s AND key = %s"
        ).format(**self._names)
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(query, (caller, path, key), prepare=True)
            row = curs.fetchone()
        if row is None:
            return None
        headers = row["headers"]
        return StoredAnswer(
            key=row["key"],
            caller=row["caller"],
            path=row["path"],
            fingerprint=row["fingerprint"],
            status=row["status"],
            headers=json.loads(headers) if isinstance(headers, str) else dict(headers),
            body=bytes(row["body"]),
            position=row["position"],
            created_at=row["created_at"],
        )

    def purge_idempotency(self, older_than: timedelta) -> int:
        query = SQL("DELETE FROM {schema}.{answers} WHERE created_at < now() - %s").format(
            **self._names
        )
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(query, (older_than,))
            return curs.rowcount

    # Audit.

    def select_chain(self, start: int | None, limit: int) -> list[ChainRow]:
        query = SQL(
            "SELECT {columns} FROM {schema}.{events} WHERE notification_id >= %s "
            "ORDER BY notification_id LIMIT %s"
        ).format(columns=_CHAIN_COLUMNS, **self._names)
        return self._select_chain_rows(query, (start or 0, limit))

    def select_case_chain(self, originator_id: UUID) -> list[ChainRow]:
        query = SQL(
            "SELECT notification_id, originator_version, topic, state, prev_hash, hash, "
            "chain_hash FROM {schema}.{events} WHERE originator_id = %s "
            "ORDER BY originator_version"
        ).format(**self._names)
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(query, (originator_id,), prepare=True, binary=True)  # see select_states
            # Every row is the one aggregate's: its id is the one asked for.
            make = ChainRow._make  # one call in C per row
            return [
                make((n, originator_id, version, topic, bytes(state), prev, own, chain))
                for n, version, topic, state, prev, own, chain in curs.fetchall()
            ]

    def _select_chain_rows(self, query: Any, params: tuple[Any, ...]) -> list[ChainRow]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(query, params, prepare=True, binary=True)  # see select_states
            return [
                ChainRow(
                    notification_id=row["notification_id"],
                    originator_id=row["originator_id"],
                    originator_version=row["originator_version"],
                    topic=row["topic"],
                    state=bytes(row["state"]),
                    prev_hash=row["prev_hash"],
                    hash=row["hash"],
                    chain_hash=row["chain_hash"],
                )
                for row in curs.fetchall()
            ]

    def last_chain_position(self) -> tuple[int, str | None]:
        query = SQL(
            "SELECT notification_id, chain_hash FROM {schema}.{events} "
            "ORDER BY notification_id DESC LIMIT 1"
        ).format(**self._names)
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(query, prepare=True)
            row = curs.fetchone()
        return (0, None) if row is None else (row["notification_id"], row["chain_hash"])
