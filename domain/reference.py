"""Reference data with an audited history of its own: organisations and mediators.

Each is an aggregate whose id derives from its code, so a code is unique by construction
(a second `create` conflicts in the store) and a lookup by code needs no index.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.errors import InvalidValueError
from domain.snapshots import TupleSnapshot
from domain.text import blank
from domain.values import Actor, OrganisationKind

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
    """A trained mediator (解纷人) of one organisation."""

    class Registered(Aggregate.Created):
        code: str
        name: str
        organisation: str
        actor: Actor

    class Deactivated(Aggregate.Event):
        actor: Actor

        def apply(self, aggregate: Any) -> None:
            aggregate.active = False

    def __init__(self, code: str, name: str, organisation: str, actor: Actor):
        self.code = code
        self.name = name
        self.organisation = organisation
        self.active = True

    @staticmethod
    def id_for(code: str) -> UUID:
        return derived_id("mediator", code)

    @classmethod
    def register(cls, *, code: str, name: str, organisation: str, actor: Actor) -> Mediator:
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
        )

    def deactivate(self, *, actor: Actor) -> None:
        """Stop new routing to this mediator; their cases stay theirs."""
        if self.active:
            self.trigger_event(self.Deactivated, actor=actor)


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
