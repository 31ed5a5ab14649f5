"""The group transaction on SQLite: BEGIN IMMEDIATE holds the write lock across processes."""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from uuid import UUID

from application.ports import IdempotencyKeyExistsError, VersionConflictError
from infrastructure.eventstore.group import GroupState
from infrastructure.eventstore.sqlite_errors import translate

if TYPE_CHECKING:
    from collections.abc import Collection, Iterator, Sequence

    from application.ports import IdempotencyRecord
    from infrastructure.eventstore.chain import HashedEvent, Latest
    from infrastructure.eventstore.group import AnswerKey, EventKey


_IDS_PER_QUERY = 500
_UNIQUE_VIOLATIONS = frozenset({"SQLITE_CONSTRAINT_PRIMARYKEY", "SQLITE_CONSTRAINT_UNIQUE"})


def db_id(originator_id: UUID | str) -> str:
    return originator_id.hex if isinstance(originator_id, UUID) else originator_id


class SQLiteWriteSession:
    def __init__(self, cursor: sqlite3.Cursor, events_table: str, answers_table: str) -> None:
        self._c = cursor
        self._events = events_table
        self._answers = answers_table
        self.position_before: int | None = None  # once read under the lock
        self._insert = (
            f"INSERT INTO {events_table} (originator_id, originator_version, topic, state, "
            "prev_hash, hash, chain_hash) VALUES (?,?,?,?,?,?,?)"
        )
        self._insert_answer = (
            f"INSERT INTO {answers_table} (caller, path, key, fingerprint, status, headers, "
            "body, position, created_at) VALUES (?,?,?,?,?,?,?,?,?)"
        )

    def read_state(
        self,
        originator_ids: Collection[UUID | str],
        event_keys: Collection[EventKey],
        answer_keys: Collection[AnswerKey],
    ) -> GroupState:
        c = self._c
        c.execute(f"SELECT rowid, chain_hash FROM {self._events} ORDER BY rowid DESC LIMIT 1")
        row = c.fetchone()
        last_chain_hash = None if row is None else row[1]
        self.position_before = 0 if row is None else int(row[0])
        latest = self._latest(originator_ids)
        existing_events: set[EventKey] = set()
        for originator_id, version in event_keys:
            known = latest.get(originator_id, (version, None))
            if known is None or known[0] < version:
                continue  # nothing of it stored at this version or above
            c.execute(
                f"SELECT 1 FROM {self._events} WHERE originator_id=? AND originator_version=?",
                (db_id(originator_id), version),
            )
            if c.fetchone() is not None:
                existing_events.add((originator_id, version))
        existing_answers: set[AnswerKey] = set()
        for key in answer_keys:
            c.execute(f"SELECT 1 FROM {self._answers} WHERE caller=? AND path=? AND key=?", key)
            if c.fetchone() is not None:
                existing_answers.add(key)
        return GroupState(
            last_chain_hash, self.position_before, latest, existing_events, existing_answers
        )

    def _latest(self, originator_ids: Collection[UUID | str]) -> Latest:
        """Each originator's highest stored version and its hash, in queries of many ids.

        SQLite takes the bare column `hash` from the row that holds the MAX().
        """
        latest: Latest = dict.fromkeys(originator_ids)
        by_db_id: dict[str, list[UUID | str]] = {}
        for originator_id in originator_ids:  # a UUID and its hex are the same originator
            by_db_id.setdefault(db_id(originator_id), []).append(originator_id)
        keys = list(by_db_id)
        for start in range(0, len(keys), _IDS_PER_QUERY):
            chunk = keys[start : start + _IDS_PER_QUERY]
            self._c.execute(
                f"SELECT originator_id, MAX(originator_version), hash FROM {self._events} "
                f"WHERE originator_id IN ({','.join('?' * len(chunk))}) GROUP BY originator_id",
                chunk,
            )
            for stored_id, version, hash_ in self._c.fetchall():
                for originator_id in by_db_id[stored_id]:
                    latest[originator_id] = (version, hash_)
        return latest

    def hash_below(self, originator_id: UUID | str, version: int) -> str | None:
        self._c.execute(
            f"SELECT hash FROM {self._events} WHERE originator_id=? AND originator_version<? "
            "ORDER BY originator_version DESC LIMIT 1",
            (db_id(originator_id), version),
        )
        row = self._c.fetchone()
        return None if row is None else row[0]

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        self._c.execute("SAVEPOINT tongjie_command")
        try:
            yield
        except BaseException as error:
            self._c.execute("ROLLBACK TO tongjie_command")
            self._c.execute("RELEASE tongjie_command")
            if isinstance(error, sqlite3.Error):
                raise translate(error) from error
            raise
        self._c.execute("RELEASE tongjie_command")

    def insert_events(self, events: Sequence[HashedEvent]) -> list[int]:
        ids: list[int] = []
        for e in events:
            row = (
                db_id(e.originator_id),
                e.originator_version,
                e.topic,
                e.state,
                e.prev_hash,
                e.hash,
                e.chain_hash,
            )
            try:
                self._c.execute(self._insert, row)
            except sqlite3.IntegrityError as error:  # the key is (originator_id, version)
                if error.sqlite_errorname in _UNIQUE_VIOLATIONS:
                    raise VersionConflictError(str(error)) from error
                raise
            assert self._c.lastrowid is not None
            ids.append(self._c.lastrowid)
        return ids

    def insert_answers(self, answers: Sequence[tuple[IdempotencyRecord, int | None]]) -> None:
        created_at = datetime.now(UTC).isoformat()
        for record, position in answers:
            try:
                self._c.execute(
                    self._insert_answer,
                    (
                        record.caller,
                        record.path,
                        record.key,
                        record.fingerprint,
                        record.status,
                        json.dumps(record.headers),
                        bytes(record.body),
                        position,
                        created_at,
                    ),
                )
            except sqlite3.IntegrityError:
                if len(answers) > 1:
                    raise
                raise IdempotencyKeyExistsError(record.caller, record.path, record.key) from None
