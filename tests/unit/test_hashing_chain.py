"""Planning a command's hashes: case chains follow versions, the store chain follows order."""

from __future__ import annotations

from uuid import UUID, uuid4

from eventsourcing.persistence import StoredEvent

from infrastructure.eventstore.chain import plan_command
from infrastructure.eventstore.hashing import chain_hash, event_hash


def stored(case: UUID, version: int) -> StoredEvent:
    return StoredEvent(case, version, "t", f"{version}".encode())


def no_lookup(originator_id: UUID | str, version: int) -> str | None:
    raise AssertionError("should not need the store")


def test_a_new_case_starts_its_chain_and_continues_the_store_chain() -> None:
    case = uuid4()
    plan = plan_command([stored(case, 1), stored(case, 2)], {case: None}, "c0", no_lookup)
    first, second = plan.events
    assert first.prev_hash is None
    assert first.hash == event_hash(case, 1, "t", b"1", None)
    assert second.prev_hash == first.hash
    assert first.chain_hash == chain_hash("c0", first.hash)
    assert second.chain_hash == chain_hash(first.chain_hash, second.hash)
    assert plan.last_chain_hash == second.chain_hash
    assert plan.latest == {case: (2, second.hash)}


def test_a_stored_case_continues_from_its_latest_event() -> None:
    case = uuid4()
    plan = plan_command([stored(case, 5)], {case: (4, "h4")}, None, no_lookup)
    assert plan.events[0].prev_hash == "h4"


def test_events_out_of_version_order_link_by_version_and_chain_by_position() -> None:
    a, b = uuid4(), uuid4()
    plan = plan_command(
        [stored(a, 2), stored(b, 1), stored(a, 1)], {a: None, b: None}, None, no_lookup
    )
    a2, b1, a1 = plan.events
    assert a1.prev_hash is None
    assert a2.prev_hash == a1.hash
    assert b1.prev_hash is None
    assert [e.chain_hash for e in plan.events] == [
        chain_hash(None, a2.hash),
        chain_hash(chain_hash(None, a2.hash), b1.hash),
        chain_hash(chain_hash(chain_hash(None, a2.hash), b1.hash), a1.hash),
    ]


def test_the_store_is_asked_only_when_the_latest_event_cannot_tell() -> None:
    case, unknown = uuid4(), uuid4()
    asked: list[tuple[UUID | str, int]] = []

    def below(originator_id: UUID | str, version: int) -> str | None:
        asked.append((originator_id, version))
        return "h2"

    plan = plan_command([stored(case, 3), stored(unknown, 9)], {case: (7, "h7")}, None, below)
    assert asked == [(case, 3), (unknown, 9)]
    assert [e.prev_hash for e in plan.events] == ["h2", "h2"]
    assert plan.latest == {unknown: (9, plan.events[1].hash)}  # 3 is below the known 7
