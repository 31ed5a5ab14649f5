"""The views' keys: keyed hashes of parties' identifiers, and sealing of the views' free text.

With `TONGJIE_CIPHER_KEY` set, two keys are derived from it (HKDF-SHA256, each with its own
purpose label): one for the HMAC-SHA256 of a party's normalised name, phone or ID number (the
only form in which a view holds them), one for AES-256-GCM over the views' free text (the
board's summary). Neither is stored anywhere: a copy of the database without the cipher key
holds no name, number or summary, and cannot test a guessed phone number against the hashes.

Without a cipher key nothing is encrypted (the events themselves are plain), and the hashes are
keyed by a random secret made once per store and kept in its database (`tongjie_secrets`):
the party index then works the same, and its hashes mean nothing in another store.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore
from psycopg.sql import SQL, Identifier

SECRETS_TABLE = "tongjie_secrets"
INDEX_PURPOSE = b"tongjie party index v1"
SEAL_PURPOSE = b"tongjie view sealing v1"
TOKEN_BYTES = 16
"""A party token is the HMAC's first 128 bits: collisions stay out of reach, rows stay small."""
NONCE_BYTES = 12


def derive(key: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(key)


class ViewKeys:
    """Satisfies `projections.engine.ports.ViewKeys`."""

    def __init__(self, index_key: bytes, seal_key: bytes | None) -> None:
        self._index_key = index_key
        self._aead = AESGCM(seal_key) if seal_key is not None else None

    @classmethod
    def from_cipher_key(cls, cipher_key: str) -> ViewKeys:
        key = base64.b64decode(cipher_key)
        return cls(derive(key, INDEX_PURPOSE), derive(key, SEAL_PURPOSE))

    @property
    def sealing(self) -> bool:
        return self._aead is not None

    def token(self, kind: str, value: str) -> bytes:
        message = f"{kind}:{value}".encode()
        return hmac.new(self._index_key, message, hashlib.sha256).digest()[:TOKEN_BYTES]

    def seal(self, text: str) -> bytes:
        if self._aead is None:
            raise RuntimeError("no cipher key: nothing is sealed")
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, text.encode(), None)

    def unseal(self, data: bytes) -> str:
        if self._aead is None:
            raise RuntimeError("no cipher key: nothing is sealed")
        raw = bytes(data)
        return self._aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None).decode()


def view_keys(cipher_key: str | None, recorder: object) -> ViewKeys:
    """The cipher key's derived keys, or (no cipher key) the store's own index secret."""
    if cipher_key:
        return ViewKeys.from_cipher_key(cipher_key)
    return ViewKeys(store_secret(recorder, "party_index"), None)


def store_secret(recorder: object, name: str) -> bytes:
    """A random secret kept in the store's database under `name`, made on first use (every
    process of the store reads the same one)."""
    datastore = getattr(recorder, "datastore", None)
    candidate = secrets.token_hex(32)
    if isinstance(datastore, PostgresDatastore):
        names = {"schema": Identifier(datastore.schema), "table": Identifier(SECRETS_TABLE)}
        with datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(
                SQL(
                    "CREATE TABLE IF NOT EXISTS {schema}.{table} "
                    "(name text PRIMARY KEY, value text NOT NULL)"
                ).format(**names)
            )
            curs.execute(
                SQL(
                    "INSERT INTO {schema}.{table} (name, value) VALUES (%s, %s) "
                    "ON CONFLICT (name) DO NOTHING"
                ).format(**names),
                (name, candidate),
            )
            curs.execute(
                SQL("SELECT value FROM {schema}.{table} WHERE name = %s").format(**names), (name,)
            )
            row: Any = curs.fetchone()
            return bytes.fromhex(row["value"])
    if isinstance(datastore, SQLiteDatastore):
        with datastore.transaction(commit=True) as c:
            c.execute(
                f"CREATE TABLE IF NOT EXISTS {SECRETS_TABLE} "
                "(name TEXT PRIMARY KEY, value TEXT NOT NULL)"
            )
            c.execute(
                f"INSERT INTO {SECRETS_TABLE} (name, value) VALUES (?, ?) "
                "ON CONFLICT (name) DO NOTHING",
                (name, candidate),
            )
            c.execute(f"SELECT value FROM {SECRETS_TABLE} WHERE name = ?", (name,))
            return bytes.fromhex(c.fetchone()[0])
    # A store of no database (the in-memory one of some tests): a secret of this process.
    return bytes.fromhex(candidate)
