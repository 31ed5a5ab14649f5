"""Tampering by hand in the database is reported by the matching verification, naming the case
and the version, on SQLite and PostgreSQL, with and without encryption at rest."""

from __future__ import annotations

from uuid import UUID

from application.audit_dto import CaseVerification, StoreVerification
from domain.integrity import Tampering
from infrastructure.eventstore.hashing import event_hash
from tests.integration.audit.conftest import Scene

CHANGED = Tampering.CONTENT_CHANGED
MISSING = Tampering.EVENT_MISSING
INSERTED = Tampering.EVENT_INSERTED
ORDER = Tampering.ORDER_CHANGED
BROKEN = Tampering.CHAIN_BROKEN


def named(
    result: StoreVerification | CaseVerification,
) -> set[tuple[UUID | None, int | None, Tampering]]:
    return {(i.case_id, i.version, i.reason) for i in result.invalid}


def store(scene: Scene, *, with_digest: bool = False) -> StoreVerification:
    if with_digest:
        return scene.app.audit.verify_store(scene.digest.position, scene.digest.digest)
    return scene.app.audit.verify_store()


def assert_case(scene: Scene, case_id: UUID, version: int, reason: Tampering) -> None:
    result = scene.app.audit.verify_case(case_id)
    assert not result.valid
    assert (result.first_invalid_version, result.reason) == (version, reason)
    assert result.number == scene.numbers[case_id]


def assert_numbers(scene: Scene, result: StoreVerification) -> None:
    for invalid in result.invalid:
        if invalid.case_id is not None:
            assert invalid.number == scene.numbers[invalid.case_id]
            assert invalid.aggregate == "Case"


def test_an_untouched_store_verifies_clean(scene: Scene) -> None:
    for case_id, events in ((scene.a, 6), (scene.b, 6), (scene.c, 3)):
        result = scene.app.audit.verify_case(case_id)
        assert (result.valid, result.events, result.first_invalid_version, result.reason) == (
            True,
            events,
            None,
            None,
        )
    plain, against = store(scene), store(scene, with_digest=True)
    assert plain.valid
    assert against.valid
    assert plain.invalid == ()
    assert against.invalid == ()
    assert plain.events_checked == against.events_checked >= 40
    assert plain.head == scene.digest


def test_one_byte_of_a_payload_changed(scene: Scene) -> None:
    scene.raw.flip_byte(scene.a, 3)
    assert_case(scene, scene.a, 3, CHANGED)
    for result in (store(scene), store(scene, with_digest=True)):
        assert named(result) == {(scene.a, 3, CHANGED)}
        assert_numbers(scene, result)


def test_an_event_deleted_in_the_middle_of_a_case(scene: Scene) -> None:
    scene.raw.delete(scene.a, 3)
    assert_case(scene, scene.a, 3, MISSING)
    for result in (store(scene), store(scene, with_digest=True)):
        assert named(result) == {(scene.a, 3, MISSING)}
        assert_numbers(scene, result)


def test_a_case_cut_short_at_its_tail(scene: Scene) -> None:
    """No case chain can see it: the store chain can, and a saved case head names it."""
    head = scene.app.audit.verify_case(scene.a)
    gone = scene.raw.position_of(scene.a, 6)
    next_position = scene.raw.position_of(scene.b, 6)
    scene.raw.delete(scene.a, 6)

    alone = scene.app.audit.verify_case(scene.a)
    assert alone.valid
    assert alone.events == 5

    assert head.head_hash is not None
    against_head = scene.app.audit.verify_case(scene.a, version=6, head_hash=head.head_hash)
    assert (against_head.first_invalid_version, against_head.reason) == (6, MISSING)

    for result in (store(scene), store(scene, with_digest=True)):
        assert not result.valid
        [loss] = result.invalid
        assert (loss.reason, loss.position) == (MISSING, next_position)
        assert f"position {gone}" in loss.detail


def test_the_last_events_cut_off_only_the_digest_sees(scene: Scene) -> None:
    scene.raw.delete(scene.b, 6)
    assert store(scene).valid  # nothing after it to break: a saved digest is the proof
    result = store(scene, with_digest=True)
    assert named(result) == {(None, None, MISSING)}
    assert result.invalid[0].position == scene.digest.position


def test_a_whole_case_deleted(scene: Scene) -> None:
    scene.raw.delete_case(scene.c)
    assert_case(scene, scene.c, 1, MISSING)
    for result in (store(scene), store(scene, with_digest=True)):
        assert (scene.c, 1, MISSING) in named(result)
        assert {reason for _, _, reason in named(result)} == {MISSING}
        named_cases = {i.case_id for i in result.invalid}
        assert named_cases <= {scene.c, None}
        assert_numbers(scene, result)


def test_a_forged_event_inserted(scene: Scene) -> None:
    _, topic, state, *_ = scene.raw.row(scene.a, 3)
    scene.raw.insert(scene.a, 7, topic, bytes(state))
    assert_case(scene, scene.a, 7, INSERTED)
    for result in (store(scene), store(scene, with_digest=True)):
        assert named(result) == {(scene.a, 7, INSERTED)}
        assert_numbers(scene, result)


def test_a_forged_event_with_a_well_formed_case_link(scene: Scene) -> None:
    """Its case chain is forged well; the store chain still shows it was slipped in."""
    *_, last_hash, _ = scene.raw.row(scene.a, 6)
    _, topic, state, *_ = scene.raw.row(scene.a, 3)
    forged = event_hash(scene.a, 7, topic, bytes(state), last_hash)
    scene.raw.insert(scene.a, 7, topic, bytes(state), (last_hash, forged, "0" * 64))
    assert scene.app.audit.verify_case(scene.a).valid
    for result in (store(scene), store(scene, with_digest=True)):
        assert named(result) == {(scene.a, 7, INSERTED)}


def test_two_events_swapped_in_their_case(scene: Scene) -> None:
    scene.raw.swap_versions(scene.a, 3, 4)
    assert_case(scene, scene.a, 3, ORDER)
    for result in (store(scene), store(scene, with_digest=True)):
        assert named(result) == {(scene.a, 3, ORDER), (scene.a, 4, ORDER)}
        assert_numbers(scene, result)


def test_two_events_swapped_in_the_store(scene: Scene) -> None:
    scene.raw.swap_positions(scene.a, 3, 4)
    assert_case(scene, scene.a, 3, ORDER)
    for result in (store(scene), store(scene, with_digest=True)):
        assert named(result) == {(scene.a, 3, ORDER), (scene.a, 4, ORDER)}


def test_a_chain_rewritten_by_a_forger_only_the_digest_sees(scene: Scene) -> None:
    scene.raw.rewrite_from(scene.a, 2)
    assert scene.app.audit.verify_case(scene.a).valid
    assert store(scene).valid
    result = store(scene, with_digest=True)
    assert named(result) == {(None, None, BROKEN)}
    assert result.invalid[0].position == scene.digest.position
