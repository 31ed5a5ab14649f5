"""Commands run on the copy of a case their process kept; another process may have moved the
case on since. Two applications on one store stand for two server processes: whatever the
copy says, a command is judged on the case as the store has it."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

import pytest

from api.bootstrap import build_application
from application.errors import VersionMismatchError
from application.tongjie import Tongjie
from domain.errors import NotAssignedMediatorError
from domain.values import Actor, Method
from infrastructure.eventstore.recorder import GroupCommitRecorder
from infrastructure.settings import Settings
from tests.world import World, make_world, registration


@pytest.fixture
def other(settings: Settings) -> Iterator[Tongjie]:
    """A second process on the same store."""
    app = build_application(settings)
    try:
        yield app
    finally:
        app.close()


def routed_case(app: Tongjie, world: World, mediator: str) -> UUID:
    case = app.cases.receive(actor=world.mediator, registration=registration())
    organisation = "room-1" if mediator == "m1" else "centre-2"
    app.cases.route(case.id, actor=world.supervisor, organisation=organisation, mediator=mediator)
    return case.id


def session(app: Tongjie, case_id: UUID, actor: Actor, expected_version: int | None = None) -> int:
    summary = app.cases.log_session(
        case_id,
        actor=actor,
        method=Method.PHONE,
        attendees=["甲"],
        notes="电话回访",
        expected_version=expected_version,
    )
    return summary.version


def versions(app: Tongjie, case_id: UUID) -> int:
    return len(list(app.store.events.get(case_id)))


def test_a_command_allowed_by_a_stale_copy_is_refused_as_the_store_says(
    tongjie: Tongjie, other: Tongjie
) -> None:
    world = make_world(tongjie)
    case_id = routed_case(tongjie, world, "m1")
    assert session(tongjie, case_id, world.mediator) == 3  # this process keeps the case at 3
    other.cases.route(case_id, actor=world.supervisor, organisation="centre-2", mediator="m2")

    with pytest.raises(NotAssignedMediatorError):
        session(tongjie, case_id, world.mediator)
    assert versions(tongjie, case_id) == 4  # the re-routing, and nothing of the refused command


def test_a_command_refused_by_a_stale_copy_is_judged_again_on_the_store(
    tongjie: Tongjie, other: Tongjie
) -> None:
    world = make_world(tongjie)
    case_id = routed_case(tongjie, world, "m2")
    assert session(tongjie, case_id, world.other_mediator) == 3  # kept: routed to m2
    other.cases.route(case_id, actor=world.supervisor, organisation="room-1", mediator="m1")

    assert session(tongjie, case_id, world.mediator) == 5
    assert tongjie.reads.current(case_id).mediator == "m1"


def test_if_match_is_judged_on_the_store_and_not_on_a_stale_copy(
    tongjie: Tongjie, other: Tongjie
) -> None:
    world = make_world(tongjie)
    case_id = routed_case(tongjie, world, "m1")
    assert session(tongjie, case_id, world.mediator) == 3
    assert session(other, case_id, world.mediator) == 4  # this process's copy says 3

    with pytest.raises(VersionMismatchError):
        session(tongjie, case_id, world.mediator, expected_version=3)
    assert session(tongjie, case_id, world.mediator, expected_version=4) == 5
    assert versions(tongjie, case_id) == 5


def test_the_writer_counts_the_groups_that_found_another_writers_events(
    tongjie: Tongjie, other: Tongjie
) -> None:
    world = make_world(tongjie)
    case_id = routed_case(tongjie, world, "m1")
    writer = tongjie.store.recorder
    assert isinstance(writer, GroupCommitRecorder)
    seen = writer.foreign_writes
    assert seen >= 1  # the store held events before this writer's first group
    session(tongjie, case_id, world.mediator)
    session(tongjie, case_id, world.mediator)
    assert writer.foreign_writes == seen

    session(other, case_id, world.mediator)
    assert writer.foreign_writes == seen  # not seen until...
    session(tongjie, case_id, world.mediator)  # ...its next group
    assert writer.foreign_writes == seen + 1
    assert versions(tongjie, case_id) == 6
