"""One aggregate's events read for a replay: the library's answer, decoded faster.

The library's repository reads a row into a `StoredEvent`, decodes its JSON with the standard
library's parser and a callback for every JSON object, and builds the event. Here the rows
come as plain tuples, orjson parses them, our transcoder's walk decodes them
(`TongjieTranscoder.decode_parsed`), and the event is built as the library's mapper builds it.
Whatever this path cannot take as the mapper would (a cipher's or compressor's error, a
payload only the library's decoder reads, an event to upcast) goes through the mapper itself,
so an answer or an error is always the library's.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import resolve_topic

from domain.case import Case
from domain.values import Actor, Method, Role
from infrastructure.transcodings import TongjieTranscoder

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from uuid import UUID

    from eventsourcing.persistence import Mapper

StateRow = tuple[int, str, bytes]
"""An event's version, topic and stored state."""


class StateSource(Protocol):
    def select_states(self, originator_id: UUID) -> Sequence[StateRow]:
        """One aggregate's rows in version order."""
        ...


class EventReader:
    """`events_of(id)` equals `list(store.events.get(id))` (held so by tests), faster."""

    def __init__(self, source: StateSource, mapper: Mapper[Any]) -> None:
        self._source = source
        self._mapper = mapper
        steps: list[Callable[[bytes], bytes]] = []
        if mapper.cipher is not None:
            steps.append(mapper.cipher.decrypt)
        if mapper.compressor is not None:
            steps.append(mapper.compressor.decompress)
        self._steps = steps
        transcoder = mapper.transcoder
        self._transcoder = transcoder if isinstance(transcoder, TongjieTranscoder) else None
        self._classes: dict[str, type[Any] | None] = {}  # None: only the mapper builds it
        sessions = SessionRecords(self._transcoder) if self._transcoder else None
        self._session_state: Callable[[Any], dict[str, Any] | None] = (
            sessions.state if sessions else _no_state
        )

    def events_of(self, originator_id: UUID) -> list[Any]:
        event_from = self.event_from
        rows = self._source.select_states(originator_id)
        return [event_from(originator_id, version, topic, state) for version, topic, state in rows]

    def event_from(self, originator_id: UUID, version: int, topic: str, state: bytes) -> Any:
        """The event of one stored row, as `mapper.to_domain_event` makes it (or raises)."""
        cls = self._classes.get(topic, _UNSEEN)
        if cls is _UNSEEN:
            cls = self._classes[topic] = self._class_of(topic)
        transcoder = self._transcoder
        if cls is None or transcoder is None:
            return self._by_mapper(originator_id, version, topic, state)
        try:
            for step in self._steps:
                state = step(state)
            parsed = transcoder.parse(state)
            data = self._session_state(parsed) if cls is _MEDIATED else None
            if data is None:
                data = transcoder.decode_parsed(parsed)
                if type(data) is not dict or "class_version" in data:
                    raise TypeError(topic)  # not an event's state, or one to upcast
        except Exception:
            return self._by_mapper(originator_id, version, topic, state)
        data["originator_id"] = originator_id
        data["originator_version"] = version
        event = object.__new__(cls)
        object.__setattr__(event, "__dict__", data)
        return event

    def _class_of(self, topic: str) -> type[Any] | None:
        """The event class of a topic, if events of it need no upcasting (else None)."""
        try:
            cls: type[Any] = resolve_topic(topic)
        except Exception:
            return None  # the mapper raises its own error
        return cls if getattr(cls, "class_version", 1) == 1 else None

    def _by_mapper(self, originator_id: UUID, version: int, topic: str, state: bytes) -> Any:
        return self._mapper.to_domain_event(StoredEvent(originator_id, version, topic, state))


def _no_state(_: Any) -> None:
    return None


_UNSEEN: Any = object()
_MEDIATED = Case.Mediated
_ACTOR_KEYS = frozenset({"id", "login", "role", "mediator"})
_SESSION_KEYS = frozenset(
    {"timestamp", "held_at", "method", "attendees", "notes", "duration_minutes", "actor"}
)


class SessionRecords:
    """A session record's state (`Case.Mediated`, most of a long case's events) decoded
    straight from its parsed JSON, for a payload of exactly the shape the encoder writes;
    any other shape (a field added, a value of another kind) is left to the transcoder's walk.
    Tests hold the two equal.

    A method and an actor are recognised by comparing their parsed JSON with the JSON of a
    value already decoded (one comparison in C instead of a check per field): two parsed JSON
    values compare equal only if they have the same shape and the same strings, so they
    decode to the same value."""

    SHARED_ACTORS = 1024

    def __init__(self, transcoder: TongjieTranscoder) -> None:
        self._transcoder = transcoder
        self._methods = {
            method.value: ({"_type_": "enum:Method", "_data_": method.value}, method)
            for method in Method
        }
        self._roles = {role.value: role for role in Role}
        self._actors: dict[str, tuple[dict[str, Any], Actor]] = {}  # by login

    def state(self, parsed: Any) -> dict[str, Any] | None:
        if type(parsed) is not dict or parsed.keys() != _SESSION_KEYS:
            return None
        attendees = parsed["attendees"]
        duration = parsed["duration_minutes"]
        if (
            type(parsed["notes"]) is not str
            or not (duration is None or type(duration) is int)
            or type(attendees) is not list
        ):
            return None
        for attendee in attendees:
            if type(attendee) is not str:
                return None
        method = parsed["method"]
        name = method.get("_data_") if type(method) is dict else None
        known = self._methods.get(name) if type(name) is str else None
        if known is None or known[0] != method:
            return None
        timestamp = _time(parsed["timestamp"])
        held_at = _time(parsed["held_at"])
        if timestamp is None or held_at is None:
            return None
        parsed["timestamp"] = timestamp
        parsed["held_at"] = held_at
        parsed["method"] = known[1]
        actor = parsed["actor"]
        parsed["actor"] = self._actor(actor) or self._transcoder.decode_parsed(actor)
        return parsed

    def _actor(self, wrapped: Any) -> Actor | None:
        """The actor of `{"_type_": "value:Actor", "_data_": {id, login, role, mediator}}`,
        made once per process and shared (a frozen value), as the transcoder shares it."""
        fields = wrapped.get("_data_") if type(wrapped) is dict else None
        if type(fields) is not dict:
            return None
        login = fields.get("login")
        if type(login) is not str:
            return None
        known = self._actors.get(login)
        if known is not None and known[0] == wrapped:
            return known[1]
        actor = self._new_actor(wrapped, fields)
        if actor is not None:
            if len(self._actors) >= self.SHARED_ACTORS:
                self._actors.clear()
            self._actors[login] = (wrapped, actor)
        return actor

    def _new_actor(self, wrapped: dict[str, Any], fields: dict[str, Any]) -> Actor | None:
        if len(wrapped) != 2 or wrapped.get("_type_") != "value:Actor":
            return None
        if fields.keys() != _ACTOR_KEYS:
            return None
        actor_id, login, mediator = fields["id"], fields["login"], fields["mediator"]
        role = self._roles.get(_wrapped(fields["role"], "enum:Role") or "")
        if type(actor_id) is not str or role is None:
            return None
        if mediator is not None and type(mediator) is not str:
            return None
        return Actor(id=actor_id, login=login, role=role, mediator=mediator)


def _wrapped(value: Any, name: str) -> str | None:
    """The string a `{"_type_": name, "_data_": "..."}` object wraps, else None."""
    if type(value) is dict and len(value) == 2 and value.get("_type_") == name:
        data = value.get("_data_")
        if type(data) is str:
            return data
    return None


def _time(value: Any) -> datetime | None:
    if type(value) is dict and len(value) == 2 and value.get("_type_") == "datetime_iso":
        text = value.get("_data_")
        if type(text) is str:
            return _from_iso(text)
    return None


_from_iso = datetime.fromisoformat
