"""Reading values out of an event's stored JSON, where domain types stay wrapped.

The library's transcoder stores a value of a registered type as `{"_type_": name, "_data_": v}`
(an enum as its value, a datetime as ISO text, a value object as a dict of its fields).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

TYPE = "_type_"
DATA = "_data_"


def unwrap(value: Any) -> Any:
    """The wrapped value's data (one level): an enum's value, a datetime's text, a record."""
    if type(value) is dict and TYPE in value:
        return value[DATA]
    return value


def plain(value: Any) -> Any:
    """Every level unwrapped: dicts, lists and scalars only."""
    if type(value) is dict:
        if TYPE in value:
            return plain(value[DATA])
        return {key: plain(item) for key, item in value.items()}
    if type(value) is list:
        return [plain(item) for item in value]
    return value


def timestamp(value: Any) -> datetime:
    """A stored datetime (aware, as the domain recorded it).

    OverflowError for a time that a view could not store and read back in every offset (the
    year 9999 at -12:00 is the year 10000 in UTC), stored before business times were bounded:
    the event is poisoned for the view (docs/projections.md), not stored where no read can
    decode it.
    """
    at = datetime.fromisoformat(unwrap(value))
    if at.year == 1 or at.year >= 9999:
        _representable(at)
    return at


_FIRST, _LAST = date(1, 1, 2), date(9999, 12, 30)


def _representable(at: datetime) -> None:
    day = at.astimezone(UTC).date()  # OverflowError beyond datetime's own range
    if not _FIRST <= day <= _LAST:
        raise OverflowError(f"{at.isoformat()} lies too near the limits of a datetime")


def optional_timestamp(value: Any) -> datetime | None:
    return None if value is None else timestamp(value)
