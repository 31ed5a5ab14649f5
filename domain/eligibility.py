"""Who may take a case (分流交办): the one rule that says whether a mediator can be routed it.

Routing (`Case.route`), the routing suggestion and the workbench all ask `ineligibility`, so
the rule is written once. Its reasons, in the order they are judged:

- `deactivated`: the mediator no longer takes new cases;
- `not_in_organisation`: the mediator is not of the organisation the case goes to;
- `category_not_taken`: the mediator does not take disputes of the case's category;
- `away`: the mediator is away (leave, training) at the time of the routing.

The first two are the law of a routing (a case's mediator is active and of its
organisation): nobody overrides them. The last two are the bureau's own arrangements: a
supervisor may override them, with the reason, and the `Routed` event records both.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from domain.values import Absence, Category, Ineligibility


class Standing(Protocol):
    """A mediator as reference data knows them (the `Mediator` aggregate is one)."""

    @property
    def code(self) -> str: ...
    @property
    def active(self) -> bool: ...
    @property
    def organisation(self) -> str: ...
    @property
    def categories(self) -> Collection[Category]: ...
    @property
    def absences(self) -> Sequence[Absence]: ...


@dataclass(frozen=True)
class Reason:
    """Why a mediator cannot take a case: a stable `code` and the same in plain words."""

    code: Ineligibility
    template: str
    """The plain words; a time goes where its `{name}` is (so answers show it in the
    bureau's offset)."""
    times: Mapping[str, datetime] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.template.format(**{k: v.isoformat() for k, v in self.times.items()})

    @property
    def overridable(self) -> bool:
        """A supervisor may route anyway, saying why (never to a deactivated mediator or
        one of another organisation)."""
        return self.code in OVERRIDABLE


OVERRIDABLE = frozenset({Ineligibility.CATEGORY_NOT_TAKEN, Ineligibility.AWAY})


def ineligibility(
    mediator: Standing, organisation: str, category: Category, at: datetime
) -> Reason | None:
    """Why `mediator` cannot take a case of `category` routed to `organisation` at `at`, or
    None when they can. The first reason found, in the order of the module's list."""
    if not mediator.active:
        return Reason(
            Ineligibility.DEACTIVATED,
            f"{mediator.code} is deactivated and takes no new cases",
        )
    if mediator.organisation != organisation:
        return Reason(
            Ineligibility.NOT_IN_ORGANISATION,
            f"{mediator.code} is a mediator of {mediator.organisation}, not of {organisation}",
        )
    if category not in mediator.categories:
        return Reason(
            Ineligibility.CATEGORY_NOT_TAKEN,
            f"{mediator.code} does not take {category.value} disputes",
        )
    for absence in mediator.absences:
        if absence.covers(at):
            return Reason(
                Ineligibility.AWAY,
                f"{mediator.code} is away from {{start}} to {{end}}: {_braced(absence.reason)}",
                {"start": absence.start, "end": absence.end},
            )
    return None


def _braced(text: str) -> str:
    """`text` as a literal in a template."""
    return text.replace("{", "{{").replace("}", "}}")
