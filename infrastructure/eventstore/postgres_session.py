"""The group transaction on PostgreSQL, under the library's EXCLUSIVE table lock."""

from __future__ import annotations

import json
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import psycopg
from eventsourcing.persistence import DataError, IntegrityError
from psycopg.sql import SQL, Composed, Identifier

from infrastructure.eventstore.idempotency import IdempotencyKeyExistsError

if TYPE_CHECKING:
    from collections.abc import Collection, Iterator, Sequence
    from uuid import UUID

    from psycopg.rows import DictRow

    from infrastructure.eventstore.chain import HashedEvent, Latest
    from infrastructure.eventstore.idempotency import IdempotencyRecord


class PostgresStatements:
    """The write path's SQL, composed once per recorder."""

    def __init__(self, schema: str, events_table: str, answers_table: str, id_type: str) -> None:
        names = {
            "schema": Identifier(schema),
            "events": Identifier(events_table),
            "answers": Identifier(answers_table),
            "id_type": Identifier(id_type),
        }
        self.last_chain_hash = SQL(
            "SELECT chain_hash FROM {schema}.{events} ORDER BY notification_id DESC LIMIT 1"
        ).format(**names)
        self.latest_hashes = SQL(
            "SELECT o.id AS originator_id, e.originator_version, e.hash "
            "FROM unnest(%s::{id_type}[]) AS o(id) LEFT JOIN LATERAL ("
            "  SELECT originator_version, hash FROM {schema}.{events} "
            "  WHERE originator_id = o.id ORDER BY originator_version DESC LIMIT 1"
            ") AS e ON true"
        ).format(**names)
        self.hash_below = SQL(
            "SELECT hash FROM {schema}.{events} "
            "WHERE originator_id = %s AND originator_version < %s "
            "ORDER BY originator_version DESC LIMIT 1"
        ).format(**names)
        self.insert_events = SQL(
            "INSERT INTO {schema}.{events} (originator_id, originator_version, topic, state, "
            "prev_hash, hash, chain_hash) "
            "SELECT * FROM unnest(%s::{id_type}[], %s::bigint[], %s::text[], %s::bytea[], "
            "%s::text[], %s::text[], %s::text[]) "
            "RETURNING notification_id"
        ).format(**names)
        self.insert_answers = SQL(
            "INSERT INTO {schema}.{answers} (caller, path, key, fingerprint, status, headers, "
            "body, position) "
            "SELECT c, p, k, f, s, h::jsonb, b, n FROM unnest(%s::text[], %s::text[], "
            "%s::text[], %s::text[], %s::int[], %s::text[], %s::bytea[], %s::bigint[]) "
            "AS u(c, p, k, f, s, h, b, n)"
        ).format(**names)
        self.answer_exists = SQL(
            "SELECT 1 FROM {schema}.{answers} WHERE caller = %s AND path = %s AND key = %s"
        ).format(**names)


class PostgresWriteSession:
    def __init__(
        self,
        conn: psycopg.Connection[DictRow],
        curs: psycopg.Cursor[DictRow],
        statements: PostgresStatements,
    ) -> None:
        self._conn = conn
        self._curs = curs
        self._sql = statements

    def _execute(self, query: Composed, params: Sequence[Any] | None = None) -> None:
        self._curs.execute(query, params, prepare=True)

    def last_chain_hash(self) -> str | None:
        self._execute(self._sql.last_chain_hash)
        row = self._curs.fetchone()
        return None if row is None else row["chain_hash"]

    def latest_hashes(self, originator_ids: Collection[UUID | str]) -> Latest:
        ids = list(originator_ids)
        if not ids:
            return {}
        self._execute(self._sql.latest_hashes, (ids,))
        by_text = {str(i): i for i in ids}  # answer under the caller's own keys
        latest: Latest = {}
        for row in self._curs.fetchall():
            key = by_text[str(row["originator_id"])]
            version = row["originator_version"]
            latest[key] = None if version is None else (version, row["hash"])
        return latest

    def hash_below(self, originator_id: UUID | str, version: int) -> str | None:
        self._execute(self._sql.hash_below, (originator_id, version))
        row = self._curs.fetchone()
        return None if row is None else row["hash"]

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        try:
            with self._conn.transaction():  # nested: a SAVEPOINT
                yield
        except psycopg.IntegrityError as error:
            raise IntegrityError(str(error)) from error
        except psycopg.DataError as error:
            raise DataError(str(error)) from error

    def insert_events(self, events: Sequence[HashedEvent]) -> list[int]:
        if not events:
            return []
        columns = list(zip(*events, strict=True))
        self._execute(self._sql.insert_events, [list(column) for column in columns])
        ids = [row["notification_id"] for row in self._curs.fetchall()]
        if len(ids) != len(events):
            msg = f"inserted {len(events)} events, got {len(ids)} notification ids"
            raise RuntimeError(msg)
        return ids

    def insert_answers(self, answers: Sequence[tuple[IdempotencyRecord, int | None]]) -> None:
        params = [
            [r.caller for r, _ in answers],
            [r.path for r, _ in answers],
            [r.key for r, _ in answers],
            [r.fingerprint for r, _ in answers],
            [r.status for r, _ in answers],
            [json.dumps(r.headers) for r, _ in answers],
            [bytes(r.body) for r, _ in answers],
            [position for _, position in answers],
        ]
        try:
            self._execute(self._sql.insert_answers, params)
        except psycopg.errors.UniqueViolation:
            if len(answers) > 1:
                raise
            record = answers[0][0]
            raise IdempotencyKeyExistsError(record.caller, record.path, record.key) from None

    def answer_exists(self, record: IdempotencyRecord) -> bool:
        self._execute(self._sql.answer_exists, (record.caller, record.path, record.key))
        return self._curs.fetchone() is not None
