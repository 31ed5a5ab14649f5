"""What a command says when its database cannot be used: one line naming the setting and the fix.

The drivers' own messages are several lines long and name no setting; the operator needs to
know that it is TONGJIE_DATABASE_URL that points at a missing folder, a PostgreSQL that does not
answer, a database that does not exist or a user it refuses. The password is never printed.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import urlparse

import psycopg
from eventsourcing.persistence import PersistenceError

from infrastructure.settings import Settings

DATABASE_ERRORS: tuple[type[BaseException], ...] = (
    PersistenceError,
    psycopg.Error,
    sqlite3.Error,
)
SETTING = "TONGJIE_DATABASE_URL"


def _messages(error: BaseException) -> str:
    """The error and its causes, as one lower-case text to look for known phrases in."""
    texts: list[str] = []
    seen: BaseException | None = error
    while seen is not None and len(texts) < 5:
        texts.append(str(seen))
        seen = seen.__cause__ or seen.__context__
    return " ".join(texts).lower()


def explain(settings: Settings, error: BaseException) -> str:
    """One line for `tongjie: error: ...`."""
    text = _messages(error)
    if not settings.is_postgres:
        path = Path(settings.sqlite_path).resolve()
        if "unable to open" in text:
            return (
                f"{SETTING}: cannot open the SQLite file {path}: its folder does not exist or "
                f"is not writable; create the folder, or set {SETTING}=sqlite:///PATH elsewhere"
            )
        if "not a database" in text:
            return f"{SETTING}: {path} is not a SQLite database: point {SETTING} at the store"
        if "locked" in text:
            return f"the SQLite file {path} is locked by another process: try again shortly"
        return f"{SETTING}: the SQLite file {path} cannot be used: {_first_line(error)}"
    url = urlparse(settings.database_url)
    where = f"PostgreSQL at {url.hostname or '127.0.0.1'}:{url.port or 5432}"
    database = url.path.lstrip("/") or "postgres"
    if "does not exist" in text and "database" in text:
        return (
            f'{SETTING}: {where} has no database "{database}": create it (createdb {database}) '
            f"or fix the database's name in {SETTING}"
        )
    if "authentication failed" in text or ("role" in text and "does not exist" in text):
        return (
            f'{SETTING}: {where} refused the user "{url.username or "postgres"}": '
            f"fix the user and password in {SETTING}"
        )
    if "refused" in text:
        return (
            f"{SETTING}: {where} refused the connection: start PostgreSQL, or fix the host and "
            f"port in {SETTING}"
        )
    if "timeout" in text or "timed out" in text or "couldn't get a connection" in text:
        return f"{SETTING}: {where} does not answer: check that it runs and the network to it"
    if "translate host name" in text or "name or service not known" in text:
        return f"{SETTING}: the host {url.hostname!r} is unknown: fix the host in {SETTING}"
    return f"{SETTING}: {where} cannot be used: {_first_line(error)}"


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
