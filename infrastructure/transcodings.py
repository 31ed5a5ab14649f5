"""How the events' own types are stored: every enum, value object and date, type for type.

The library transcodes only datetime, Decimal and UUID; without these, a replayed case would
come back with strings and dicts where the saved one had enums and records.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from enum import Enum
from typing import Any, cast

import orjson
from eventsourcing.persistence import JSONTranscoder, Transcoding, TranscodingNotRegisteredError

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
    """A frozen value object as a dict of its fields; lists come back as the tuples they were.

    A stored dict with exactly the class's fields becomes the object without a call to its
    `__init__` (which only assigns them, one `object.__setattr__` each): a case's snapshot
    holds a thousand sessions. Any other dict goes through `__init__` (defaults, errors).
    """

    def __init__(self, cls: type[Any]) -> None:
        self.type = cls
        self.name = f"value:{cls.__name__}"
        self.fields = tuple(f.name for f in dataclasses.fields(cls))
        plain_init = not hasattr(cls, "__post_init__") and not hasattr(cls, "__slots__")
        self.frozen = bool(cls.__dataclass_params__.frozen)
        self._direct = frozenset(self.fields) if plain_init else None

    def encode(self, obj: Any) -> dict[str, Any]:
        return {name: getattr(obj, name) for name in self.fields}

    def decode(self, data: dict[str, Any]) -> Any:
        state = {k: tuple(v) if type(v) is list else v for k, v in data.items()}
        if data.keys() == self._direct:
            obj: Any = object.__new__(self.type)
            object.__setattr__(obj, "__dict__", state)
            return obj
        return self.type(**state)


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


_from_iso = datetime.fromisoformat


class _UnusualValueError(ValueError):
    """A value only the library's decoder reads for sure (see `decode_parsed`)."""


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


class TongjieTranscoder(JSONTranscoder):
    """The library's JSON transcoder, writing the same bytes and reading them back faster.

    Encoding: the encoder calls back once for every enum, value object and date of an event;
    here an enum member's wrapped form is made once and reused, and the other types skip the
    library's per-call lookup and error handling.

    Decoding: the library parses with the standard library's `json` and calls back for every
    JSON object; here orjson parses and one walk turns each `{"_type_", "_data_"}` object into
    its value, bottom-up as the library's hook does, with an enum member found in a table, a
    time parsed directly, and a small value object (an actor: only strings, None and enum
    members) made once and shared (they are frozen). Whatever orjson or the walk cannot take
    (NaN, an integer over 64 bits, a lone surrogate, an unknown name...) is decoded by the
    library's code instead, so an answer or an error is always the library's.
    (`TRANSCODER_TOPIC` in the persistence environment names this class.)
    """

    SHARED_VALUES = 4096
    """How many small value objects are kept for sharing before the table starts over."""

    def __init__(self) -> None:
        super().__init__()
        self._wrapped: dict[int, dict[str, Any]] = {}  # by id(): members live for good
        self._members: dict[str, dict[Any, Enum]] = {}  # enum name -> value -> member
        self._shared: dict[tuple[Any, ...], Any] = {}
        self._small: set[str] = set()  # value objects that may be shared (see _small_value_key)

    def register(self, transcoding: Transcoding) -> None:
        super().register(transcoding)
        if isinstance(transcoding, DataclassAsDict) and transcoding.frozen:
            self._small.add(transcoding.name)
        if isinstance(transcoding, EnumAsValue):
            enum_type = cast("type[Enum]", transcoding.type)
            self._members[transcoding.name] = {member.value: member for member in enum_type}
            for member in enum_type:
                self._wrapped[id(member)] = {"_type_": transcoding.name, "_data_": member.value}

    def _encode_obj(self, o: Any) -> dict[str, Any]:
        wrapped = self._wrapped.get(id(o))
        if wrapped is not None:
            return wrapped
        transcoding = self.types.get(type(o))
        if transcoding is None:
            raise TranscodingNotRegisteredError(
                f"Object of type {type(o)} is not serializable. Please define and register "
                "a custom transcoding for this type."
            )
        return {"_type_": transcoding.name, "_data_": transcoding.encode(o)}

    def decode(self, data: bytes) -> Any:
        try:
            return self.decode_parsed(self.parse(data))
        except Exception:  # anything unusual: the library's decoder answers, or raises
            return super().decode(data)

    parse = staticmethod(orjson.loads)
    """orjson's parse itself, no Python frame around it (where it differs from the standard
    library's, it raises, or gives a float: see `decode_parsed`)."""

    def decode_parsed(self, parsed: Any) -> Any:
        """What `decode` answers for the JSON that parsed into `parsed` (changed in place).

        Raises on what only the library's decoder can settle (see the class's docstring),
        and on any float: orjson reads an integer beyond 64 bits as a float without a word,
        and the events hold no floats (money is a decimal string), so a float sends the bytes
        to the library's decoder."""
        kind = type(parsed)
        if kind is dict:
            return self._object(parsed)
        if kind is list:
            self._array(parsed)
        elif kind is float:
            raise _UnusualValueError(parsed)
        return parsed

    def _object(self, obj: dict[str, Any]) -> Any:
        """The library's hook applied bottom-up: the members first, then the object."""
        if len(obj) == 2 and "_type_" in obj and "_data_" in obj:
            name, data = obj["_type_"], obj["_data_"]
            if type(name) is not str:
                raise TypeError(name)  # the library's decoder says what it makes of it
            kind = type(data)
            if kind is str:
                if name == "datetime_iso":
                    return _from_iso(data)
                members = self._members.get(name)
                if members is not None:
                    member = members.get(data)
                    if member is not None:
                        return member
            elif kind is dict:
                small = self._small_value_key(name, data)
                shared = None if small is None else self._shared.get(small)
                if shared is not None:
                    return shared
                data = self._object(data)
                if type(data) is not dict:
                    return self.names[name].decode(data)
                value = self.names[name].decode(data)
                if small is not None:
                    if len(self._shared) >= self.SHARED_VALUES:
                        self._shared.clear()
                    self._shared[small] = value
                return value
            elif kind is list:
                self._array(data)
            elif kind is float:
                raise _UnusualValueError(data)
            return self.names[name].decode(data)
        members_of = self._members
        for key, value in obj.items():
            kind = type(value)
            if kind is dict:
                # A time or an enum member, the most frequent values, decoded here: one call less.
                if len(value) == 2 and type(value.get("_data_")) is str:
                    name = value.get("_type_")
                    if name == "datetime_iso":
                        obj[key] = _from_iso(value["_data_"])
                        continue
                    members = members_of.get(name) if type(name) is str else None
                    if members is not None:
                        member = members.get(value["_data_"])
                        if member is not None:
                            obj[key] = member
                            continue
                obj[key] = self._object(value)
            elif kind is list:
                self._array(value)
            elif kind is float:
                raise _UnusualValueError(value)
        return obj

    def _small_value_key(self, name: str, fields: dict[str, Any]) -> tuple[Any, ...] | None:
        """A key for a value object whose stored fields are only strings, None and enum
        members (an actor), under which it is made once and shared; None for any other."""
        if name not in self._small:
            return None
        key: list[Any] = [name]
        members_of = self._members
        for field, value in fields.items():
            if value is None or type(value) is str:
                key.append((field, value))
            elif (
                type(value) is dict
                and len(value) == 2
                and type(value.get("_data_")) is str
                and value.get("_type_") in members_of
            ):
                key.append((field, value["_type_"], value["_data_"]))
            else:
                return None
        return tuple(key)

    def _array(self, array: list[Any]) -> None:
        for index, value in enumerate(array):
            kind = type(value)
            if kind is dict:
                array[index] = self._object(value)
            elif kind is list:
                self._array(value)
            elif kind is float:
                raise _UnusualValueError(value)
