"""How the events' own types are stored: every enum, value object and date, type for type.

The library transcodes only datetime, Decimal and UUID; without these, a replayed case would
come back with strings and dicts where the saved one had enums and records.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from enum import Enum
from typing import Any

from eventsourcing.persistence import Transcoding

from domain import values


class EnumAsValue(Transcoding):
    def __init__(self, enum_type: type[Enum]) -> None:
        self.type = enum_type
        self.name = f"enum:{enum_type.__name__}"

    def encode(self, obj: Enum) -> Any:
        return obj.value

    def decode(self, data: Any) -> Enum:
        member: Enum = self.type(data)
        return member


class DataclassAsDict(Transcoding):
    """A frozen value object as a dict of its fields; lists come back as the tuples they were."""

    def __init__(self, cls: type[Any]) -> None:
        self.type = cls
        self.name = f"value:{cls.__name__}"

    def encode(self, obj: Any) -> dict[str, Any]:
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}

    def decode(self, data: dict[str, Any]) -> Any:
        return self.type(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


def domain_transcodings() -> list[Transcoding]:
    """One transcoding for every enum and value object of the domain, and for dates."""
    found: list[Transcoding] = [DateAsISO()]
    for obj in vars(values).values():
        if isinstance(obj, type) and obj.__module__ == values.__name__:
            if issubclass(obj, Enum):
                found.append(EnumAsValue(obj))
            elif dataclasses.is_dataclass(obj):
                found.append(DataclassAsDict(obj))
    return found
