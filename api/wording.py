"""Messages in plain words, shared by the API's 422s and the command line.

A date that could not be read says why (`2020-02-30` does not exist) wherever it is typed, and
a validator's message reaches the reader without pydantic's "Value error, " or its links.
"""

from __future__ import annotations

import calendar
import re

EXAMPLE_TIME = "2026-03-02T09:30:00+08:00"
_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?=$|[T ])")


def missing_date(text: str) -> str | None:
    """Why a date shaped as YYYY-MM-DD names no day of the calendar (None: it does, or it is
    not shaped as one)."""
    found = _DATE.match(text)
    if found is None:
        return None
    year, month, day = (int(part) for part in found.groups())
    if not 1 <= month <= 12:
        return f"{found.group(0).strip()} is not a date: there is no month {month}"
    days = calendar.monthrange(year, month)[1] if year >= 1 else 31
    if not 1 <= day <= days:
        month_name = calendar.month_name[month]
        return (
            f"{found.group(0).strip()} is not a date that exists: "
            f"{month_name} {year} has {days} days"
        )
    return None


def unreadable_time(text: str, *, dates: bool = False) -> str:
    """The message for a time (or, with `dates`, a date or a time) that could not be read."""
    missing = missing_date(text)
    if missing is not None:
        return missing
    if dates:
        return f"a date (2026-03-01) or a time with offset ({EXAMPLE_TIME}), not {text!r}"
    return f"a time with its UTC offset (ISO 8601, e.g. {EXAMPLE_TIME}), not {text!r}"


NEEDS_OFFSET = f"a time needs its UTC offset (ISO 8601, e.g. {EXAMPLE_TIME})"


_PYDANTIC_PREFIXES = ("Value error, ", "Assertion failed, ")
"""What pydantic puts before a validator's own message: the reader needs only the message."""


def plain(message: str) -> str:
    """A validation message without pydantic's prefixes."""
    for prefix in _PYDANTIC_PREFIXES:
        message = message.removeprefix(prefix)
    return message
