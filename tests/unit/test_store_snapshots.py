"""Snapshots are taken of the aggregate as saved, once per save that reaches an interval."""

from __future__ import annotations

from uuid import uuid4

from application.store import TongjieStore
from domain.numbering import CaseNumberSequence
from infrastructure.settings import TRANSCODER
from infrastructure.transcodings import domain_transcodings
from tests.typed_equality import assert_same_aggregate


def store() -> TongjieStore:
    env = {"PERSISTENCE_MODULE": "eventsourcing.popo", "TRANSCODER_TOPIC": TRANSCODER}
    return TongjieStore(env, domain_transcodings())


def test_a_save_past_an_interval_snapshots_the_saved_state_and_loads_from_it() -> None:
    s = store()
    sequence = CaseNumberSequence.start(2026)
    s.save(sequence)
    for _ in range(150):
        sequence.issue(uuid4())
    s.save(sequence)
    assert s.snapshots is not None
    assert list(s.snapshots.get(sequence.id)) == []  # no interval of 200 reached
    for _ in range(450):  # versions 152..601 pass 200, 400 and 600
        sequence.issue(uuid4())
    s.save(sequence)
    assert [snap.originator_version for snap in s.snapshots.get(sequence.id)] == [601]
    assert_same_aggregate(sequence, s.repository.get(sequence.id))
    sequence.issue(uuid4())
    s.save(sequence)
    assert_same_aggregate(sequence, s.repository.get(sequence.id))
