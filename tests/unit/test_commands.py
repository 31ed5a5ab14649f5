"""Each case command hands its fields straight to the case's method of the same keywords, and
each one is routed: a field misspelt, retyped or forgotten on either side fails here."""

from __future__ import annotations

import inspect
from dataclasses import MISSING, fields
from typing import Any
from uuid import uuid4

import pytest

from api.routes.case_writes import ON_A_CASE
from api.routes.documents import OWN_ENDPOINT
from application import commands
from application.commands import CaseCommand
from domain.case import Case

ON_A_CASE_COMMANDS = sorted(
    (
        value
        for value in vars(commands).values()
        if isinstance(value, type) and issubclass(value, CaseCommand) and value is not CaseCommand
    ),
    key=lambda command: command.__name__,
)
ADDRESS = {"case_id", "expected_version"}  # the handler's, not the case method's


class CaseSpy:
    """Stands for a case: remembers which method a command called, with which keywords."""

    called: tuple[str, dict[str, Any]] | None = None

    def __getattr__(self, name: str) -> Any:
        def call(**keywords: Any) -> None:
            self.called = (name, keywords)

        return call


@pytest.mark.parametrize("command", ON_A_CASE_COMMANDS, ids=lambda c: c.__name__)
def test_a_command_passes_its_fields_to_the_case_method_as_they_are_declared(
    command: type[CaseCommand],
) -> None:
    own = [f for f in fields(command) if f.name not in ADDRESS]
    spy = CaseSpy()
    command(uuid4(), **{f.name: f"<{f.name}>" for f in own}).apply_to(spy)  # type: ignore[arg-type]
    assert spy.called is not None, "apply_to called no method of the case"
    name, keywords = spy.called
    assert keywords == {f.name: f"<{f.name}>" for f in own}
    method = inspect.signature(getattr(Case, name))
    parameters = {p.name: p for p in method.parameters.values() if p.name != "self"}
    assert set(parameters) == set(keywords), name
    for f in own:
        parameter = parameters[f.name]
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY, (name, f.name)
        assert parameter.annotation == f.type, (name, f.name)
        default = inspect.Parameter.empty if f.default is MISSING else f.default
        assert parameter.default == default, (name, f.name)


def test_every_command_on_a_case_has_its_route() -> None:
    routed = [*(line.command for line in ON_A_CASE), *OWN_ENDPOINT]
    assert sorted(routed, key=lambda c: c.__name__) == ON_A_CASE_COMMANDS
