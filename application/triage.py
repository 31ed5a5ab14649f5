"""Triage (分流交办): which organisation and mediator a case should go to, and why.

The routing rules name the organisation; the mediators' loads, read from a view, choose the
mediator (domain/routing.py). With automatic routing on, a new case that a rule matches is
routed in the transaction that stores its receipt, by the system (`triage`), naming the rule.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from uuid import UUID

from application.commands import RouteCase
from application.ports import Loads, LoadsView, MediatorLoad
from application.reference import ReferenceData
from application.routing_rules import RoutingRulesBook
from application.store import TongjieStore
from domain.case import Case
from domain.eligibility import Reason, ineligibility
from domain.errors import CaseNotFoundError, CaseResolvedError, DomainError
from domain.reference import Mediator
from domain.routing import (
    Candidate,
    CaseFacts,
    first_match,
    ranked,
    target_organisation,
)
from domain.times import utcnow
from domain.values import Actor, CaseStatus, Category, Registration, RiskLevel, Role

SYSTEM = Actor(id="system:triage", login="triage", role=Role.SYSTEM)
"""Who routes a case automatically (recorded in its `Routed` event)."""


@dataclass(frozen=True)
class Suggestion:
    """Where the rules and the balance send a case; `reason` says why nowhere, if so."""

    organisation: str | None
    mediator: str | None
    rule: str | None
    candidates: tuple[Candidate, ...]
    reason: str | None = None


def facts_of(registration: Registration, risk_level: RiskLevel = RiskLevel.NONE) -> CaseFacts:
    return CaseFacts(
        category=registration.category,
        subcategory=registration.subcategory,
        street=registration.street,
        channel=registration.channel,
        claim_amount=registration.claim_amount,
        risk_level=risk_level,
    )


class Triage:
    def __init__(
        self,
        store: TongjieStore,
        reference: ReferenceData,
        rules: RoutingRulesBook,
        timezone: tzinfo,
    ) -> None:
        self.store = store
        self.timezone = timezone
        self.reference = reference
        self.rules = rules
        self.loads: LoadsView | None = None
        """The board's loads; handed in once the views are built (api/bootstrap.py)."""
        self.lock = threading.Lock()
        """Held by an automatic routing from its choice to its save: this process's
        receipts are chosen one after the other, each seeing the last."""
        self._organisation_of: dict[str, str] = {}  # a mediator's organisation never changes
        self._pending: list[tuple[int, str, datetime]] = []  # routed here, maybe not yet viewed
        self._pending_lock = threading.Lock()

    def suggestion(self, case_id: UUID) -> Suggestion:
        case = self.store.load(case_id, CaseNotFoundError(case_id))
        if not isinstance(case, Case):
            raise CaseNotFoundError(case_id)
        if case.status is CaseStatus.RESOLVED:
            raise CaseResolvedError(case_id, "suggest a routing for")
        return self.suggest(facts_of(case.registration, case.risk_level))

    def suggest(self, facts: CaseFacts, at: datetime | None = None) -> Suggestion:
        """Where a case of these facts goes if routed `at` (default now): who is away then
        cannot take it."""
        rule = first_match(self.rules.current().rules, facts)
        if rule is None:
            return Suggestion(None, None, None, (), "no routing rule matches the case")
        organisation = target_organisation(
            rule.target, facts.street, self.rules.places().organisations
        )
        if organisation is None:
            kind = rule.target.organisation_kind.value if rule.target.organisation_kind else ""
            reason = f"no organisation of kind {kind} serves {facts.street}"
            return Suggestion(None, None, rule.name, (), reason)
        order = ranked(self._candidates(organisation, facts.category, at or utcnow()))
        chosen = order[0] if order and order[0].eligible else None
        if chosen is None:
            reason = f"no mediator of {organisation} is eligible"
            return Suggestion(organisation, None, rule.name, tuple(order), reason)
        passed = tuple(
            c if c is chosen else replace(c, reason=_passed_over(c, chosen)) for c in order
        )
        return Suggestion(organisation, chosen.mediator, rule.name, passed)

    def route_new(self, case: Case) -> bool:
        """Route a case just received, before it is saved, as the suggestion says (the caller
        holds `lock`); False when no rule or no eligible mediator takes it: it waits. A
        routing the case refuses (nothing is recorded then) leaves it waiting too: the receipt
        is stored whatever the triage makes of it."""
        at = max(utcnow(), case.received_at)
        suggestion = self.suggest(facts_of(case.registration), at)
        if suggestion.organisation is None or suggestion.mediator is None:
            return False
        try:
            mediator = self.reference.routable(suggestion.organisation, suggestion.mediator)
            RouteCase(
                case.id,
                actor=SYSTEM,
                organisation=suggestion.organisation,
                mediator=suggestion.mediator,
                routed_at=at,
                rule=suggestion.rule,
                standing=mediator,  # the case judges them again, as every routing
            ).apply_to(case)
        except DomainError:
            return False
        return True

    def routed(self, case: Case, position: int | None) -> None:
        """A routing saved at `position`, counted until the view has processed it."""
        if position is not None and case.mediator is not None and case.routed_at is not None:
            with self._pending_lock:
                self._pending.append((position, case.mediator, case.routed_at))

    def _loads(self) -> dict[str, MediatorLoad]:
        seen = self.loads() if self.loads is not None else Loads({}, 0)
        loads = dict(seen.by_mediator)
        with self._pending_lock:
            self._pending = [p for p in self._pending if p[0] > seen.position]
            pending = list(self._pending)
        for _, mediator, at in pending:
            was = loads.get(mediator, MediatorLoad(0, None))
            latest = at if was.last_routed_at is None else max(at, was.last_routed_at)
            loads[mediator] = MediatorLoad(was.open_cases + 1, latest)
        return loads

    def _candidates(self, organisation: str, category: Category, at: datetime) -> list[Candidate]:
        """Every mediator of the organisation, eligible or not (domain/eligibility.py)."""
        loads = self._loads()
        candidates = []
        for mediator in self._mediators_of(organisation):
            load = loads.get(mediator.code, MediatorLoad(0, None))
            found = ineligibility(mediator, organisation, category, at)
            reason = None if found is None else _in_zone(found, self.timezone)
            candidates.append(
                Candidate(
                    mediator.code, load.open_cases, load.last_routed_at, reason is None, reason
                )
            )
        return candidates

    def _mediators_of(self, organisation: str) -> list[Mediator]:
        found = []
        for code in self.reference.directory().mediators:
            known = self._organisation_of.get(code)
            if known is not None and known != organisation:
                continue
            mediator = self.store.load_or_none(Mediator.id_for(code))
            if isinstance(mediator, Mediator):
                self._organisation_of[code] = mediator.organisation
                if mediator.organisation == organisation:
                    found.append(mediator)
        return found


def _in_zone(reason: Reason, zone: tzinfo) -> str:
    """The reason's words with its times in the bureau's offset, as every answer gives them."""
    times = {name: at.astimezone(zone).isoformat() for name, at in reason.times.items()}
    return reason.template.format(**times)


def _cases(count: int) -> str:
    return f"{count} open case{'' if count == 1 else 's'}"


def _passed_over(candidate: Candidate, chosen: Candidate) -> str:
    if not candidate.eligible:
        return candidate.reason or "not eligible"
    if candidate.open_cases > chosen.open_cases:
        return f"{_cases(candidate.open_cases)}, {chosen.mediator} has {chosen.open_cases}"
    if candidate.last_routed_at != chosen.last_routed_at:
        return f"as many open cases as {chosen.mediator}, routed to more recently"
    return f"as many open cases as {chosen.mediator}, routed to as recently; by code"
