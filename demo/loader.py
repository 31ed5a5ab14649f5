"""Load the demo into an empty store: the district first, then the cases in large saves.

Every case is built in memory through the aggregate's own methods, numbered by the year's
CaseNumberSequence, and saved with that sequence, many cases per `save(...)`: the numbers
and the cases they number land in the same transaction, as with `CaseCommands.receive`.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, tzinfo
from uuid import UUID

from application.store import TongjieStore
from application.tongjie import Tongjie
from demo.district import District, plan_district
from demo.draw import DemoRandom
from demo.names import NameMaker
from demo.options import DemoOptions, DemoRun, StoreNotEmptyError, settle
from demo.plans import CasePlan, Planner
from demo.records import DemoUser, name_actors, reference_records
from demo.steps import Route
from domain.case import Case
from domain.errors import MediatorNotInOrganisationError, UnknownStreetError
from domain.numbering import CaseNumberSequence
from domain.reference import derived_id

Progress = Callable[[int, int], None]
"""Told (cases saved, cases in all) after each save."""

FEATURED_MEDIATORS = 3


@dataclass(frozen=True)
class DemoResult:
    run: DemoRun
    organisations: int
    mediators: int
    users: tuple[DemoUser, ...]
    cases: int
    open_cases: int
    events: int
    featured: tuple[str, ...]
    """Logins worth signing in as: admin, supervisor, auditor and the busiest mediators."""


def store_is_empty(store: TongjieStore) -> bool:
    return not store.recorder.max_notification_id()


def case_id(seed: int, index: int) -> UUID:
    """The id of the demo's `index`-th case (in order of receipt) for this seed."""
    return derived_id("demo-case", f"{seed}:{index}")


def load_demo(
    app: Tongjie, options: DemoOptions | None = None, progress: Progress | None = None
) -> DemoResult:
    run = settle(options or DemoOptions(), datetime.now(app.timezone).date())
    if not store_is_empty(app.store):
        raise StoreNotEmptyError
    with _without_cycle_collection():
        return _load(app, run, progress)


def _load(app: Tongjie, run: DemoRun, progress: Progress | None) -> DemoResult:
    store = app.store
    rng = DemoRandom(f"tongjie-demo:{run.seed}:district")
    district = plan_district(rng, NameMaker(rng))
    name_actors(district)
    records, users = reference_records(district)
    events = len(store.save(*records))
    plans = plan_cases(district, run, app)
    builder = _CaseBuilder(district, app.timezone)
    for start in range(0, len(plans), run.batch_size):
        batch = plans[start : start + run.batch_size]
        cases = [builder.build(plan, case_id(run.seed, i)) for i, plan in enumerate(batch, start)]
        events += len(store.save(*builder.sequences.values(), *cases))
        if progress is not None:
            progress(start + len(batch), len(plans))
    return DemoResult(
        run=run,
        organisations=len(district.organisations),
        mediators=sum(len(codes) for codes in district.members.values()),
        users=tuple(users),
        cases=len(plans),
        open_cases=sum(plan.is_open for plan in plans),
        events=events,
        featured=("admin", "supervisor", "auditor", *_busiest(plans)),
    )


def plan_cases(district: District, run: DemoRun, app: Tongjie) -> list[CasePlan]:
    """Every case of the demo, in order of receipt."""
    planner = Planner(district, run.seed, app.timezone)
    cutoff = planner.clock.midnight(run.as_of)
    plans = planner.year(run.year, run.cases, cutoff)
    plans += planner.since_september(run.year, run.cases, run.as_of)
    plans.sort(key=lambda plan: plan.received_at)
    return plans


class _CaseBuilder:
    """Numbers each case in its year's sequence and runs its steps on the aggregate."""

    def __init__(self, district: District, zone: tzinfo) -> None:
        self.district = district
        self.zone = zone
        self.streets = {org.street for org in district.organisations.values()}
        self.sequences: dict[int, CaseNumberSequence] = {}

    def build(self, plan: CasePlan, id_: UUID) -> Case:
        self._check_reference(plan)
        year = plan.received_at.astimezone(self.zone).year
        if year not in self.sequences:
            self.sequences[year] = CaseNumberSequence.start(year)
        intake = plan.intake
        case = Case.receive(
            id=id_,
            number=self.sequences[year].issue(id_),
            registration=intake.registration,
            actor=intake.receiver,
            received_at=plan.received_at,
        )
        for step in plan.steps:
            step.apply(case)
        return case

    def _check_reference(self, plan: CasePlan) -> None:
        """What the use cases check against reference data before they call the case."""
        if plan.intake.registration.street not in self.streets:
            raise UnknownStreetError(plan.intake.registration.street)
        for step in plan.steps:
            if isinstance(step, Route) and (
                step.mediator not in self.district.members.get(step.organisation, ())
            ):
                raise MediatorNotInOrganisationError(step.mediator, step.organisation)


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """A bulk load makes millions of objects and frees them by reference counting; the cycle
    collector would scan them again and again for nothing (a tenth of the load time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _busiest(plans: list[CasePlan]) -> list[str]:
    """The mediators with the most open cases: their boards have the most to show."""
    load: Counter[str] = Counter()
    for plan in plans:
        routes = [step for step in plan.steps if isinstance(step, Route)]
        if plan.is_open and routes:
            load[routes[-1].mediator] += 1
    ranked = sorted(load.items(), key=lambda item: (-item[1], item[0]))
    return [login for login, _ in ranked[:FEATURED_MEDIATORS]]
