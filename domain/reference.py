"""Reference data with an audited history of its own: organisations and mediators.

Each is an aggregate whose id derives from its code, so a code is unique by construction
(a second `create` conflicts in the store) and a lookup by code needs no index.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.errors import InvalidValueError
from domain.snapshots import TupleSnapshot
from domain.text import blank
from domain.times import aware
from domain.values import Absence, Actor, Category, OrganisationKind

NAMESPACE = uuid5(NAMESPACE_URL, "https://tongjie.invalid/ids")


def derived_id(kind: str, key: str) -> UUID:
    return uuid5(NAMESPACE, f"{kind}:{key}")


def _check_code(field: str, code: str) -> None:
    if not code or len(code) > 64 or not all(c.isalnum() or c in "-_." for c in code):
        raise InvalidValueError(field, "letters, digits, '.', '-' or '_', at most 64")


class Organisation(Aggregate):
    """A mediation organisation: a street room (通解室), an enterprise, professional or centre."""

    class Registered(Aggregate.Created):
        code: str
        name: str
        kind: OrganisationKind
        street: str
        actor: Actor

    def __init__(self, code: str, name: str, kind: OrganisationKind, street: str, actor: Actor):
        self.code = code
        self.name = name
        self.kind = kind
        self.street = street
        self.registered_by = actor

    @staticmethod
    def id_for(code: str) -> UUID:
        return derived_id("organisation", code)

    @classmethod
    def register(
        cls, *, code: str, name: str, kind: OrganisationKind, street: str, actor: Actor
    ) -> Organisation:
        _check_code("code", code)
        if blank(name):
            raise InvalidValueError("name", "must not be empty")
        if blank(street):
            raise InvalidValueError("street", "must not be empty")
        return cls._create(
            cls.Registered,
            id=cls.id_for(code),
            code=code,
            name=name,
            kind=kind,
            street=street.strip(),
            actor=actor,
        )


class Mediator(Aggregate):
    """A trained mediator (解纷人) of one organisation: the categories of dispute they take
    (every one unless said otherwise) and the periods they are away."""

    class Registered(Aggregate.Created):
        code: str
        name: str
        organisation: str
        actor: Actor
        categories: tuple[Category, ...] | None = None
        """None: every category (and every mediator registered before categories existed)."""

    class Deactivated(Aggregate.Event):
        actor: Actor

        def apply(self, aggregate: Any) -> None:
            aggregate.active = False

    class CategoriesSet(Aggregate.Event):
        """The categories of dispute the mediator takes from now on."""

        categories: tuple[Category, ...]
        actor: Actor

        def apply(self, aggregate: Any) -> None:
            aggregate.categories = tuple(self.categories)

    class AbsenceRecorded(Aggregate.Event):
        """A period the mediator is away: routing to them then needs an override."""

        absence: Absence
        actor: Actor

        def apply(self, aggregate: Any) -> None:
            aggregate.absences = (*aggregate.absences, self.absence)

    def __init__(
        self,
        code: str,
        name: str,
        organisation: str,
        actor: Actor,
        categories: tuple[Category, ...] | None = None,
    ):
        self.code = code
        self.name = name
        self.organisation = organisation
        self.active = True
        self.categories: tuple[Category, ...] = (
            tuple(Category) if categories is None else tuple(categories)
        )
        self.absences: tuple[Absence, ...] = ()

    @staticmethod
    def id_for(code: str) -> UUID:
        return derived_id("mediator", code)

    @classmethod
    def register(
        cls,
        *,
        code: str,
        name: str,
        organisation: str,
        actor: Actor,
        categories: Iterable[Category] | None = None,
    ) -> Mediator:
        _check_code("code", code)
        if blank(name):
            raise InvalidValueError("name", "must not be empty")
        return cls._create(
            cls.Registered,
            id=cls.id_for(code),
            code=code,
            name=name,
            organisation=organisation,
            actor=actor,
            categories=None if categories is None else _categories(categories),
        )

    def deactivate(self, *, actor: Actor) -> None:
        """Stop new routing to this mediator; their cases stay theirs."""
        if self.active:
            self.trigger_event(self.Deactivated, actor=actor)

    def set_categories(self, categories: Iterable[Category], *, actor: Actor) -> None:
        """The categories of dispute this mediator takes (at least one)."""
        self.trigger_event(self.CategoriesSet, categories=_categories(categories), actor=actor)

    def record_absence(self, *, start: datetime, end: datetime, reason: str, actor: Actor) -> None:
        """A period the mediator is away, `start` to `end` (exclusive). The caller has
        bounded both times (domain/times.py: `TimeBounds.planned`)."""
        aware("from", start)
        aware("to", end)
        if end <= start:
            raise InvalidValueError("to", "must be after from")
        if blank(reason):
            raise InvalidValueError("reason", "must not be empty")
        self.trigger_event(
            self.AbsenceRecorded,
            absence=Absence(start=start, end=end, reason=reason.strip()),
            actor=actor,
        )


def _categories(categories: Iterable[Category]) -> tuple[Category, ...]:
    """The categories in their canonical order, each once; at least one."""
    chosen = set(categories)
    if not chosen:
        raise InvalidValueError("categories", "at least one category")
    return tuple(c for c in Category if c in chosen)


class Directory(Aggregate):
    """The index of reference data: which codes exist, and the streets organisations serve.

    Saved together with each organisation, mediator or user it lists, so a list never
    misses one and a street check needs one load.
    """

    Snapshot = TupleSnapshot

    class Opened(Aggregate.Created):
        pass

    class OrganisationListed(Aggregate.Event):
        code: str
        street: str

        def apply(self, aggregate: Any) -> None:
            aggregate.organisations = {**aggregate.organisations, self.code: self.street}

    class MediatorListed(Aggregate.Event):
        code: str

        def apply(self, aggregate: Any) -> None:
            aggregate.mediators = (*aggregate.mediators, self.code)

    class UserListed(Aggregate.Event):
        login: str

        def apply(self, aggregate: Any) -> None:
            aggregate.users = (*aggregate.users, self.login)

    ID = derived_id("directory", "reference-data")

    def __init__(self) -> None:
        self.organisations: dict[str, str] = {}
        self.mediators: tuple[str, ...] = ()
        self.users: tuple[str, ...] = ()

    @classmethod
    def open(cls) -> Directory:
        return cls._create(cls.Opened, id=cls.ID)

    @property
    def streets(self) -> list[str]:
        return sorted(set(self.organisations.values()))

    def list_organisation(self, code: str, street: str) -> None:
        self.trigger_event(self.OrganisationListed, code=code, street=street)

    def list_mediator(self, code: str) -> None:
        self.trigger_event(self.MediatorListed, code=code)

    def list_user(self, login: str) -> None:
        self.trigger_event(self.UserListed, login=login)
