"""The life of one demo case: the steps after intake, with business times and actors.

Most cases are routed within a day or two, mediated in one to a few sessions and resolved well
within the 30 days of the rules; a few take an extension (延期) or run late. Steps are returned
in business-time order, so any prefix of them (the case as it stood on a given day) is valid.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from demo.aftercare import Aftercare
from demo.calendar import Clock
from demo.district import District
from demo.draw import Weighted
from demo.endings import Endings
from demo.intake import Intake, IntakeMaker
from demo.names import GIVEN_MALE
from demo.steps import (
    Assess,
    Correct,
    Extend,
    Resolve,
    Route,
    Session,
    Step,
)
from demo.texts import (
    CLOSING_SESSION,
    CORRECTION_REASONS,
    EXTENSION_REASONS,
    FIRST_SESSION,
    LATER_SESSION,
    RISK_REASONS,
    ROUTING_NOTES,
    WITHDRAWN_NOTES,
)
from domain.times import MAX_EXTENSION, MEDIATION_PERIOD
from domain.values import (
    SUBCATEGORIES,
    Actor,
    Channel,
    Method,
    OrganisationKind,
    Outcome,
    Party,
    Registration,
    RiskLevel,
)

NORMAL, EXTENDED, LATE, STALLED = "normal", "extended", "late", "stalled"
W = Weighted
SESSIONS = {
    NORMAL: W({1: 70, 2: 22, 3: 6, 4: 2}),  # most disputes settle in one sitting (当场调解)
    EXTENDED: W({3: 60, 4: 40}),
    LATE: W({3: 60, 4: 40}),
    STALLED: W({0: 25, 1: 50, 2: 25}),
}
WITHDRAWAL_STAGE = W({"received": 3, "routed": 3, "mediation": 4})
ROUTING_DELAY = W({0: 50, 1: 35, 2: 10, 3: 5})  # working days
FIRST_SESSION_DELAY = W({0: 25, 1: 35, 2: 20, 3: 12, 4: 8})
RESOLUTION_DELAY = W({0: 65, 1: 20, 2: 10, 3: 5})
METHODS = W({Method.IN_PERSON: 70, Method.PHONE: 20, Method.VIDEO: 10})
RISK = W({RiskLevel.YELLOW: 70, RiskLevel.ORANGE: 25, RiskLevel.RED: 5})
ESCALATION = W({RiskLevel.YELLOW: 5, RiskLevel.ORANGE: 3, RiskLevel.RED: 2})


class TimelineMaker:
    def __init__(
        self, district: District, intakes: IntakeMaker, rng: random.Random, clock: Clock
    ) -> None:
        self.district = district
        self.intakes = intakes
        self.rng = rng
        self.clock = clock
        self.supervisor = district.actor("supervisor")
        self.endings = Endings(rng, self.supervisor)
        self.aftercare = Aftercare(rng, clock)

    def steps(
        self,
        intake: Intake,
        received_at: datetime,
        outcome: Outcome | None,
        *,
        profile: str = NORMAL,
        limit: datetime | None = None,
        due_at: datetime | None = None,
    ) -> list[Step]:
        """Every step from routing to the last follow-up, ordered by business time.

        `outcome` None: the case stays open (profile STALLED). `limit`: the lifecycle ends
        before it (follow-ups may come later). `due_at`: a deadline set at routing.
        """
        rng = self.rng
        life = _Life(self.clock, received_at, limit)
        stage = WITHDRAWAL_STAGE.pick(rng)
        if outcome is Outcome.WITHDRAWN and stage == "received":
            at = life.next(received_at, rng.choice((0, 1, 1, 2)))
            note = rng.choice(WITHDRAWN_NOTES)
            return [Resolve(at, intake.receiver, Outcome.WITHDRAWN, note=note)]
        steps: list[Step] = []
        mediator = self._route(intake, life, steps, due_at)
        routed_at = steps[-1].at
        if outcome is Outcome.WITHDRAWN and stage == "routed":
            at = life.next(routed_at, rng.randint(1, 4))
            steps.append(Resolve(at, mediator, Outcome.WITHDRAWN, note=rng.choice(WITHDRAWN_NOTES)))
            return steps
        last = self._sessions(intake, life, routed_at, mediator, outcome, profile, steps)
        if outcome is None:
            return steps
        resolved_at = life.next(last, RESOLUTION_DELAY.pick(rng))
        resolution = self.endings.resolution(resolved_at, mediator, intake.registration, outcome)
        steps.append(resolution)
        if profile == EXTENDED:
            steps.append(self._extension(steps, resolved_at, mediator, due_at))
        self._risk_and_corrections(intake, received_at, resolved_at, mediator, steps)
        if outcome is Outcome.AGREEMENT:
            steps += self.aftercare.steps(resolved_at, mediator, resolution.agreement)
        steps.sort(key=lambda step: step.at)
        return steps

    def escalate(
        self,
        steps: list[Step],
        received_at: datetime,
        cutoff: datetime,
        level: RiskLevel | None = None,
    ) -> Step:
        """A risk assessment after everything else on an open case: its latest level."""
        level = level or ESCALATION.pick(self.rng)
        after = max((s.at for s in steps), default=received_at)
        return Assess(
            self.clock.within(after, cutoff),
            self.supervisor,
            level,
            self.rng.choice(RISK_REASONS[level]),
        )

    # -- the parts of a case's life -------------------------------------------------------

    def _route(
        self, intake: Intake, life: _Life, steps: list[Step], due_at: datetime | None
    ) -> Actor:
        rng = self.rng
        delay = ROUTING_DELAY.pick(rng)
        at = life.next(life.received_at, delay)
        if due_at is not None and at >= due_at:  # a deadline set at routing comes after it
            at = self.clock.within(life.received_at, due_at)
        kind = self.district.organisations[intake.organisation].kind
        note = {
            OrganisationKind.PROFESSIONAL: ROUTING_NOTES["professional"],
            OrganisationKind.ENTERPRISE: ROUTING_NOTES["enterprise"],
        }.get(kind)
        if due_at is not None:
            note = ROUTING_NOTES["urgent"]
        steps.append(Route(at, self.supervisor, intake.organisation, intake.mediator, due_at, note))
        mediator = intake.mediator
        if rng.random() < 0.03:  # re-routed before the first session (改派)
            mediator = self.intakes.mediator_of(intake.organisation, other_than=mediator)
            at = life.next(at, rng.randint(0, 2))
            steps.append(Route(at, self.supervisor, intake.organisation, mediator, None, "改派"))
        return self.district.actor(mediator)

    def _sessions(
        self,
        intake: Intake,
        life: _Life,
        routed_at: datetime,
        mediator: Actor,
        outcome: Outcome | None,
        profile: str,
        steps: list[Step],
    ) -> datetime:
        """One to a few sessions a few working days apart; the time of the last."""
        rng = self.rng
        sessions = SESSIONS[profile].pick(rng)
        if outcome is not None and outcome is not Outcome.AGREEMENT:
            sessions = max(1, min(sessions, 2))
        slow = profile in (EXTENDED, LATE)
        last = routed_at
        for n in range(sessions):
            if n == 0:
                gap = FIRST_SESSION_DELAY.pick(rng)
            else:
                gap = rng.randint(4, 8) if slow else rng.randint(2, 6)
            last = life.next(last, gap)
            closing = outcome is Outcome.AGREEMENT and n == sessions - 1 and n > 0
            steps.append(self._session(last, mediator, intake.registration.parties, n, closing))
        return last

    def _session(
        self, at: datetime, mediator: Actor, parties: tuple[Party, ...], n: int, closing: bool
    ) -> Session:
        rng = self.rng
        method = METHODS.pick(rng)
        if method is Method.IN_PERSON:
            minutes = rng.randrange(40, 190, 10)
        elif method is Method.PHONE:
            minutes = rng.randrange(10, 45, 5)
        else:
            minutes = rng.randrange(20, 95, 5)
        notes = rng.choice(
            FIRST_SESSION if n == 0 else CLOSING_SESSION if closing else LATER_SESSION
        )
        attendees = tuple(p.name for p in parties)
        return Session(at, mediator, method, attendees, notes, minutes)

    def _extension(
        self,
        steps: list[Step],
        end: datetime,
        mediator: Actor,
        due_at: datetime | None,
    ) -> Extend:
        """Asked for in the last week before the deadline, by at most 30 days (延期)."""
        routings = [s.at for s in steps if isinstance(s, Route)]
        due = due_at or min(routings) + MEDIATION_PERIOD  # set at the first routing
        last_route = max(routings)
        low, high = max(last_route, due - timedelta(days=7)), min(due, end)
        if low >= high:
            low = last_route
        at = self.clock.within(low, high)
        wanted = max(due + timedelta(days=7), end + timedelta(days=self.rng.randint(1, 6)))
        new_due = min(due + MAX_EXTENSION, wanted)
        return Extend(at, mediator, new_due, self.rng.choice(EXTENSION_REASONS))

    def _risk_and_corrections(
        self,
        intake: Intake,
        received_at: datetime,
        end: datetime,
        mediator: Actor,
        steps: list[Step],
    ) -> None:
        rng = self.rng
        last_route = max(s.at for s in steps if isinstance(s, Route))

        def handler(at: datetime, serious: bool = False) -> Actor:
            return self.supervisor if serious or at < last_route else mediator

        if rng.random() < 0.06:
            level = RISK.pick(rng)
            at = self.clock.within(received_at, end)
            serious = level is not RiskLevel.YELLOW
            steps.append(Assess(at, handler(at, serious), level, rng.choice(RISK_REASONS[level])))
            if rng.random() < 0.5:
                calm = self.clock.within(at, end)
                none = RiskLevel.NONE
                steps.append(Assess(calm, handler(calm, serious), none, RISK_REASONS[none][0]))
        if rng.random() < 0.012:
            at = self.clock.within(received_at, end)
            field, value = self._correction(intake.registration)
            steps.append(Correct(at, handler(at), CORRECTION_REASONS[field], ((field, value),)))

    def _correction(self, registration: Registration) -> tuple[str, object]:
        rng = self.rng
        if registration.claim_amount is not None and rng.random() < 0.4:
            return "claim_amount", (registration.claim_amount * Decimal("1.2")).quantize(
                Decimal("0.01")
            )
        if rng.random() < 0.5:
            others = sorted(SUBCATEGORIES[registration.category] - {registration.subcategory})
            return "subcategory", rng.choice(others)
        applicant, respondent, *rest = registration.parties
        if "公司" in respondent.name:
            return "channel", Channel.WALK_IN if registration.channel is not Channel.WALK_IN else (
                Channel.GRID_WORKER
            )
        last = rng.choice(GIVEN_MALE.replace(respondent.name[-1], ""))  # a real change
        renamed = Party(respondent.role, respondent.name[:-1] + last)
        return "parties", (applicant, renamed, *rest)


class _Life:
    """Business times of one case's lifecycle, squeezed before `limit` when there is one."""

    def __init__(self, clock: Clock, received_at: datetime, limit: datetime | None) -> None:
        self.clock = clock
        self.received_at = received_at
        self.limit = limit

    def next(self, earlier: datetime, working_days_later: int) -> datetime:
        at = self.clock.after(earlier, working_days_later)
        if self.limit is not None and at >= self.limit:
            at = self.clock.within(earlier, self.limit)
        return at
