"""The chain checks on stores built in memory by the write path's own hashing plan.

Any one tampering of a random store is reported, naming the case and version where any check
can; gaps in positions (rolled-back inserts) are not tampering; the fast rehash is the write
path's hash, byte for byte.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from hypothesis import given, note, settings
from hypothesis import strategies as st

from domain.integrity import Tampering
from infrastructure.audit.rehash import Rehasher, chain_hash
from infrastructure.audit.verifier import ChainVerifier
from infrastructure.eventstore import hashing
from infrastructure.eventstore.chain import ChainRow, plan_command

CHANGED = Tampering.CONTENT_CHANGED
MISSING = Tampering.EVENT_MISSING
INSERTED = Tampering.EVENT_INSERTED
ORDER = Tampering.ORDER_CHANGED


@given(
    st.uuids(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.text(),
    st.binary(),
    st.none() | st.text(),
)
def test_the_fast_rehash_is_the_write_paths_hash(
    originator_id: UUID, version: int, topic: str, state: bytes, prev: str | None
) -> None:
    assert Rehasher().event_hash(originator_id, version, topic, state, prev) == hashing.event_hash(
        originator_id, version, topic, state, prev
    )
    assert chain_hash(prev, topic) == hashing.chain_hash(prev, topic)


@dataclass
class MemoryStore:
    """A ChainSource over rows in memory, written as the write path writes them."""

    rows: list[ChainRow] = field(default_factory=list)

    def select_chain(self, start: int | None, limit: int) -> list[ChainRow]:
        found = [r for r in sorted(self.rows) if r.notification_id >= (start or 0)]
        return found[:limit]

    def select_case_chain(self, originator_id: UUID) -> list[ChainRow]:
        rows = [r for r in self.rows if r.originator_id == originator_id]
        return sorted(rows, key=lambda r: r.originator_version)

    def last_chain_position(self) -> tuple[int, str | None]:
        if not self.rows:
            return (0, None)
        last = max(self.rows)
        return (last.notification_id, last.chain_hash)

    def row(self, case_id: UUID, version: int) -> ChainRow:
        return next(
            r for r in self.rows if (r.originator_id, r.originator_version) == (case_id, version)
        )

    def replace(self, old: ChainRow, new: ChainRow) -> None:
        self.rows[self.rows.index(old)] = new


def build(plan: list[tuple[int, int]], cases: int) -> tuple[MemoryStore, list[UUID]]:
    """`plan`: (case index, rolled-back ids before it) per command of one event, in order."""
    ids = [uuid.UUID(int=i + 1) for i in range(cases)]
    store = MemoryStore()
    latest: dict[UUID | str, tuple[int, str | None] | None] = {}
    last_chain: str | None = None
    position = 0
    for index, gap in plan:
        case_id = ids[index % cases]
        known = latest.get(case_id)
        version = 1 if known is None else known[0] + 1
        payload = f'{{"case":{index % cases},"v":{version},"note":"event"}}'.encode()
        event = StoredEvent(case_id, version, f"tests.Event{version % 3}", payload)
        planned = plan_command([event], {case_id: known}, last_chain, lambda *_: None)
        latest.update(planned.latest)
        last_chain = planned.last_chain_hash
        position += 1 + gap
        hashed = planned.events[0]
        store.rows.append(
            ChainRow(
                position,
                case_id,
                version,
                hashed.topic,
                hashed.state,
                hashed.prev_hash,
                hashed.hash,
                hashed.chain_hash,
            )
        )
    return store, [i for i in ids if any(r.originator_id == i for r in store.rows)]


stores = st.tuples(
    st.lists(
        st.tuples(st.integers(0, 4), st.sampled_from([0, 0, 0, 0, 1, 3])),
        min_size=3,
        max_size=40,
    ),
    st.integers(1, 5),
).map(lambda args: build(*args))

TAMPERINGS = [
    "flip",
    "delete_middle",
    "delete_tail",
    "delete_case",
    "forge",
    "forge_well",
    "swap",
    "move",
    "move_across",
]


def issued(store: MemoryStore, cases: list[UUID]) -> list[tuple[UUID, str, int]]:
    """As if each case's number had been issued just before its first event."""
    firsts = {r.originator_id: r.notification_id for r in store.rows if r.originator_version == 1}
    return [(c, f"2026-{n:06d}", firsts[c] - 1) for n, c in enumerate(cases, 1)]


@settings(max_examples=300, deadline=None)
@given(stores, st.sampled_from(TAMPERINGS), st.data())
def test_any_one_tampering_is_reported(
    built: tuple[MemoryStore, list[UUID]], how: str, data: st.DataObject
) -> None:
    store, cases = built
    numbers = issued(store, cases)
    verifier = ChainVerifier(store, page_size=7)
    head = verifier.head()
    assert verifier.verify_store(head.position, head.digest).valid  # rollback gaps are fine

    case_id = data.draw(st.sampled_from(cases))
    rows = store.select_case_chain(case_id)
    top = len(rows)
    note(f"before: {layout(store)}")
    expected = tamper(store, how, case_id, rows, data)
    note(f"after {how}: {layout(store)}")
    if expected is None:  # nothing that kind of tampering can do to this case
        return

    result = verifier.verify_store(head.position, head.digest, issued=lambda _: numbers)
    assert not result.valid
    found = {(f.originator_id, f.version, f.reason) for f in result.findings}
    if how == "delete_tail":
        # no case chain shows it: the store chain or the digest shows where it was
        assert {reason for _, _, reason in found} == {MISSING}
        assert verifier.check_case(case_id)[1].valid
        saved = verifier.check_case(case_id, (top, rows[-1].hash or ""))[1]
        assert (saved.first.version, saved.first.reason) == (top, MISSING)  # type: ignore[union-attr]
    elif how == "move_across":  # which of two cases' events moved may be told either way
        assert found
        assert {f.originator_id for f in result.findings} <= {i for i, _, _ in expected}
        assert {reason for _, _, reason in found} <= {ORDER, Tampering.CHAIN_BROKEN}
    elif how == "forge_well":  # its case chain is forged well: only the store chain tells
        assert found == expected
        assert verifier.check_case(case_id)[1].valid
    elif how == "delete_case":
        assert (case_id, 1, MISSING) in found
        assert {reason for _, _, reason in found} == {MISSING}
    else:
        assert found == expected
        check = verifier.check_case(case_id)[1]
        assert {(f.originator_id, f.version, f.reason) for f in check.findings} == expected


def forge_well(
    store: MemoryStore, case_id: UUID, rows: list[ChainRow], data: st.DataObject
) -> set[tuple[UUID | None, int | None, Tampering]] | None:
    taken = {r.notification_id for r in store.rows}
    free = [p for p in range(rows[-1].notification_id + 1, max(taken)) if p not in taken]
    if not free:
        return None
    position = data.draw(st.sampled_from(free))
    before = max(
        (r for r in store.rows if r.notification_id < position), key=lambda r: r.notification_id
    )
    last = rows[-1]
    own = hashing.event_hash(case_id, last.originator_version + 1, last.topic, b"{}", last.hash)
    forged = ChainRow(
        position,
        case_id,
        last.originator_version + 1,
        last.topic,
        b"{}",
        last.hash,
        own,
        hashing.chain_hash(before.chain_hash, own),
    )
    store.rows.append(forged)
    return {(case_id, forged.originator_version, INSERTED)}


def layout(store: MemoryStore) -> list[tuple[int, int, int]]:
    return [
        (r.notification_id, r.originator_id.int, r.originator_version) for r in sorted(store.rows)
    ]


def tamper(
    store: MemoryStore, how: str, case_id: UUID, rows: list[ChainRow], data: st.DataObject
) -> set[tuple[UUID | None, int | None, Tampering]] | None:
    top = len(rows)
    if how == "flip":
        row = data.draw(st.sampled_from(rows))
        state = bytearray(row.state)
        state[data.draw(st.integers(0, len(state) - 1))] ^= 1 << data.draw(st.integers(0, 7))
        store.replace(row, row._replace(state=bytes(state)))
        return {(case_id, row.originator_version, CHANGED)}
    if how == "delete_middle":
        if top < 3:
            return None
        version = data.draw(st.integers(2, top - 1))
        store.rows.remove(rows[version - 1])
        return {(case_id, version, MISSING)}
    if how == "delete_tail":
        if top < 2:
            return None
        store.rows.remove(rows[-1])
        return set()
    if how == "delete_case":
        for row in rows:
            store.rows.remove(row)
        return set() if store.rows else None
    if how == "forge":
        last = rows[-1]
        position = max(r.notification_id for r in store.rows) + 1
        store.rows.append(
            ChainRow(position, case_id, top + 1, last.topic, last.state, None, None, None)
        )
        return {(case_id, top + 1, INSERTED)}
    if how == "forge_well":  # a forger who knows the hashing, in a gap left by a rollback
        return forge_well(store, case_id, rows, data)
    if how == "move_across":
        others = [r for r in store.rows if r.originator_id != case_id]
        if not others:
            return None
        first, second = data.draw(st.sampled_from(rows)), data.draw(st.sampled_from(others))
        store.replace(first, first._replace(notification_id=second.notification_id))
        store.replace(second, second._replace(notification_id=first.notification_id))
        return {
            (r.originator_id, r.originator_version, reason)
            for r in (first, second)
            for reason in (ORDER, Tampering.CHAIN_BROKEN)
        }
    if top < 2:
        return None
    version = data.draw(st.integers(1, top - 1))
    first, second = rows[version - 1], rows[version]
    if how == "swap":  # their versions exchanged
        store.replace(first, first._replace(originator_version=second.originator_version))
        store.replace(second, second._replace(originator_version=first.originator_version))
    else:  # their positions in the store exchanged
        store.replace(first, first._replace(notification_id=second.notification_id))
        store.replace(second, second._replace(notification_id=first.notification_id))
    return {(case_id, version, ORDER), (case_id, version + 1, ORDER)}


def test_an_empty_store_verifies_and_its_digest_is_null() -> None:
    verifier = ChainVerifier(MemoryStore())
    assert (verifier.head().position, verifier.head().digest) == (0, None)
    assert verifier.verify_store(0, None).valid


def test_beyond_the_cap_the_rest_are_counted_not_listed() -> None:
    store, _ = build([(i, 0) for i in range(6)], 3)
    for row in list(store.rows):
        store.replace(row, row._replace(state=row.state + b" "))
    result = ChainVerifier(store, max_suspects=1).verify_store()
    listed = {f.originator_id for f in result.findings if f.originator_id is not None}
    assert len(listed) == 1
    assert any("2 more aggregates" in f.detail for f in result.findings)
