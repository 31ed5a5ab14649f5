"""Which cases the demo holds: a year's worth to 30 September, then the weeks since.

The year's cases all end by 30 September with the report's outcomes (7,498 agreements of
7,514 by default). After September the district keeps working: cases keep coming in at the
same rate, and those still open on the demo's day make the backlog (some overdue, some due
within 72 hours, some escalated).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo

from demo.calendar import Clock, working_days
from demo.district import District
from demo.draw import DemoRandom, Weighted
from demo.intake import Intake, IntakeMaker
from demo.names import NameMaker
from demo.steps import Resolve, Step
from demo.timeline import EXTENDED, LATE, NORMAL, STALLED, TimelineMaker
from domain.values import Category, Outcome, RiskLevel

REPORT_RECEIVED, REPORT_AGREEMENTS = 7_514, 7_498
REPORT_NO_AGREEMENT_SHARE = 9 / 16  # of the cases without agreement; the rest withdrew
WEEKDAY = (1.25, 1.05, 1.0, 0.95, 0.85)
MONTH = {1: 1.15, 2: 0.9, 3: 1.0, 4: 0.95, 5: 1.0, 6: 1.0, 7: 1.1, 8: 1.1, 9: 0.95}
RECENT = timedelta(days=30)
"""How far back before the demo's day the cases after September begin."""
EVERY_LEVEL = (RiskLevel.RED, RiskLevel.ORANGE, RiskLevel.YELLOW)
YEAR_PROFILES = Weighted({NORMAL: 970, EXTENDED: 25, LATE: 5})
RECENT_PROFILES = Weighted({NORMAL: 975, EXTENDED: 25})
RECENT_OUTCOMES = Weighted({Outcome.AGREEMENT: 996, Outcome.NO_AGREEMENT: 2, Outcome.WITHDRAWN: 2})
RISE = ("wenfeng", Category.PROPERTY_MANAGEMENT, "parking")
"""The planted rise (排查 should find it): parking disputes in 文峰街道 in the last 30 days."""
RISE_SHARE = 12 / 7_514
"""Cases added to the rising cell per case of the year: about three times its usual 30 days
(12 extra on the default 7,514, beside its usual 4), so the cell's month about quadruples."""


@dataclass(frozen=True)
class CasePlan:
    received_at: datetime
    intake: Intake
    steps: tuple[Step, ...]

    @property
    def is_open(self) -> bool:
        return not any(isinstance(step, Resolve) for step in self.steps)

    def before(self, cutoff: datetime) -> CasePlan:
        """The case as it stands at `cutoff`: the steps taken so far."""
        if not self.steps or self.steps[-1].at < cutoff:
            return self
        return replace(self, steps=tuple(s for s in self.steps if s.at < cutoff))


class Planner:
    def __init__(self, district: District, seed: int, zone: tzinfo) -> None:
        self.rng = DemoRandom(f"tongjie-demo:{seed}:cases")
        self.clock = Clock(zone, self.rng)
        self.intakes = IntakeMaker(district, self.rng, NameMaker(self.rng))
        self.timelines = TimelineMaker(district, self.intakes, self.rng, self.clock)

    def year(self, year: int, count: int, cutoff: datetime) -> list[CasePlan]:
        """`count` cases received from 1 January to 30 September, all resolved by then."""
        rng = self.rng
        days = working_days(date(year, 1, 1), date(year, 10, 1))
        weights = [WEEKDAY[d.weekday()] * MONTH[d.month] for d in days]
        received = sorted(self.clock.office_time(d) for d in rng.choices(days, weights, k=count))
        agreements = round(count * REPORT_AGREEMENTS / REPORT_RECEIVED)
        others = rng.sample(range(count), count - agreements)
        no_agreement = round(len(others) * REPORT_NO_AGREEMENT_SHARE)
        outcomes = dict.fromkeys(others[:no_agreement], Outcome.NO_AGREEMENT)
        outcomes.update(dict.fromkeys(others[no_agreement:], Outcome.WITHDRAWN))
        limit = self.clock.midnight(date(year, 10, 1))
        plans = []
        for index, at in enumerate(received):
            profile = YEAR_PROFILES.pick(rng)
            outcome = outcomes.get(index, Outcome.AGREEMENT)
            plans.append(self._plan(at, outcome, profile, limit).before(cutoff))
        return plans

    def since_september(self, year: int, count: int, as_of: date) -> list[CasePlan]:
        """Cases received after September up to the demo's day, at the year's rate."""
        rng, clock = self.rng, self.clock
        cutoff = clock.midnight(as_of)
        first = max(date(year, 10, 1), as_of - RECENT)
        rate = count / len(working_days(date(year, 1, 1), date(year, 10, 1)))
        days = working_days(first, as_of)
        plans = []
        for day in sorted(rng.choices(days, k=round(rate * len(days)))) if days else []:
            outcome = RECENT_OUTCOMES.pick(rng)
            profile = RECENT_PROFILES.pick(rng)
            plans.append(self._plan(clock.office_time(day), outcome, profile, None).before(cutoff))
        plans += self._overdue(year, max(2, round(count * 0.004)), as_of)
        plans += self._due_soon(year, max(2, round(count * 0.002)), as_of)
        plans = self._escalate(plans, max(3, round(count * 0.002)), cutoff)
        return plans + self._rise(first, as_of, max(6, round(count * RISE_SHARE)))

    def _rise(self, first: date, as_of: date, count: int) -> list[CasePlan]:
        """The planted rise: `count` more parking disputes in one street, in the last 30 days
        (drawn after every other case, so the rest of the demo is as without it)."""
        days = working_days(max(first, as_of - RECENT), as_of)
        if not days:
            return []
        code, category, subcategory = RISE
        street = next(s for s in self.intakes.district.streets if s.code == code)
        cutoff = self.clock.midnight(as_of)
        plans = []
        for day in sorted(self.rng.choices(days, k=count)):
            intake = self.intakes.make_in(street, category, subcategory)
            at = self.clock.office_time(day)
            outcome = RECENT_OUTCOMES.pick(self.rng)
            steps = self.timelines.steps(intake, at, outcome, profile=NORMAL, limit=None)
            plans.append(CasePlan(at, intake, tuple(steps)).before(cutoff))
        return plans

    # -- the backlog that every dashboard tile needs -----------------------------------------

    def _overdue(self, year: int, count: int, as_of: date) -> list[CasePlan]:
        """Open past their deadline: received over 30 days ago, or given a short deadline."""
        cutoff, october = self.clock.midnight(as_of), date(year, 10, 1)
        days = working_days(max(october, as_of - timedelta(days=44)), as_of - timedelta(days=30))
        short = not days
        if short:
            days = working_days(october, as_of - timedelta(days=1))
        plans = []
        for day in sorted(self.rng.choices(days, k=count)) if days else []:
            at = self.clock.office_time(day)
            due = at + (cutoff - at) / 2 if short else None
            plans.append(self._stalled(at, cutoff, due))
        return plans

    def _due_soon(self, year: int, count: int, as_of: date) -> list[CasePlan]:
        """Open and due within 72 hours of any moment of the demo's day."""
        cutoff, october = self.clock.midnight(as_of), date(year, 10, 1)
        natural = [as_of - timedelta(days=29), as_of - timedelta(days=28)]
        days = [d for d in natural if d >= october]
        due: datetime | None = None
        if not days:
            days = working_days(october, as_of)
            local = datetime.combine(as_of + timedelta(days=2), time(17), self.clock.zone)
            due = local.astimezone(cutoff.tzinfo)
        plans = []
        for day in sorted(self.rng.choices(days, k=count)) if days else []:
            plans.append(self._stalled(self.clock.office_time(day), cutoff, due))
        return plans

    def _escalate(self, plans: list[CasePlan], count: int, cutoff: datetime) -> list[CasePlan]:
        open_ones = [i for i, plan in enumerate(plans) if plan.is_open]
        chosen = self.rng.sample(open_ones, min(count, len(open_ones)))
        for nth, index in enumerate(chosen):
            plan = plans[index]
            level = EVERY_LEVEL[nth] if nth < len(EVERY_LEVEL) else None  # each level shows
            step = self.timelines.escalate(list(plan.steps), plan.received_at, cutoff, level)
            plans[index] = replace(plan, steps=(*plan.steps, step))
        return plans

    def _stalled(self, at: datetime, cutoff: datetime, due: datetime | None) -> CasePlan:
        intake = self.intakes.make()
        steps = self.timelines.steps(intake, at, None, profile=STALLED, limit=cutoff, due_at=due)
        return CasePlan(at, intake, tuple(steps))

    def _plan(
        self, at: datetime, outcome: Outcome, profile: str, limit: datetime | None
    ) -> CasePlan:
        intake = self.intakes.make()
        steps = self.timelines.steps(intake, at, outcome, profile=profile, limit=limit)
        return CasePlan(at, intake, tuple(steps))
