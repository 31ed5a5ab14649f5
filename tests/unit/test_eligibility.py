"""Who may take a case (domain/eligibility.py): each reason, in its order; the Mediator's
categories and absences, their rules, and the events of mediators recorded before them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.eligibility import ineligibility
from domain.errors import InvalidValueError, NaiveTimeError
from domain.reference import Mediator
from domain.values import Absence, Actor, Category, Ineligibility, Role

ADMIN = Actor(id="a", login="admin", role=Role.ADMIN)
AT = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def mediator(**categories: object) -> Mediator:
    chosen = categories.get("categories")
    return Mediator.register(
        code="m1",
        name="张调解",
        organisation="room-1",
        actor=ADMIN,
        categories=chosen,  # type: ignore[arg-type]
    )


def reason(m: Mediator, *, organisation: str = "room-1", at: datetime = AT) -> object:
    found = ineligibility(m, organisation, Category.FAMILY, at)
    return None if found is None else found.code


def test_a_new_mediator_takes_every_category_and_is_eligible() -> None:
    m = mediator()
    assert m.categories == tuple(Category)
    assert reason(m) is None


def test_each_reason() -> None:
    m = mediator()
    assert reason(m, organisation="centre-2") is Ineligibility.NOT_IN_ORGANISATION
    m.set_categories([Category.COMMERCIAL], actor=ADMIN)
    assert reason(m) is Ineligibility.CATEGORY_NOT_TAKEN
    m.set_categories([Category.FAMILY], actor=ADMIN)
    m.record_absence(start=AT - HOUR, end=AT + HOUR, reason="年假", actor=ADMIN)
    assert reason(m) is Ineligibility.AWAY
    assert reason(m, at=AT + HOUR) is None, "the end is exclusive"
    assert reason(m, at=AT - HOUR) is Ineligibility.AWAY, "the start is inclusive"
    m.deactivate(actor=ADMIN)
    assert reason(m) is Ineligibility.DEACTIVATED


def test_the_first_reason_wins_in_the_documented_order() -> None:
    m = mediator(categories=[Category.OTHER])
    m.record_absence(start=AT - HOUR, end=AT + HOUR, reason="培训", actor=ADMIN)
    assert reason(m) is Ineligibility.CATEGORY_NOT_TAKEN
    assert reason(m, organisation="x") is Ineligibility.NOT_IN_ORGANISATION
    m.deactivate(actor=ADMIN)
    assert reason(m, organisation="x") is Ineligibility.DEACTIVATED


def test_only_the_bureaus_own_arrangements_may_be_overridden() -> None:
    m = mediator(categories=[Category.OTHER])
    found = ineligibility(m, "room-1", Category.FAMILY, AT)
    assert found is not None
    assert found.overridable
    found = ineligibility(m, "x", Category.FAMILY, AT)
    assert found is not None
    assert not found.overridable
    assert "room-1" in found.text
    assert "not of x" in found.text


def test_the_away_reason_says_when_in_plain_words() -> None:
    m = mediator()
    m.record_absence(start=AT - HOUR, end=AT + HOUR, reason="病假 {braces}", actor=ADMIN)
    found = ineligibility(m, "room-1", Category.FAMILY, AT)
    assert found is not None
    assert found.text == (
        "m1 is away from 2026-05-04T08:00:00+00:00 to 2026-05-04T10:00:00+00:00: 病假 {braces}"
    )


def test_categories_are_kept_in_their_order_once_and_never_none() -> None:
    m = mediator(categories=[Category.OTHER, Category.FAMILY, Category.OTHER])
    assert m.categories == (Category.FAMILY, Category.OTHER)
    with pytest.raises(InvalidValueError) as raised:
        m.set_categories([], actor=ADMIN)
    assert raised.value.field == "categories"
    with pytest.raises(InvalidValueError):
        mediator(categories=[])


@pytest.mark.parametrize(
    ("start", "end", "why", "field"),
    [
        (AT, AT, "年假", "to"),
        (AT, AT - HOUR, "年假", "to"),
        (AT, AT + HOUR, "  ", "reason"),
    ],
)
def test_an_absence_ends_after_it_starts_and_says_why(
    start: datetime, end: datetime, why: str, field: str
) -> None:
    m = mediator()
    with pytest.raises(InvalidValueError) as raised:
        m.record_absence(start=start, end=end, reason=why, actor=ADMIN)
    assert raised.value.field == field
    assert m.absences == ()


def test_an_absence_carries_offsets() -> None:
    with pytest.raises(NaiveTimeError):
        mediator().record_absence(
            start=datetime(2026, 5, 4), end=AT + HOUR, reason="年假", actor=ADMIN
        )


def test_a_mediator_registered_before_categories_takes_every_one() -> None:
    """An old `Registered` event has no `categories`: it decodes, and means every category."""
    m = mediator()
    event = m.collect_events()[0]
    del event.__dict__["categories"]
    replayed = event.mutate(None)
    assert isinstance(replayed, Mediator)
    assert replayed.categories == tuple(Category)
    assert replayed.absences == ()


def test_an_absence_covers_its_start_not_its_end() -> None:
    absence = Absence(start=AT, end=AT + HOUR, reason="x")
    assert absence.covers(AT)
    assert not absence.covers(AT + HOUR)
