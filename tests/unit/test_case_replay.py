"""The linear replay (`CaseReplay`) refuses what the library's `event.mutate` refuses, with the
library's errors: a gap in the versions, an event of another case, a first event that makes no
case. (That it folds as the library does is the case machine's invariant.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from eventsourcing.domain import OriginatorIDError, OriginatorVersionError

from domain.case import Case, replayed
from domain.values import Method
from tests.unit.case_builders import HELD_AT, ZHANG, in_mediation


def events_of_a_case() -> list[Case.Event]:
    """Received, routed, four sessions: six events."""
    case = in_mediation()
    for hour in range(1, 4):
        held_at = HELD_AT + timedelta(hours=hour)
        case.log_session(
            method=Method.PHONE, attendees=["王小明"], notes="电话", actor=ZHANG, held_at=held_at
        )
    return list(case.pending_events)


def test_a_gap_in_the_versions_is_the_librarys_error() -> None:
    events = events_of_a_case()
    with pytest.raises(OriginatorVersionError):
        replayed([*events[:2], *events[3:]])
    with pytest.raises(OriginatorVersionError):
        replayed([*events, events[-1]])


def test_an_event_of_another_case_is_the_librarys_error() -> None:
    events, other = events_of_a_case(), events_of_a_case()
    with pytest.raises(OriginatorIDError):
        replayed([*events[:2], other[2]])


def test_a_first_event_that_makes_no_case_is_refused() -> None:
    events = events_of_a_case()
    with pytest.raises((TypeError, AttributeError, AssertionError)):
        replayed(events[1:])


def test_the_replay_equals_the_librarys_fold_at_every_version() -> None:
    events = events_of_a_case()
    for n in range(1, len(events) + 1):
        library = None
        for event in events[:n]:
            library = event.mutate(library)
        case = replayed(events[:n])
        assert case is not None
        assert library is not None
        assert case.version == library.version == n
        assert case.modified_on == library.modified_on
        assert vars(case) == vars(library)
