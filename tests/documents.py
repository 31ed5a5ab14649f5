"""Documents for tests: small files of each accepted type, and raw SQL on the blob table."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql

from domain.values import MediaType
from infrastructure.settings import Settings

BLOBS = "document_blobs"


def sample(media_type: MediaType, size: int = 4096) -> bytes:
    """A file of `media_type` as its magic number says, with random bytes after (so each
    sample is new to a store that keeps blobs by their SHA-256)."""
    head = {
        MediaType.PDF: b"%PDF-1.7\n",
        MediaType.JPEG: b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
        MediaType.PNG: b"\x89PNG\r\n\x1a\n",
    }[media_type]
    return head + os.urandom(max(size - len(head), 1))


class RawBlobs:
    """The blob table as someone with the database's password sees it: no application."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @property
    def table(self) -> str:
        if not self.settings.is_postgres:
            return BLOBS
        schema = sql.Identifier(self.settings.postgres_schema)
        return sql.SQL("{}.{}").format(schema, sql.Identifier(BLOBS)).as_string()

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
        statement = statement.replace("{blobs}", self.table)
        return statement.replace("?", "%s") if self.settings.is_postgres else statement

    def addresses(self) -> set[str]:
        with self.cursor() as c:
            c.execute(self.q("SELECT sha256 FROM {blobs}"))
            return {row[0] for row in c.fetchall()}

    def stored(self, sha256: str) -> bytes:
        with self.cursor() as c:
            c.execute(self.q("SELECT stored FROM {blobs} WHERE sha256 = ?"), (sha256,))
            row = c.fetchone()
        assert row is not None, sha256
        return bytes(row[0])

    def flip_byte(self, sha256: str, offset: int = 40) -> None:
        """Change one byte of the stored bytes (past a cipher's nonce and tag)."""
        stored = bytearray(self.stored(sha256))
        stored[offset] ^= 0x01
        with self.cursor() as c:
            c.execute(
                self.q("UPDATE {blobs} SET stored = ? WHERE sha256 = ?"), (bytes(stored), sha256)
            )
            assert c.rowcount == 1

    def delete(self, sha256: str) -> None:
        with self.cursor() as c:
            c.execute(self.q("DELETE FROM {blobs} WHERE sha256 = ?"), (sha256,))
            assert c.rowcount == 1
