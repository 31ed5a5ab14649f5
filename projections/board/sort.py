"""The board's orders (`sort=`) and the keyset cursors that continue them.

Each order is a list of keys ending in the case's id, so that it is total and a cursor (the
last row's keys) says exactly where the next page starts. Keys that depend on the clock
(`-days_open`, `-overdue_days`) are computed at the moment the first page was read, which the
cursor carries: paging on later does not reshuffle the rows already seen.

Keys are compared in SQL as the same exact values Python computes from a row: times as the
column's own type, durations as whole microseconds.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import orjson

from projections.board.page import BoardRow, InvalidCursorError

NEWEST = "-received_at"
SORTS = (NEWEST, "received_at", "due_at", "-days_open", "-overdue_days")
"""`due_at`: soonest first, cases without a deadline last (open cases: the most overdue first);
`-days_open`: open longest first; `-overdue_days`: most overdue first, then newest receipt."""

NO_DUE = datetime(9999, 12, 31, tzinfo=UTC)
"""Where a case without a deadline sorts by `due_at`: after every real one."""
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
RESOLVED = "resolved"


def micros(at: datetime) -> int:
    return (at - _EPOCH) // _MICROSECOND


@dataclass(frozen=True)
class Key:
    """One key of an order: its SQL, its direction, and how a row gives its value."""

    sql: Callable[[SqlTerms], str]
    descending: bool
    value: Callable[[BoardRow, datetime], Any]
    is_time: bool = False


class SqlTerms:
    """The two dialects' words for what the keys compute."""

    def __init__(self, postgres: bool, now: datetime, time: Callable[[datetime], Any]) -> None:
        self.postgres = postgres
        self.time = time
        stamp = now.astimezone(UTC)
        self.now = (
            f"TIMESTAMPTZ '{stamp.isoformat()}'"
            if postgres
            else f"'{stamp.strftime('%Y-%m-%d %H:%M:%S.%f')}'"
        )
        self.no_due = (
            f"TIMESTAMPTZ '{NO_DUE.isoformat()}'" if postgres else "'9999-12-31 00:00:00.000000'"
        )

    def micros(self, column: str) -> str:
        """Whole microseconds since 1970 of a time column (SQLite stores UTC text to the µs)."""
        if self.postgres:
            return f"(EXTRACT(EPOCH FROM {column}) * 1000000)::bigint"
        # Whole seconds through julianday (rounded: exact for a time without its fraction; no
        # strftime('%s'): statements are written with %s placeholders), then the microseconds.
        seconds = f"round((julianday(substr({column}, 1, 19)) - 2440587.5) * 86400)"
        return f"(CAST({seconds} AS INTEGER) * 1000000 + CAST(substr({column}, 21, 6) AS INTEGER))"


def _days_open(row: BoardRow, now: datetime) -> int:
    return micros(row.resolved_at or now) - micros(row.received_at)


def _overdue(row: BoardRow, now: datetime) -> int:
    if row.status == RESOLVED or row.due_at is None or row.due_at >= now:
        return 0
    return micros(now) - micros(row.due_at)


_ID_DESC = Key(lambda s: "id", True, lambda row, now: row.id)
_ID_ASC = Key(lambda s: "id", False, lambda row, now: row.id)
_RECEIVED_DESC = Key(lambda s: "received_at", True, lambda row, now: row.received_at, True)

ORDERS: dict[str, tuple[Key, ...]] = {
    NEWEST: (_RECEIVED_DESC, _ID_DESC),
    "received_at": (
        Key(lambda s: "received_at", False, lambda row, now: row.received_at, True),
        _ID_ASC,
    ),
    "due_at": (
        Key(
            lambda s: f"COALESCE(due_at, {s.no_due})",
            False,
            lambda row, now: row.due_at or NO_DUE,
            True,
        ),
        _ID_ASC,
    ),
    "-days_open": (
        Key(
            lambda s: (
                f"({s.micros(f'COALESCE(resolved_at, {s.now})')} - {s.micros('received_at')})"
            ),
            True,
            _days_open,
        ),
        _ID_DESC,
    ),
    "-overdue_days": (
        Key(
            lambda s: (
                f"(CASE WHEN status <> '{RESOLVED}' AND due_at < {s.now} "
                f"THEN {s.micros(s.now)} - {s.micros('due_at')} ELSE 0 END)"
            ),
            True,
            _overdue,
        ),
        _RECEIVED_DESC,
        _ID_DESC,
    ),
}
assert tuple(ORDERS) == SORTS
PLAIN = (NEWEST, "received_at")
"""Orders of plain columns in one direction."""


def uses_clock(sort: str) -> bool:
    return sort in ("-days_open", "-overdue_days")


def order_by(sort: str, terms: SqlTerms) -> str:
    return "ORDER BY " + ", ".join(
        f"{key.sql(terms)} {'DESC' if key.descending else 'ASC'}" for key in ORDERS[sort]
    )


def after(
    sort: str, terms: SqlTerms, values: list[Any], time: Callable[[datetime], Any], uuid: Any
) -> tuple[str, list[Any]]:
    """The rows after a cursor's keys, in the order's sense, as SQL and its parameters."""
    keys = ORDERS[sort]
    if terms.postgres and sort in PLAIN:
        # A row comparison: PostgreSQL continues the index range from it.
        columns = ", ".join(key.sql(terms) for key in keys)
        marks = ", ".join(["%s"] * len(keys))
        sense = "<" if keys[0].descending else ">"
        return f"({columns}) {sense} ({marks})", [*values[:-1], uuid(values[-1])]
    params = [
        uuid(value) if key is keys[-1] else time(value) if key.is_time else value
        for key, value in zip(keys, values, strict=True)
    ]
    alternatives: list[str] = []
    bound: list[Any] = []
    for i, key in enumerate(keys):
        equal = [f"{earlier.sql(terms)} = %s" for earlier in keys[:i]]
        beyond = f"{key.sql(terms)} {'<' if key.descending else '>'} %s"
        alternatives.append("(" + " AND ".join([*equal, beyond]) + ")")
        bound += [*params[:i], params[i]]
    return "(" + " OR ".join(alternatives) + ")", bound


@dataclass(frozen=True)
class Cursor:
    sort: str
    values: list[Any]
    """The last row's keys, the id last."""
    now: datetime


def encode_cursor(sort: str, row: BoardRow, now: datetime) -> str:
    values = [key.value(row, now) for key in ORDERS[sort]]
    text = [v.isoformat() if isinstance(v, datetime) else v for v in values[:-1]]
    raw = orjson.dumps([sort, text, values[-1].hex, now.isoformat()])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str | None = None) -> Cursor:
    """The cursor's keys; InvalidCursorError if this board did not hand it out (for `sort`)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name, text, case_id, now = orjson.loads(raw)
        keys = ORDERS[name]
        if len(text) != len(keys) - 1:
            raise ValueError(text)
        values: list[Any] = [
            _time(v) if key.is_time else int(v) for key, v in zip(keys, text, strict=False)
        ]
        decoded = Cursor(name, [*values, UUID(hex=case_id)], _time(now))
    except (binascii.Error, ValueError, TypeError, KeyError, orjson.JSONDecodeError):
        raise InvalidCursorError("not a cursor of this board") from None
    if sort is not None and decoded.sort != sort:
        raise InvalidCursorError(f"a cursor of sort={decoded.sort}, not of sort={sort}")
    return decoded


def _time(text: Any) -> datetime:
    at = datetime.fromisoformat(text)
    if at.tzinfo is None:
        raise ValueError(text)
    return at
