"""Every type the events carry comes back from its stored form as the type it was.

The store's own mapper is used (the in-memory persistence module: no I/O), so these are the
bytes that SQLite and PostgreSQL hold.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest
from eventsourcing.cipher import AESCipher
from eventsourcing.persistence import Mapper, TranscodingNotRegisteredError
from hypothesis import given, settings
from hypothesis import strategies as st

from application.store import TongjieStore
from domain import values
from domain.case import Case
from domain.reference import Directory
from domain.values import (
    Absence,
    Actor,
    Agreement,
    AgreementForm,
    Document,
    DocumentKind,
    FollowUp,
    Fulfilment,
    MediaType,
    Method,
    Party,
    PartyRole,
    Role,
    Session,
)
from infrastructure.settings import TRANSCODER
from infrastructure.transcodings import TongjieTranscoder, domain_transcodings
from tests.typed_equality import assert_same_aggregate, differences
from tests.unit.case_builders import BOSS, RESOLVED_AT, ZHANG, registration, resolved

SHANGHAI = ZoneInfo("Asia/Shanghai")
ENUMS = [
    obj
    for obj in vars(values).values()
    if isinstance(obj, type) and issubclass(obj, Enum) and obj.__module__ == values.__name__
]


def mapper(**env: str) -> Mapper[Any]:
    """The store's mapper with the transcoder the settings name (as in production)."""
    base = {"PERSISTENCE_MODULE": "eventsourcing.popo", "TRANSCODER_TOPIC": TRANSCODER}
    store = TongjieStore({**base, **env}, domain_transcodings())
    return store.mapper


def round_trip(obj: Any) -> Any:
    transcoder = mapper().transcoder
    return transcoder.decode(transcoder.encode({"value": obj}))["value"]


@pytest.mark.parametrize("member", [m for e in ENUMS for m in e], ids=str)
def test_every_enum_member_comes_back_as_itself(member: Enum) -> None:
    assert round_trip(member) is member


VALUES = [
    registration(),
    registration(subcategory=None, claim_amount=None),
    registration(claim_amount=Decimal("0.10")),
    Party(PartyRole.RESPONDENT, "赵大海", None, None),
    Agreement(AgreementForm.WRITTEN, "分三期付清", Decimal("12000.50")),
    Agreement(AgreementForm.ORAL, "互相道歉"),
    Agreement(
        AgreementForm.WRITTEN,
        "赔偿",
        Decimal("800.00"),
        "银行转账",
        datetime(2026, 4, 30, 18, 0, tzinfo=SHANGHAI),
    ),
    Document(
        UUID("7d3e0f5c-3c9b-4a55-9a55-0c1d2e3f4a5b"),
        5,
        "ab" * 32,
        482113,
        MediaType.PNG,
        DocumentKind.AGREEMENT_SIGNED,
        "签署的调解协议书",
        datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI),
        Actor(id="u-1", login="zhang", role=Role.MEDIATOR, mediator="m1"),
        datetime(2026, 3, 3, 9, 0, tzinfo=UTC),
        Actor(id="u-2", login="boss", role=Role.SUPERVISOR),
        "上传错误",
    ),
    Actor(id="u-1", login="zhang", role=Role.MEDIATOR, mediator="m1"),
    Absence(datetime(2026, 5, 1, tzinfo=SHANGHAI), datetime(2026, 5, 8, 12, 0, tzinfo=UTC), "年假"),
    Session(
        datetime(2026, 3, 1, 9, 30, tzinfo=SHANGHAI), Method.PHONE, ("甲", "乙"), "电话", 30, "m1"
    ),
    Session(datetime(2026, 3, 1, 1, 30, tzinfo=UTC), Method.VIDEO, (), "视频", None, "m2"),
    FollowUp(
        datetime(2026, 4, 1, tzinfo=timezone(timedelta(hours=-5))), Fulfilment.PARTIAL, 3, None
    ),
    date(2026, 2, 28),
    Decimal("1200.00"),
    Decimal("-0"),
    datetime(2026, 1, 5, 9, 0, tzinfo=SHANGHAI),
    datetime(2026, 1, 5, 9, 0, tzinfo=timezone(timedelta(hours=5, minutes=45))),
]


@pytest.mark.parametrize("value", VALUES, ids=lambda v: type(v).__name__)
def test_values_come_back_type_for_type(value: Any) -> None:
    assert not differences(value, round_trip(value))


def test_every_value_object_of_the_domain_is_tried_and_has_a_transcoding() -> None:
    declared = {
        obj
        for obj in vars(values).values()
        if isinstance(obj, type)
        and obj.__module__ == values.__name__
        and dataclasses.is_dataclass(obj)
    }
    assert declared == {type(v) for v in VALUES if dataclasses.is_dataclass(v)}
    assert declared <= {t.type for t in domain_transcodings()}


def with_documents(case: Case) -> Case:
    """The case with a document attached and one attached and withdrawn."""
    for kind, media_type in (
        (DocumentKind.EVIDENCE, MediaType.PDF),
        (DocumentKind.OTHER, MediaType.JPEG),
    ):
        case.attach_document(
            document_id=uuid4(),
            sha256="cd" * 32,
            size=1024,
            media_type=media_type,
            kind=kind,
            title="材料",
            actor=ZHANG,
        )
    case.withdraw_document(document_id=case.documents[-1].id, reason="重复上传", actor=BOSS)
    return case


def test_every_event_of_a_case_comes_back_field_for_field() -> None:
    case = resolved()
    case.record_follow_up(fulfilment=Fulfilment.FULFILLED, satisfaction=5, actor=ZHANG)
    case.record_judicial_confirmation(actor=ZHANG, applied_at=RESOLVED_AT + timedelta(days=1))
    with_documents(case)
    events = case.collect_events()
    assert {type(e).__name__ for e in events} >= {
        "Received",
        "Routed",
        "Mediated",
        "Resolved",
        "FollowUpRecorded",
        "JudicialConfirmationRecorded",
        "DocumentAttached",
        "DocumentWithdrawn",
    }
    m = mapper()
    for event in events:
        replayed = m.to_domain_event(m.to_stored_event(event))
        assert type(replayed) is type(event)
        found = differences(vars(event), vars(replayed))
        # JSON has arrays only: an event's own tuple field (a session's attendees) comes back a
        # list; the apply code makes it the tuple the case holds again.
        assert [d for d in found if d != ".attendees: tuple became list"] == []


def snapshot_round_trip(aggregate: Any, **env: str) -> Any:
    m = mapper(**env)
    stored = m.to_stored_event(type(aggregate).Snapshot.take(aggregate))  # as the store does
    snapshot: Any = m.to_domain_event(stored)
    return snapshot.mutate(None)


def test_a_case_restored_from_its_snapshot_is_the_case_that_was_saved() -> None:
    case = resolved()
    for satisfaction in (2, 4):
        case.record_follow_up(fulfilment=Fulfilment.PARTIAL, satisfaction=satisfaction, actor=ZHANG)
    with_documents(case)
    case.collect_events()
    assert_same_aggregate(case, snapshot_round_trip(case))


def test_the_directory_restored_from_its_snapshot_is_the_one_that_was_saved() -> None:
    directory = Directory.open()
    directory.list_organisation("room-1", "东湖街道")
    directory.list_mediator("m1")
    directory.list_user("zhang")
    directory.collect_events()
    assert_same_aggregate(directory, snapshot_round_trip(directory))


def test_encrypted_events_come_back_and_are_unreadable_at_rest() -> None:
    key = AESCipher.create_key(32)
    m = mapper(CIPHER_TOPIC="eventsourcing.cipher:AESCipher", CIPHER_KEY=key)
    case = Case.receive(
        id=resolved().id, number="2026-000009", registration=registration(), actor=BOSS
    )
    (event,) = case.collect_events()
    stored = m.to_stored_event(event)
    assert "王小明".encode() not in stored.state
    assert b"neighbour" not in stored.state
    assert not differences(vars(event), vars(m.to_domain_event(stored)))
    with pytest.raises(ValueError):  # another key cannot read it
        mapper(CIPHER_KEY=AESCipher.create_key(32)).to_domain_event(stored)


def test_our_transcoder_writes_the_librarys_bytes_and_reads_them_back() -> None:
    """Stored states (and so their hashes) do not depend on which of the two wrote them."""
    case = resolved()
    case.record_follow_up(fulfilment=Fulfilment.FULFILLED, satisfaction=5, actor=ZHANG)
    ours, library = mapper(), mapper(TRANSCODER_TOPIC="eventsourcing.persistence:JSONTranscoder")
    assert isinstance(ours.transcoder, TongjieTranscoder)
    assert type(library.transcoder) is not TongjieTranscoder
    for event in case.collect_events():
        assert ours.to_stored_event(event).state == library.to_stored_event(event).state
    for value in VALUES:
        state = ours.transcoder.encode({"value": value})
        assert state == library.transcoder.encode({"value": value})
        assert not differences(value, library.transcoder.decode(state)["value"])


def test_an_unregistered_type_is_refused_by_name() -> None:
    with pytest.raises(TranscodingNotRegisteredError, match="ellipsis"):
        mapper().transcoder.encode({"value": ...})


# -- our decoder against the library's ------------------------------------------------------


def library_transcoder() -> Any:
    return mapper(TRANSCODER_TOPIC="eventsourcing.persistence:JSONTranscoder").transcoder


def same_answer(state: bytes) -> None:
    """Our transcoder answers what the library's does for these bytes, or raises as it does."""
    ours, theirs = mapper().transcoder, library_transcoder()
    try:
        expected = theirs.decode(state)
    except Exception as error:
        with pytest.raises(type(error)):
            ours.decode(state)
        return
    answer = ours.decode(state)
    assert repr(answer) == repr(expected)  # NaN included, which == never holds
    if "nan" not in repr(expected):
        assert not differences(expected, answer)


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
)
NAMES = st.sampled_from(
    ["datetime_iso", "decimal_str", "uuid_hex", "date_iso", "enum:Method", "enum:Role",
     "value:Actor", "value:Session", "enum:Nope", "value:Nope"]
)  # fmt: skip
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(["_type_", "_data_", "a", "id", "role"]), inner),
        st.fixed_dictionaries({"_type_": st.one_of(NAMES, inner), "_data_": inner}),
    ),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(JSON)
def test_our_decoder_answers_as_the_librarys_for_any_json(value: Any) -> None:
    """Wrapped objects of every kind, with right and wrong data, nested anyhow."""
    same_answer(json.dumps(value).encode())


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(VALUES), st.sampled_from(VALUES))
def test_our_decoder_gives_back_every_value_the_library_does(first: Any, second: Any) -> None:
    state = mapper().transcoder.encode({"a": first, "b": [second, {"c": first}]})
    same_answer(state)
    shared = mapper().transcoder
    assert not differences(shared.decode(state), shared.decode(state))  # shared values: equal


@pytest.mark.parametrize(
    "state",
    [
        b'{"a": NaN, "b": Infinity}',
        b'{"a": 123456789012345678901234567890}',
        b'{"a": "\\ud800"}',
        b'{"a": 1, "a": {"_type_": "enum:Method", "_data_": "phone"}}',
        b'{"_type_": "enum:Method", "_data_": "phone"}',
        b'{"_type_": "enum:Method", "_data_": "carrier pigeon"}',
        b'{"_type_": {"_type_": "enum:Method", "_data_": "phone"}, "_data_": "x"}',
        b'{"_type_": "value:Actor", "_data_": {"id": "u", "login": "l", "role": '
        b'{"_type_": "enum:Role", "_data_": "mediator"}, "mediator": null, "extra": 1}}',
        b'{"_type_": "value:Actor", "_data_": {"_type_": "enum:Role", "_data_": "admin"}}',
        b'{"_type_": "datetime_iso", "_data_": 5}',
        b"\xef\xbb\xbf{}",
        b'{"a": "\xff"}',
        b"[1, 2.5e400]",
        b"",
    ],
)
def test_our_decoder_answers_as_the_librarys_where_orjson_differs(state: bytes) -> None:
    same_answer(state)
