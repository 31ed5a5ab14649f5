"""Reference data: organisations, mediators and the streets they serve."""

from __future__ import annotations

from typing import TypeVar

from eventsourcing.domain import Aggregate

from application.dto import MediatorInfo, OrganisationInfo
from application.ports import VersionConflictError, WriteConditions
from application.store import TongjieStore
from domain.errors import (
    DuplicateCodeError,
    MediatorNotFoundError,
    MediatorNotInOrganisationError,
    OrganisationNotFoundError,
    UnknownMediatorError,
    UnknownOrganisationError,
    UnknownStreetError,
)
from domain.reference import Directory, Mediator, Organisation
from domain.values import Actor, OrganisationKind

Info = TypeVar("Info")


class ReferenceData:
    def __init__(self, store: TongjieStore) -> None:
        self.store = store

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
        conditions: WriteConditions[MediatorInfo] | None = None,
    ) -> MediatorInfo:
        mediator = Mediator.register(code=code, name=name, organisation=organisation, actor=actor)
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
        info = _mediator_info(mediator)
        self.store.save_with(conditions, info, mediator)
        return info

    def require_routable(self, organisation: str, mediator: str) -> None:
        """Routing names an existing organisation and an active mediator of it."""
        found = self.store.load_or_none(Organisation.id_for(organisation))
        if not isinstance(found, Organisation):
            raise UnknownOrganisationError(organisation)
        person = self.store.load_or_none(Mediator.id_for(mediator))
        if not isinstance(person, Mediator) or not person.active:
            raise UnknownMediatorError(mediator)
        if person.organisation != organisation:
            raise MediatorNotInOrganisationError(mediator, organisation)

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
    )
