"""Is there a store behind these settings? Asked by commands that only read, before anything
is opened: opening a SQLite path creates the file, and building the application creates the
tables, so a read-only command on a wrong path would otherwise report an empty store."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg

if TYPE_CHECKING:
    from infrastructure.settings import Settings

SQLITE_EVENTS = "stored_events"
POSTGRES_EVENTS = "tongjie_events"  # the library names it after the application ("Tongjie")
CONNECT_TIMEOUT = 3


def store_exists(settings: Settings) -> bool:
    """True when the events table exists; raises the driver's error when the database cannot
    be reached at all (the caller says which setting to fix)."""
    if not settings.is_postgres:
        path = Path(settings.sqlite_path).resolve()
        if not path.is_file():
            return False
        uri = f"{path.as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True, timeout=CONNECT_TIMEOUT)) as conn:
            found = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (SQLITE_EVENTS,)
            ).fetchone()
        return found is not None
    with psycopg.connect(
        settings.postgres_conninfo, connect_timeout=CONNECT_TIMEOUT, autocommit=True
    ) as conn:
        relation = f'"{settings.postgres_schema}"."{POSTGRES_EVENTS}"'
        row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (relation,)).fetchone()
    return bool(row and row[0])
