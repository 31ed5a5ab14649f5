"""The access log of reads (`case_reads`), beside the event store, hash-chained, group-committed.

Each line: `seq` (1, 2, 3, ... with no gap), `read_at`, `case_id`, `actor_id`, `login`, `role`,
`path`, `prev_hash` (the line before's `hash`, NULL for the first) and `hash`: SHA-256 over the
line's fields and `prev_hash`. Deleting or changing a line breaks the chain at the next line
(or leaves a gap in `seq`), which `verify` names.

Appending takes the log's lock (PostgreSQL: an advisory lock in the transaction; SQLite:
`BEGIN IMMEDIATE`), reads the last line and inserts after it. So that reads do not queue on
that lock one by one, one thread per process writes whatever reads are waiting in one
transaction (a group commit, as the event store's writer does); each caller waits until its
group's COMMIT has returned, so a read is answered only once its line is durable.
"""

from __future__ import annotations

import hashlib
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import UUID

import orjson
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore
from psycopg.sql import SQL, Identifier

from domain.integrity import Finding, Tampering
from domain.reads import READ_LOG, CaseRead, LoggedRead, ReadLogCheck
from infrastructure.settings import SQLITE_LOCK_TIMEOUT

logger = logging.getLogger(__name__)

TABLE = "case_reads"
LOCK = 0x7265616473  # "reads": serialises appends of several processes (PostgreSQL)
MAX_GROUP = 512
WAIT = 10.0
"""Seconds a read waits for its line to be stored before it fails (503)."""
_COLUMNS = "seq, read_at, case_id, actor_id, login, role, path, prev_hash, hash"


def line_hash(seq: int, read: CaseRead, prev_hash: str | None) -> str:
    payload = orjson.dumps(
        [
            seq,
            read.read_at.astimezone(UTC).isoformat(timespec="microseconds"),
            str(read.case_id),
            read.actor_id,
            read.login,
            read.role,
            read.path,
            prev_hash,
        ]
    )
    return hashlib.sha256(payload).hexdigest()


class Cursor(Protocol):
    """A cursor whose statements say `{table}` for the log's table and `%s` for parameters."""

    def execute(self, statement: str, params: Sequence[Any] = ()) -> None: ...
    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None: ...
    def fetchone(self) -> tuple[Any, ...] | None: ...
    def fetchall(self) -> list[tuple[Any, ...]]: ...


Connect = Callable[[bool], AbstractContextManager[Cursor]]
"""Opens a transaction (a writing one, holding the log's lock, if asked) and its cursor."""


class _Committer:
    """One daemon thread writing groups of waiting reads, each group one transaction."""

    def __init__(self, write: Callable[[list[CaseRead]], None]) -> None:
        self._write = write
        self._queue: queue.Queue[tuple[Sequence[CaseRead], Future[None]]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def submit(self, reads: Sequence[CaseRead]) -> None:
        self._ensure_thread()
        future: Future[None] = Future()
        self._queue.put((reads, future))
        future.result(timeout=WAIT)

    def _ensure_thread(self) -> None:
        if self._thread is not None:
            return
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="tongjie-readlog-writer", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            group = [self._queue.get()]
            size = len(group[0][0])
            while size < MAX_GROUP:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                group.append(item)
                size += len(item[0])
            reads = [read for batch, _ in group for read in batch]
            try:
                self._write(reads)
            except Exception as error:
                logger.warning("reads not logged: %s", error)
                for _, future in group:
                    future.set_exception(error)
                continue
            for _, future in group:
                future.set_result(None)


class ReadLogStore:
    """The log on one database; satisfies `application.read_log.ReadLogPort`."""

    def __init__(self, dialect: str, connect: Connect) -> None:
        self.dialect = dialect
        self._connect = connect
        self._committer = _Committer(self._write)

    def append(self, reads: Sequence[CaseRead]) -> None:
        self._committer.submit(reads)

    def of_case(self, case_id: UUID) -> list[LoggedRead]:
        return self.of_cases([case_id])

    def of_cases(self, case_ids: Sequence[UUID]) -> list[LoggedRead]:
        found: list[LoggedRead] = []
        ids = [self._id(case_id) for case_id in dict.fromkeys(case_ids)]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            where = f"WHERE case_id IN ({', '.join('%s' for _ in chunk)})"
            found += [_logged(line) for line in self._lines(where, chunk)]
        return sorted(found, key=lambda line: line.seq)

    def verify(self) -> ReadLogCheck:
        return check_lines([_logged(line) for line in self._lines()])

    def _write(self, reads: list[CaseRead]) -> None:
        with self._connect(True) as cursor:
            cursor.execute("SELECT seq, hash FROM {table} ORDER BY seq DESC LIMIT 1")
            last = cursor.fetchone()
            seq, prev = (int(last[0]), str(last[1])) if last else (0, None)
            rows = []
            for read in reads:
                seq += 1
                digest = line_hash(seq, read, prev)
                rows.append(
                    (
                        seq,
                        self._time(read.read_at),
                        self._id(read.case_id),
                        read.actor_id,
                        read.login,
                        read.role,
                        read.path,
                        prev,
                        digest,
                    )
                )
                prev = digest
            marks = ", ".join(["%s"] * 9)
            cursor.executemany(f"INSERT INTO {{table}} ({_COLUMNS}) VALUES ({marks})", rows)

    def _time(self, moment: datetime) -> Any:
        utc = moment.astimezone(UTC)
        return utc if self.dialect == "postgres" else utc.isoformat(timespec="microseconds")

    def _id(self, case_id: UUID) -> Any:
        return case_id if self.dialect == "postgres" else str(case_id)

    def _lines(self, where: str = "", params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._connect(False) as cursor:
            cursor.execute(f"SELECT {_COLUMNS} FROM {{table}} {where} ORDER BY seq", params)
            return cursor.fetchall()


def _logged(row: tuple[Any, ...]) -> LoggedRead:
    seq, read_at, case_id, actor_id, login, role, path, prev_hash, digest = row
    if isinstance(read_at, str):
        read_at = datetime.fromisoformat(read_at)
    case = case_id if isinstance(case_id, UUID) else UUID(str(case_id))
    read = CaseRead(case, actor_id, login, role, path, read_at)
    return LoggedRead(int(seq), read, prev_hash, digest)


def check_lines(lines: Sequence[LoggedRead]) -> ReadLogCheck:
    """Every line's hash recomputed, each linked to the line before, `seq` without a gap."""
    findings: list[Finding] = []
    expected, prev = 1, None
    for line in lines:
        read = line.read
        where = f"access log line {line.seq} (a read of case {read.case_id} by {read.login})"
        if line.seq != expected:
            gone = f"{expected}" if line.seq == expected + 1 else f"{expected} to {line.seq - 1}"
            detail = f"access log line(s) {gone} are missing, before {where}"
            findings.append(_finding(Tampering.EVENT_MISSING, line, detail))
        if line_hash(line.seq, read, line.prev_hash) != line.hash:
            detail = f"{where} was changed: its hash no longer matches its content"
            findings.append(_finding(Tampering.CONTENT_CHANGED, line, detail))
        elif line.prev_hash != prev and line.seq == expected:
            detail = f"{where} does not link to the line before it"
            findings.append(_finding(Tampering.CHAIN_BROKEN, line, detail))
        expected, prev = line.seq + 1, line.hash
    return ReadLogCheck(len(lines), tuple(findings))


def _finding(reason: Tampering, line: LoggedRead, detail: str) -> Finding:
    return Finding(reason, line.read.case_id, None, line.seq, detail, topic=READ_LOG)


# -- the two databases -------------------------------------------------------------------------


def read_log_for(recorder: object) -> ReadLogStore | None:
    """The access log beside this recorder's events (None for a store it cannot reach)."""
    datastore = getattr(recorder, "datastore", None)
    if isinstance(datastore, PostgresDatastore):
        return _postgres(datastore)
    if isinstance(datastore, SQLiteDatastore) and not datastore.pool.is_sqlite_memory_mode:
        return _sqlite(datastore.pool.db_name)
    return None


def _postgres(datastore: PostgresDatastore) -> ReadLogStore:
    table = Identifier(datastore.schema, TABLE)

    @contextmanager
    def connect(write: bool) -> Iterator[Cursor]:
        with datastore.get_connection() as conn, conn.transaction(), conn.cursor() as curs:
            cursor = _PostgresCursor(curs, table)
            if write:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK,))
            yield cursor

    with connect(True) as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS {table} (seq bigint PRIMARY KEY, "
            "read_at timestamptz NOT NULL, case_id uuid NOT NULL, actor_id text NOT NULL, "
            "login text NOT NULL, role text NOT NULL, path text NOT NULL, prev_hash text, "
            "hash text NOT NULL)"
        )
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {TABLE}_case ON {{table}} (case_id, seq)")
    return ReadLogStore("postgres", connect)


class _PostgresCursor:
    """A psycopg cursor whose statements name the log's table in the store's schema, and
    whose rows are tuples (the datastore's connections give dicts)."""

    def __init__(self, cursor: Any, table: Identifier) -> None:
        self._cursor = cursor
        self._table = table

    def _sql(self, statement: str) -> Any:
        return SQL(statement).format(table=self._table)

    def execute(self, statement: str, params: Sequence[Any] = ()) -> None:
        self._cursor.execute(self._sql(statement), params)

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        self._cursor.executemany(self._sql(statement), rows)

    def fetchone(self) -> tuple[Any, ...] | None:
        row = self._cursor.fetchone()
        return None if row is None else _values(row)

    def fetchall(self) -> list[tuple[Any, ...]]:
        return [_values(row) for row in self._cursor.fetchall()]


def _values(row: Any) -> tuple[Any, ...]:
    return tuple(row.values()) if isinstance(row, dict) else tuple(row)


def _sqlite(path: str) -> ReadLogStore:
    local = threading.local()

    def connection() -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(local, "conn", None)
        if conn is None:
            # a write lock held elsewhere: the read answers 503 in a second, as a write would
            conn = sqlite3.connect(path, timeout=SQLITE_LOCK_TIMEOUT, isolation_level=None)
            local.conn = conn
        return conn

    @contextmanager
    def connect(write: bool) -> Iterator[Cursor]:
        conn = connection()
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            yield _SQLiteCursor(conn.cursor())
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    with connect(True) as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS {table} (seq INTEGER PRIMARY KEY, read_at TEXT NOT NULL, "
            "case_id TEXT NOT NULL, actor_id TEXT NOT NULL, login TEXT NOT NULL, "
            "role TEXT NOT NULL, path TEXT NOT NULL, prev_hash TEXT, hash TEXT NOT NULL)"
        )
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {TABLE}_case ON {{table}} (case_id, seq)")
    return ReadLogStore("sqlite", connect)


class _SQLiteCursor:
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    @staticmethod
    def _sql(statement: str) -> str:
        return statement.replace("{table}", TABLE).replace("%s", "?")

    def execute(self, statement: str, params: Sequence[Any] = ()) -> None:
        self._cursor.execute(self._sql(statement), params)

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        self._cursor.executemany(self._sql(statement), rows)

    def fetchone(self) -> tuple[Any, ...] | None:
        row = self._cursor.fetchone()
        return None if row is None else tuple(row)

    def fetchall(self) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self._cursor.fetchall()]
