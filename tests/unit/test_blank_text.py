"""Text that shows nothing is refused like an empty one: zero-width spaces, joiners, the BOM."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.case import Case
from domain.errors import InvalidValueError
from domain.text import blank
from domain.values import Role
from tests.unit.case_builders import ZHANG, in_mediation, registration

INVISIBLE = ["", "   ", "\u200b", "\u200b\u200c\u200d", "\ufeff", "\u2060\u00ad", "\u3000\u3164"]


@pytest.mark.parametrize("text", INVISIBLE, ids=repr)
def test_text_of_invisible_characters_alone_is_blank(text: str) -> None:
    assert blank(text)


@pytest.mark.parametrize("text", ["楼上漏水", "a\u200b", "\u200b0"], ids=repr)
def test_text_with_something_to_see_is_not_blank(text: str) -> None:
    assert not blank(text)


@pytest.mark.parametrize("field", ["summary", "street"])
def test_a_registration_of_zero_width_spaces_is_refused(field: str) -> None:
    with pytest.raises(InvalidValueError) as refused:
        Case.receive(
            id=uuid4(),
            number="2026-000001",
            registration=registration(**{field: "\u200b\u200b"}),
            actor=ZHANG,
        )
    assert (refused.value.field, refused.value.message) == (field, "must not be empty")


def test_a_session_whose_notes_are_invisible_is_refused() -> None:
    case = in_mediation()
    with pytest.raises(InvalidValueError, match="notes"):
        case.log_session(method=case.sessions[0].method, attendees=[], notes="\u200b", actor=ZHANG)


@pytest.mark.parametrize(
    ("role", "said"),
    [
        (Role.MEDIATOR, "a mediator"),
        (Role.SUPERVISOR, "a supervisor"),
        (Role.AUDITOR, "an auditor"),
        (Role.ADMIN, "an admin"),
    ],
)
def test_a_role_is_named_with_its_article(role: Role, said: str) -> None:
    assert role.a == said
