"""Reference data: organisations, mediators and the streets they serve."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, tzinfo
from typing import TypeVar

from eventsourcing.domain import Aggregate

from application.dto import MediatorInfo, OrganisationInfo
from application.ports import VersionConflictError, WriteConditions
from application.store import TongjieStore
from domain.errors import (
    DuplicateCodeError,
    MediatorNotFoundError,
    OrganisationNotFoundError,
    UnknownMediatorError,
    UnknownOrganisationError,
    UnknownStreetError,
)
from domain.reference import Directory, Mediator, Organisation
from domain.times import TimeBounds, utcnow
from domain.values import Actor, Category, OrganisationKind

Info = TypeVar("Info")


class ReferenceData:
    def __init__(self, store: TongjieStore, timezone: tzinfo) -> None:
        self.store = store
        self.bounds = TimeBounds(timezone)

    def directory(self) -> Directory:
        found = self.store.load_or_none(Directory.ID)
        return found if isinstance(found, Directory) else Directory.open()

    # -- organisations --------------------------------------------------------------------

    def add_organisation(
        self,
        *,
        code: str,
        name: str,
        kind: OrganisationKind,
        street: str,
        actor: Actor,
        conditions: WriteConditions[OrganisationInfo] | None = None,
    ) -> OrganisationInfo:
        organisation = Organisation.register(
            code=code, name=name, kind=kind, street=street, actor=actor
        )
        directory = self.directory()
        if code in directory.organisations:
            raise DuplicateCodeError("organisation", code)
        directory.list_organisation(code, organisation.street)
        info = _organisation_info(organisation)
        self._save_new("organisation", code, directory, organisation, info, conditions)
        return info

    def organisation(self, code: str) -> OrganisationInfo:
        found = self.store.load(Organisation.id_for(code), OrganisationNotFoundError(code))
        return _organisation_info(found)

    def organisations(self) -> list[OrganisationInfo]:
        return [self.organisation(code) for code in self.directory().organisations]

    def streets(self) -> list[str]:
        return self.directory().streets

    def require_street(self, street: str, field: str = "street") -> None:
        if street not in self.directory().organisations.values():
            raise UnknownStreetError(street, field)

    # -- mediators ---------------------------------------------------------------------------

    def add_mediator(
        self,
        *,
        code: str,
        name: str,
        organisation: str,
        actor: Actor,
        categories: Iterable[Category] | None = None,
        conditions: WriteConditions[MediatorInfo] | None = None,
    ) -> MediatorInfo:
        """A new mediator, taking the `categories` given (None: every category)."""
        mediator = Mediator.register(
            code=code, name=name, organisation=organisation, actor=actor, categories=categories
        )
        directory = self.directory()
        if organisation not in directory.organisations:
            raise UnknownOrganisationError(organisation)
        if code in directory.mediators:
            raise DuplicateCodeError("mediator", code)
        directory.list_mediator(code)
        info = _mediator_info(mediator)
        self._save_new("mediator", code, directory, mediator, info, conditions)
        return info

    def mediator(self, code: str) -> MediatorInfo:
        return _mediator_info(self._mediator(code))

    def mediators(self) -> list[MediatorInfo]:
        return [self.mediator(code) for code in self.directory().mediators]

    def deactivate_mediator(
        self,
        code: str,
        *,
        actor: Actor,
        conditions: WriteConditions[MediatorInfo] | None = None,
    ) -> MediatorInfo:
        mediator = self._mediator(code)
        mediator.deactivate(actor=actor)
        return self._save_mediator(mediator, conditions)

    def _save_mediator(
        self, mediator: Mediator, conditions: WriteConditions[MediatorInfo] | None
    ) -> MediatorInfo:
        info = _mediator_info(mediator)
        self.store.save_with(conditions, info, mediator)
        return info

    def set_categories(
        self,
        code: str,
        categories: Iterable[Category],
        *,
        actor: Actor,
        conditions: WriteConditions[MediatorInfo] | None = None,
    ) -> MediatorInfo:
        """The categories of dispute the mediator takes from now on."""
        mediator = self._mediator(code)
        mediator.set_categories(categories, actor=actor)
        return self._save_mediator(mediator, conditions)

    def record_absence(
        self,
        code: str,
        *,
        start: datetime,
        end: datetime,
        reason: str,
        actor: Actor,
        conditions: WriteConditions[MediatorInfo] | None = None,
    ) -> MediatorInfo:
        """A period the mediator is away, planned or past, within the bounds of every time."""
        now = utcnow()
        self.bounds.planned("from", start, now)
        self.bounds.planned("to", end, now)
        mediator = self._mediator(code)
        mediator.record_absence(start=start, end=end, reason=reason, actor=actor)
        return self._save_mediator(mediator, conditions)

    def routable(self, organisation: str, mediator: str) -> Mediator:
        """Routing names an existing organisation and an existing mediator; whether the
        mediator can take the case is the case's to judge (domain/eligibility.py)."""
        found = self.store.load_or_none(Organisation.id_for(organisation))
        if not isinstance(found, Organisation):
            raise UnknownOrganisationError(organisation)
        person = self.store.load_or_none(Mediator.id_for(mediator))
        if not isinstance(person, Mediator):
            raise UnknownMediatorError(mediator)
        return person

    def _mediator(self, code: str) -> Mediator:
        found = self.store.load(Mediator.id_for(code), MediatorNotFoundError(code))
        assert isinstance(found, Mediator)
        return found

    def _save_new(
        self,
        kind: str,
        code: str,
        directory: Directory,
        new: Aggregate,
        info: Info,
        conditions: WriteConditions[Info] | None,
    ) -> None:
        try:
            self.store.save_with(conditions, info, directory, new)
        except VersionConflictError:
            # Another admin listed something at the same moment, or took the same code.
            raise DuplicateCodeError(kind, code) from None


def _organisation_info(organisation: Organisation) -> OrganisationInfo:
    return OrganisationInfo(
        code=organisation.code,
        name=organisation.name,
        kind=organisation.kind.value,
        street=organisation.street,
    )


def _mediator_info(mediator: Mediator) -> MediatorInfo:
    return MediatorInfo(
        code=mediator.code,
        name=mediator.name,
        organisation=mediator.organisation,
        active=mediator.active,
        categories=tuple(c.value for c in mediator.categories),
        absences=mediator.absences,
    )
