"""The group transaction on PostgreSQL, under the library's EXCLUSIVE table lock."""

from __future__ import annotations

import json
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import psycopg
from eventsourcing.persistence import DataError, IntegrityError
from psycopg.sql import SQL, Identifier

from application.ports import IdempotencyKeyExistsError, VersionConflictError
from infrastructure.eventstore.group import GroupState

if TYPE_CHECKING:
    from collections.abc import Collection, Iterator, Sequence
    from uuid import UUID

    from psycopg.abc import Query
    from psycopg.rows import DictRow

    from application.ports import IdempotencyRecord
    from infrastructure.eventstore.chain import HashedEvent, Latest
    from infrastructure.eventstore.group import AnswerKey, EventKey


class PostgresStatements:
    """The write path's SQL (and the reads of one aggregate), composed once per recorder,
    as bytes: psycopg would otherwise compose a `Composed` again at every execution."""

    def __init__(self, schema: str, events_table: str, answers_table: str, id_type: str) -> None:
        self.events_table = events_table
        names = {
            "schema": Identifier(schema),
            "events": Identifier(events_table),
            "answers": Identifier(answers_table),
            "id_type": Identifier(id_type),
        }
        self.last_chain_hash = (
            SQL(
                "SELECT notification_id, chain_hash FROM {schema}.{events} "
                "ORDER BY notification_id DESC LIMIT 1"
            )
            .format(**names)
            .as_bytes(None)
        )
        self.latest_hashes = (
            SQL(
                "SELECT o.id AS originator_id, e.originator_version, e.hash "
                "FROM unnest(%s::{id_type}[]) AS o(id) LEFT JOIN LATERAL ("
                "  SELECT originator_version, hash FROM {schema}.{events} "
                "  WHERE originator_id = o.id ORDER BY originator_version DESC LIMIT 1"
                ") AS e ON true"
            )
            .format(**names)
            .as_bytes(None)
        )
        self.existing_events = (
            SQL(
                "SELECT e.originator_id, e.originator_version "
                "FROM unnest(%s::{id_type}[], %s::bigint[]) AS k(id, v) "
                "JOIN {schema}.{events} AS e "
                "ON e.originator_id = k.id AND e.originator_version = k.v"
            )
            .format(**names)
            .as_bytes(None)
        )
        self.existing_answers = (
            SQL(
                "SELECT a.caller, a.path, a.key "
                "FROM unnest(%s::text[], %s::text[], %s::text[]) AS k(c, p, k) "
                "JOIN {schema}.{answers} AS a ON a.caller = k.c AND a.path = k.p AND a.key = k.k"
            )
            .format(**names)
            .as_bytes(None)
        )
        self.hash_below = (
            SQL(
                "SELECT hash FROM {schema}.{events} "
                "WHERE originator_id = %s AND originator_version < %s "
                "ORDER BY originator_version DESC LIMIT 1"
            )
            .format(**names)
            .as_bytes(None)
        )
        self.insert_events = (
            SQL(
                "INSERT INTO {schema}.{events} (originator_id, originator_version, topic, state, "
                "prev_hash, hash, chain_hash) "
                "SELECT * FROM unnest(%s::{id_type}[], %s::bigint[], %s::text[], %s::bytea[], "
                "%s::text[], %s::text[], %s::text[]) "
                "RETURNING notification_id"
            )
            .format(**names)
            .as_bytes(None)
        )
        self._events_of = SQL(
            "SELECT originator_id, originator_version, topic, state "
            "FROM {schema}.{events} WHERE originator_id = %s"
        ).format(**names)
        self._select_events: dict[tuple[bool, bool, bool, bool], bytes] = {}
        self.select_states = (
            SQL(
                "SELECT originator_version, topic, state FROM {schema}.{events} "
                "WHERE originator_id = %s ORDER BY originator_version"
            )
            .format(**names)
            .as_bytes(None)
        )
        self.insert_answers = (
            SQL(
                "INSERT INTO {schema}.{answers} (caller, path, key, fingerprint, status, headers, "
                "body, position) "
                "SELECT c, p, k, f, s, h::jsonb, b, n FROM unnest(%s::text[], %s::text[], "
                "%s::text[], %s::text[], %s::int[], %s::text[], %s::bytea[], %s::bigint[]) "
                "AS u(c, p, k, f, s, h, b, n)"
            )
            .format(**names)
            .as_bytes(None)
        )

    def select_events(self, gt: bool, lte: bool, desc: bool, limit: bool) -> bytes:
        """One aggregate's events, in the library's order, with its optional bounds."""
        shape = (gt, lte, desc, limit)
        statement = self._select_events.get(shape)
        if statement is None:
            query = self._events_of
            if gt:
                query += SQL(" AND originator_version > %s")
            if lte:
                query += SQL(" AND originator_version <= %s")
            query += SQL(" ORDER BY originator_version")
            if desc:
                query += SQL(" DESC")
            if limit:
                query += SQL(" LIMIT %s")
            statement = self._select_events[shape] = query.as_bytes(None)
        return statement


class PostgresWriteSession:
    def __init__(
        self,
        conn: psycopg.Connection[DictRow],
        statements: PostgresStatements,
        preamble: Sequence[Query],
    ) -> None:
        self._conn = conn
        self._curs = conn.cursor()
        self._sql = statements
        self._preamble = preamble  # lock and notify, sent with the first reads
        self.position_before: int | None = None  # once read under the lock

    def _execute(self, query: bytes, params: Sequence[Any] | None = None) -> None:
        self._curs.execute(query, params, prepare=True)

    def read_state(
        self,
        originator_ids: Collection[UUID | str],
        event_keys: Collection[EventKey],
        answer_keys: Collection[AnswerKey],
    ) -> GroupState:
        """One round trip: take the lock, queue the NOTIFY, and read what the group needs."""
        conn, sql = self._conn, self._sql
        ids, events, answers = list(originator_ids), list(event_keys), list(answer_keys)
        chain_c, latest_c, events_c, answers_c = (conn.cursor() for _ in range(4))
        with conn.pipeline():
            for statement in self._preamble:
                conn.execute(statement, prepare=True)
            chain_c.execute(sql.last_chain_hash, prepare=True)
            if ids:
                latest_c.execute(sql.latest_hashes, (ids,), prepare=True)
            if events:
                params = ([k[0] for k in events], [k[1] for k in events])
                events_c.execute(sql.existing_events, params, prepare=True)
            if answers:
                params3 = (
                    [k[0] for k in answers],
                    [k[1] for k in answers],
                    [k[2] for k in answers],
                )
                answers_c.execute(sql.existing_answers, params3, prepare=True)
        row = chain_c.fetchone()
        last_chain_hash = None if row is None else row["chain_hash"]
        self.position_before = 0 if row is None else row["notification_id"]
        by_text = {str(i): i for i in ids}  # answer under the caller's own keys
        latest: Latest = {}
        for row in latest_c.fetchall() if ids else []:
            version = row["originator_version"]
            key = by_text[str(row["originator_id"])]
            latest[key] = None if version is None else (version, row["hash"])
        by_event = {(str(k[0]), k[1]): k for k in events}
        existing_events = {
            by_event[str(row["originator_id"]), row["originator_version"]]
            for row in (events_c.fetchall() if events else [])
        }
        existing_answers = {
            (row["caller"], row["path"], row["key"])
            for row in (answers_c.fetchall() if answers else [])
        }
        return GroupState(
            last_chain_hash, self.position_before, latest, existing_events, existing_answers
        )

    def hash_below(self, originator_id: UUID | str, version: int) -> str | None:
        self._execute(self._sql.hash_below, (originator_id, version))
        row = self._curs.fetchone()
        return None if row is None else row["hash"]

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        try:
            with self._conn.transaction():  # nested: a SAVEPOINT
                yield
        except psycopg.errors.UniqueViolation as error:
            if error.diag.table_name == self._sql.events_table:  # (originator_id, version)
                raise VersionConflictError(str(error)) from error
            raise IntegrityError(str(error)) from error
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
            with self._conn.pipeline():  # its answer now (in pipeline mode, it would come later)
                self._execute(self._sql.insert_answers, params)
        except psycopg.errors.UniqueViolation:
            if len(answers) > 1:
                raise
            record = answers[0][0]
            raise IdempotencyKeyExistsError(record.caller, record.path, record.key) from None
