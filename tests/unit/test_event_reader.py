"""The replay's reader builds each event as the library's mapper does, or raises as it does.

Session records (`Case.Mediated`) have a decoder of their own (`SessionRecords`): it must give
the transcoder's answer for the shape the encoder writes and leave every other shape to it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic
from hypothesis import given, settings
from hypothesis import strategies as st

from application.store import TongjieStore
from domain.case import Case
from domain.values import Actor, Method, Role
from infrastructure.eventstore.reading import EventReader
from infrastructure.settings import TRANSCODER
from infrastructure.transcodings import domain_transcodings
from tests.typed_equality import differences

MEDIATED = get_topic(Case.Mediated)
STORE = TongjieStore(
    {"PERSISTENCE_MODULE": "eventsourcing.popo", "TRANSCODER_TOPIC": TRANSCODER},
    domain_transcodings(),
)


class NoRows:
    def select_states(self, originator_id: UUID) -> list[tuple[int, str, bytes]]:
        return []


READER = EventReader(NoRows(), STORE.mapper)


def same_event(topic: str, state: bytes) -> None:
    case_id = uuid4()
    try:
        expected = STORE.mapper.to_domain_event(StoredEvent(case_id, 7, topic, state))
    except Exception as error:
        with pytest.raises(type(error)):
            READER.event_from(case_id, 7, topic, state)
        return
    ours = READER.event_from(case_id, 7, topic, state)
    assert type(ours) is type(expected)
    assert not differences(vars(expected), vars(ours))


ACTORS = st.builds(
    Actor,
    id=st.text(max_size=5),
    login=st.text(max_size=5),
    role=st.sampled_from(Role),
    mediator=st.none() | st.text(max_size=3),
)


@settings(max_examples=200, deadline=None)
@given(
    held=st.datetimes(timezones=st.just(UTC)),
    method=st.sampled_from(Method),
    attendees=st.lists(st.text(max_size=4), max_size=3),
    notes=st.text(max_size=10),
    duration=st.none() | st.integers(-5, 10**6),
    actor=ACTORS,
)
def test_a_session_record_is_the_mappers(
    held: datetime,
    method: Method,
    attendees: list[str],
    notes: str,
    duration: int | None,
    actor: Actor,
) -> None:
    event = Case.Mediated(  # type: ignore[call-arg]
        originator_id=uuid4(),
        originator_version=7,
        timestamp=held + timedelta(days=1),
        held_at=held,
        method=method,
        attendees=tuple(attendees),
        notes=notes,
        duration_minutes=duration,
        actor=actor,
    )
    same_event(MEDIATED, STORE.mapper.to_stored_event(event).state)


def a_session_state() -> dict[str, Any]:
    event = Case.Mediated(  # type: ignore[call-arg]
        originator_id=uuid4(),
        originator_version=3,
        timestamp=datetime.now(UTC),
        held_at=datetime.now(UTC),
        method=Method.PHONE,
        attendees=("甲",),
        notes="电话",
        duration_minutes=None,
        actor=Actor(id="u", login="zhang", role=Role.MEDIATOR, mediator="m1"),
    )
    decoded: dict[str, Any] = json.loads(STORE.mapper.to_stored_event(event).state)
    return decoded


CHANGES = [
    ("extra", 1),
    ("duration_minutes", True),
    ("duration_minutes", 2.5),
    ("duration_minutes", 2**70),
    ("attendees", ["甲", {"_type_": "enum:Method", "_data_": "phone"}]),
    ("attendees", "甲乙"),
    ("notes", None),
    ("method", {"_type_": "enum:Method", "_data_": "telepathy"}),
    ("method", {"_type_": "enum:Role", "_data_": "mediator"}),
    ("held_at", {"_type_": "datetime_iso", "_data_": "yesterday"}),
    ("held_at", {"_type_": "date_iso", "_data_": "2026-01-02"}),
    ("timestamp", "2026-01-02T00:00:00+00:00"),
    ("actor", {"_type_": "value:Actor", "_data_": {"id": "u", "login": "z", "role": "mediator"}}),
    ("actor", {"_type_": "value:Actor", "_data_": {
        "id": "u", "login": "z", "mediator": None, "role": {"_type_": "enum:Role", "_data_": "x"}
    }}),
    ("actor", {"_type_": "value:Actor", "_data_": {
        "id": 1, "login": "z", "mediator": None, "role": {"_type_": "enum:Role", "_data_": "admin"}
    }}),
    ("actor", None),
]  # fmt: skip


@pytest.mark.parametrize(("field", "value"), CHANGES, ids=lambda v: str(v)[:30])
def test_any_other_shape_of_a_session_record_is_read_as_the_mapper_reads_it(
    field: str, value: Any
) -> None:
    state = a_session_state()
    state[field] = value
    same_event(MEDIATED, json.dumps(state, ensure_ascii=False).encode())


def test_a_missing_field_and_other_events_are_read_as_the_mapper_reads_them() -> None:
    state = a_session_state()
    del state["notes"]
    same_event(MEDIATED, json.dumps(state).encode())
    same_event(MEDIATED, b"not json")
    same_event("domain.case:Case.Nope", json.dumps(a_session_state()).encode())
    same_event(get_topic(Case.RiskAssessed), json.dumps(a_session_state()).encode())


def test_an_actor_or_method_known_by_its_login_or_name_is_compared_whole() -> None:
    """The reader recognises an actor by its login and a method by its name, then compares the
    whole parsed JSON: an actor of the same login but another id, role or mediator, or a method
    wrapped with another type name, is decoded afresh (as the mapper decodes it)."""
    for actor in (
        {"id": "u", "login": "zhang", "mediator": "m1", "role": "mediator"},
        {"id": "v", "login": "zhang", "mediator": "m1", "role": "mediator"},
        {"id": "v", "login": "zhang", "mediator": None, "role": "supervisor"},
        {"id": "v", "login": "zhang", "mediator": "m2", "role": "supervisor"},
        {"id": "u", "login": "zhang", "mediator": "m1", "role": "mediator"},
    ):
        state = a_session_state()
        role = {"_type_": "enum:Role", "_data_": actor["role"]}
        state["actor"] = {"_type_": "value:Actor", "_data_": {**actor, "role": role}}
        same_event(MEDIATED, json.dumps(state).encode())
    state = a_session_state()
    state["method"] = {"_type_": "enum:Method", "_data_": "phone", "_extra_": 1}
    same_event(MEDIATED, json.dumps(state).encode())
    state["method"] = {"_type_": "enum:Role", "_data_": "phone"}
    same_event(MEDIATED, json.dumps(state).encode())
