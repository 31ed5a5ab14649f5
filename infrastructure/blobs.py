"""Documents' bytes, by their SHA-256, in a table beside the events (`document_blobs`).

On SQLite the table is in the same database file as the events; on PostgreSQL in the same
schema. Each blob is written and committed in a transaction of its own, before the event that
names it is written: an acknowledged event never names missing bytes. A blob is stored once
whatever the number of events naming it (content-addressed), never updated and never deleted.

With a cipher key (`TONGJIE_CIPHER_KEY`) the bytes are encrypted at rest with AES-GCM, the
same cipher as the events' payloads; each row says whether it is, so a store that began
without a key still reads its first blobs. A changed encrypted blob fails GCM's
authentication: it is reported as changed, like bytes that no longer hash to their address.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Any

from eventsourcing.cipher import AESCipher
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore
from eventsourcing.utils import Environment
from psycopg.sql import SQL, Identifier

from application.ports import BlobUnreadableError

BLOBS_TABLE = "document_blobs"
_PAGE = 1000


class BlobTable(ABC):
    """The `BlobStore` port (application/ports.py) on one of the two databases."""

    def __init__(self, cipher_key: str | None) -> None:
        self.cipher = AESCipher(Environment(env={"CIPHER_KEY": cipher_key})) if cipher_key else None

    def put(self, sha256: str, content: bytes) -> None:
        encrypted = self.cipher is not None
        stored = self.cipher.encrypt(content) if self.cipher is not None else content
        self._insert(sha256, len(content), stored, encrypted)

    def get(self, sha256: str) -> bytes | None:
        row = self._select(sha256)
        if row is None:
            return None
        stored, encrypted = row
        if not encrypted:
            return stored
        if self.cipher is None:
            raise BlobUnreadableError(sha256, "it is encrypted and no cipher key is set")
        try:
            return self.cipher.decrypt(stored)
        except ValueError as error:  # GCM's tag fails: the bytes or the key are not the ones
            raise BlobUnreadableError(sha256, str(error)) from None

    def addresses(self) -> Iterator[str]:
        after = ""
        while True:
            page = self._addresses_after(after, _PAGE)
            yield from page
            if len(page) < _PAGE:
                return
            after = page[-1]

    @abstractmethod
    def create_table(self) -> None: ...

    @abstractmethod
    def _insert(self, sha256: str, size: int, stored: bytes, encrypted: bool) -> None:
        """Insert the row, committed on return; nothing if the address is stored already."""

    @abstractmethod
    def _select(self, sha256: str) -> tuple[bytes, bool] | None: ...

    @abstractmethod
    def _addresses_after(self, after: str, limit: int) -> list[str]: ...


class SQLiteBlobTable(BlobTable):
    def __init__(self, datastore: SQLiteDatastore, cipher_key: str | None) -> None:
        super().__init__(cipher_key)
        self.datastore = datastore

    def create_table(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                f"CREATE TABLE IF NOT EXISTS {BLOBS_TABLE} (sha256 TEXT PRIMARY KEY, "
                "size INTEGER NOT NULL, stored BLOB NOT NULL, encrypted INTEGER NOT NULL, "
                "created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))"
            )

    def _insert(self, sha256: str, size: int, stored: bytes, encrypted: bool) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                f"INSERT INTO {BLOBS_TABLE} (sha256, size, stored, encrypted) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (sha256) DO NOTHING",
                (sha256, size, stored, int(encrypted)),
            )

    def _select(self, sha256: str) -> tuple[bytes, bool] | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT stored, encrypted FROM {BLOBS_TABLE} WHERE sha256 = ?", (sha256,))
            row = c.fetchone()
        return None if row is None else (bytes(row[0]), bool(row[1]))

    def _addresses_after(self, after: str, limit: int) -> list[str]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT sha256 FROM {BLOBS_TABLE} WHERE sha256 > ? ORDER BY sha256 LIMIT ?",
                (after, limit),
            )
            return [str(row[0]) for row in c.fetchall()]


class PostgresBlobTable(BlobTable):
    def __init__(self, datastore: PostgresDatastore, cipher_key: str | None) -> None:
        super().__init__(cipher_key)
        self.datastore = datastore
        self._names = {"schema": Identifier(datastore.schema), "blobs": Identifier(BLOBS_TABLE)}

    def _execute(self, statement: str, params: tuple[Any, ...] = ()) -> list[Any]:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(SQL(statement).format(**self._names), params)
            return curs.fetchall() if curs.description else []

    def create_table(self) -> None:
        self._execute(
            "CREATE TABLE IF NOT EXISTS {schema}.{blobs} (sha256 text PRIMARY KEY, "
            "size bigint NOT NULL, stored bytea NOT NULL, encrypted boolean NOT NULL, "
            "created_at timestamptz NOT NULL DEFAULT now())"
        )

    def _insert(self, sha256: str, size: int, stored: bytes, encrypted: bool) -> None:
        self._execute(
            "INSERT INTO {schema}.{blobs} (sha256, size, stored, encrypted) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT (sha256) DO NOTHING",
            (sha256, size, stored, encrypted),
        )

    def _select(self, sha256: str) -> tuple[bytes, bool] | None:
        rows = self._execute(
            "SELECT stored, encrypted FROM {schema}.{blobs} WHERE sha256 = %s", (sha256,)
        )
        return None if not rows else (bytes(rows[0]["stored"]), bool(rows[0]["encrypted"]))

    def _addresses_after(self, after: str, limit: int) -> list[str]:
        rows = self._execute(
            "SELECT sha256 FROM {schema}.{blobs} WHERE sha256 > %s ORDER BY sha256 LIMIT %s",
            (after, limit),
        )
        return [str(row["sha256"]) for row in rows]


def blob_table_for(recorder: object, cipher_key: str | None) -> BlobTable | None:
    """The blob table beside this recorder's events (None for a store it cannot reach)."""
    datastore = getattr(recorder, "datastore", None)
    table: BlobTable
    if isinstance(datastore, PostgresDatastore):
        table = PostgresBlobTable(datastore, cipher_key)
    elif isinstance(datastore, SQLiteDatastore):
        table = SQLiteBlobTable(datastore, cipher_key)
    else:
        return None
    table.create_table()
    return table
