"""Reading values out of an event's stored JSON, where domain types stay wrapped.

The library's transcoder stores a value of a registered type as `{"_type_": name, "_data_": v}`
(an enum as its value, a datetime as ISO text, a value object as a dict of its fields).
"""

from __future__ import annotations

from datetime import datetime
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
    """A stored datetime (aware, as the domain recorded it)."""
    return datetime.fromisoformat(unwrap(value))


def optional_timestamp(value: Any) -> datetime | None:
    return None if value is None else timestamp(value)
