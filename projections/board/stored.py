"""How the board's table holds times and ids: PostgreSQL as timestamptz and uuid, SQLite as
text (times in UTC, fixed width, so that text order is time order)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"


def sqlite_time(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).strftime(SQLITE_TIME)


def read_sqlite_time(value: str | None) -> datetime | None:
    return None if value is None else datetime.strptime(value, SQLITE_TIME).replace(tzinfo=UTC)


def read_time(value: Any) -> datetime | None:
    """A time as either dialect gives it back."""
    return value if value is None or isinstance(value, datetime) else read_sqlite_time(value)


def read_uuid(value: Any) -> UUID:
    """An id as either dialect gives it back."""
    return value if isinstance(value, UUID) else UUID(str(value))
