"""The routing rules as the bureau keeps them: read the list, replace it whole."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from application.errors import RulesMovedOnError
from application.ports import VersionConflictError, WriteConditions
from application.reference import ReferenceData
from application.store import TongjieStore
from domain.routing import OrganisationPlace, RoutingRule
from domain.routing_rules import KnownPlaces, RoutingRules
from domain.values import Actor, OrganisationKind


@dataclass(frozen=True)
class RulesSet:
    """One list the bureau had: its version, when it was stored, who set it."""

    version: int
    recorded_at: datetime
    actor: Actor
    rules: tuple[RoutingRule, ...]


@dataclass(frozen=True)
class RulesInfo:
    """The list and its version (0 before the first list is set), which `If-Match` names."""

    version: int
    rules: tuple[RoutingRule, ...]


class RoutingRulesBook:
    def __init__(self, store: TongjieStore, reference: ReferenceData) -> None:
        self.store = store
        self.reference = reference
        self._kinds: dict[str, OrganisationKind] = {}  # an organisation's kind never changes

    def current(self) -> RulesInfo:
        found = self._load()
        return RulesInfo(0, ()) if found is None else RulesInfo(found.version, found.rules)

    def replace(
        self,
        rules: Sequence[RoutingRule],
        *,
        actor: Actor,
        expected_version: int,
        conditions: WriteConditions[RulesInfo] | None = None,
    ) -> RulesInfo:
        """Replace the whole list, if it is still at `expected_version` (else 412)."""
        book = self._load()
        version = 0 if book is None else book.version
        if version != expected_version:
            raise RulesMovedOnError(RoutingRules.ID, expected_version, version)
        book = book or RoutingRules.open()
        book.replace(rules, actor=actor, known=self.places())
        info = RulesInfo(book.version, book.rules)
        try:
            self.store.save_with(conditions, info, book)
        except VersionConflictError:  # another replacement took this version first
            fresh = self._load()
            raise RulesMovedOnError(
                RoutingRules.ID, expected_version, fresh.version if fresh else 0
            ) from None
        return info

    def history(self) -> list[RulesSet]:
        """Every list ever set, the first first, read from the events (never a snapshot)."""
        return [
            RulesSet(
                event.originator_version,
                event.timestamp,
                event.actor,
                tuple(RoutingRule.from_plain(r) for r in event.rules),
            )
            for event in self.store.events.get(RoutingRules.ID)
            if isinstance(event, RoutingRules.RulesReplaced)
        ]

    def places(self) -> KnownPlaces:
        """Every organisation's kind and street, as the rules may name them: the directory's
        streets, and each organisation's kind read once (it never changes)."""
        listed = self.reference.directory().organisations
        for code in listed.keys() - self._kinds.keys():
            self._kinds[code] = OrganisationKind(self.reference.organisation(code).kind)
        return KnownPlaces(
            tuple(
                OrganisationPlace(code, self._kinds[code], street)
                for code, street in listed.items()
            )
        )

    def _load(self) -> RoutingRules | None:
        found = self.store.load_or_none(RoutingRules.ID)
        return found if isinstance(found, RoutingRules) else None
