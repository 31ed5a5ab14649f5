"""Random case histories for the statistics tests, written through the real use cases.

Each case gets a random script: receipt, then steps chosen among those its state allows
(corrections, re-routings, risk, extensions, sessions, resolution, follow-ups, judicial
confirmation), each a random while after the last, often right at the bureau's midnight or at
the turn of a month or a year, with business times given in several UTC offsets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

from hypothesis import strategies as st

from application.tongjie import Tongjie
from domain.values import (
    SUBCATEGORIES,
    Actor,
    Agreement,
    AgreementForm,
    CaseStatus,
    Category,
    Channel,
    Fulfilment,
    Method,
    Outcome,
    Referral,
    RiskLevel,
    Role,
    Ruling,
)
from tests.world import OTHER_STREET, STREET, World, make_world, registration

SHANGHAI_MIDNIGHT = timedelta(hours=16)  # 00:00 +08:00 is 16:00 UTC the day before
ASSIGNMENTS = (("room-1", "m1"), ("centre-2", "m2"), ("room-1", "m3"))
STREETS = (STREET, OTHER_STREET)
CHANNELS = (Channel.WALK_IN, Channel.HOTLINE, Channel.COURT_REFERRAL)
OFFSETS = (UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5, minutes=-30)))
LATEST = datetime(2025, 12, 31, 23, 0, tzinfo=UTC)


@dataclass
class District:
    world: World
    mediators: dict[str, Actor]
    """The user of each mediator code."""


def make_district(app: Tongjie) -> District:
    world = make_world(app)
    root = Actor(id="setup", login="setup", role=Role.ADMIN)
    app.reference.add_mediator(code="m3", name="王调解", organisation="room-1", actor=root)
    wang = app.users.authenticate(
        app.users.add(login="wang", role=Role.MEDIATOR, mediator="m3").token
    )
    mediators = {"m1": world.mediator, "m2": world.other_mediator, "m3": wang}
    return District(world, mediators)


def _edge_times() -> st.SearchStrategy[datetime]:
    """Instants at the bureau's midnight, a month's end or a year's end, give or take."""
    day = st.dates(min_value=datetime(2023, 12, 25).date(), max_value=datetime(2025, 12, 1).date())
    month_end = st.sampled_from(
        [datetime(y, m, 1).date() - timedelta(days=1) for y in (2024, 2025) for m in range(1, 13)]
        + [datetime(2025, 1, 1).date() - timedelta(days=1)]
    )
    nudge = st.sampled_from(
        [
            timedelta(0),
            timedelta(microseconds=-1),
            timedelta(microseconds=1),
            timedelta(seconds=-1),
            timedelta(minutes=59),
            timedelta(hours=-8),
        ]
    )
    return st.builds(
        lambda d, n: datetime(d.year, d.month, d.day, tzinfo=UTC) + SHANGHAI_MIDNIGHT + n,
        st.one_of(day, month_end),
        nudge,
    )


def received_times() -> st.SearchStrategy[datetime]:
    anywhere = st.datetimes(
        min_value=datetime(2023, 12, 20), max_value=datetime(2025, 12, 20), timezones=st.just(UTC)
    )
    return st.one_of(anywhere, _edge_times())


def steps() -> st.SearchStrategy[timedelta]:
    return st.one_of(
        st.sampled_from([timedelta(0), timedelta(microseconds=1), timedelta(hours=8)]),
        st.integers(1, 60 * 24 * 45).map(lambda minutes: timedelta(minutes=minutes)),
        st.integers(1, 10**6 * 3600 * 30).map(lambda us: timedelta(microseconds=us)),
    )


SUBCATEGORY_CHOICES = {c: sorted(SUBCATEGORIES[c])[:2] for c in Category}
"""Two of each category's subcategories (a case may have none)."""


def subcategories(category: Category) -> st.SearchStrategy[str | None]:
    return st.sampled_from([None, *SUBCATEGORY_CHOICES[category]])


class Clerk:
    """Writes one random case history through the use cases, a step at a time."""

    def __init__(self, app: Tongjie, district: District, data: Any) -> None:
        self.app = app
        self.district = district
        self.data = data
        self.world = district.world

    def draw(self, strategy: st.SearchStrategy[Any]) -> Any:
        return self.data.draw(strategy)

    def at(self, moment: datetime) -> datetime:
        """The same instant in a random UTC offset."""
        return moment.astimezone(self.draw(st.sampled_from(OFFSETS)))

    def between(self, first: datetime, last: datetime) -> datetime:
        """The first, the last, or a time in between (so a later record may be earlier)."""
        return first + (last - first) * self.draw(st.sampled_from([0, 0.5, 1]))

    def case(self) -> UUID:
        clock = min(self.draw(received_times()), LATEST)
        receiver = self.draw(st.sampled_from([self.world.mediator, self.world.supervisor]))
        category = self.draw(st.sampled_from(list(Category)))
        summary = self.app.cases.receive(
            actor=receiver,
            registration=registration(
                category=category,
                subcategory=self.draw(subcategories(category)),
                street=self.draw(st.sampled_from(STREETS)),
                channel=self.draw(st.sampled_from(CHANNELS)),
            ),
            received_at=self.at(clock),
        )
        for _ in range(self.draw(st.integers(0, 9))):
            clock = min(clock + self.draw(steps()), LATEST)
            if not self.step(summary.id, receiver, clock):
                break
        return summary.id

    def step(self, case_id: UUID, receiver: Actor, clock: datetime) -> bool:
        case = self.app.reads.current(case_id)
        status = case.status
        assigned = self.district.mediators.get(case.mediator or "")
        handler = assigned if status is not CaseStatus.RECEIVED else receiver
        either = self.draw(st.sampled_from([handler, self.world.supervisor]))
        options = ["route", "risk", "correct", "withdraw"]
        if status in (CaseStatus.ROUTED, CaseStatus.IN_MEDIATION):
            options += ["session", "session"] + ([] if case.extended else ["extend"])
        if status is CaseStatus.IN_MEDIATION:
            options += ["resolve", "resolve", "resolve"]
        if status is CaseStatus.RESOLVED:
            options = ["follow_up", "judicial"] if case.outcome is Outcome.AGREEMENT else []
        if not options:
            return False
        action = self.draw(st.sampled_from(options))
        cases, at = self.app.cases, self.at(clock)
        if action == "route":
            organisation, mediator = self.draw(st.sampled_from(ASSIGNMENTS))
            due = None  # the first routing sets the deadline; a re-routing keeps it
            if case.due_at is None:
                due = self.draw(
                    st.one_of(
                        st.none(),
                        st.integers(0, 30 * 24).map(lambda h: clock + timedelta(hours=h)),
                    )
                )
            cases.route(
                case_id,
                actor=self.world.supervisor,
                organisation=organisation,
                mediator=mediator,
                routed_at=at,
                due_at=due,
            )
        elif action == "risk":  # assessed at any time since receipt: not always the latest
            level = self.draw(st.sampled_from(list(RiskLevel)))
            when = self.at(self.between(case.received_at, clock))
            cases.assess_risk(case_id, actor=either, level=level, reason="研判", assessed_at=when)
        elif action == "correct":
            changes = self.draw(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "category": st.sampled_from(list(Category)),
                        "street": st.sampled_from(STREETS),
                        "channel": st.sampled_from(CHANNELS),
                    },
                ).filter(bool)
            )
            if "category" in changes:
                changes["subcategory"] = self.draw(subcategories(changes["category"]))
            cases.correct_registration(
                case_id, actor=either, reason="更正", changes=changes, corrected_at=at
            )
        elif action == "withdraw":
            cases.resolve(case_id, actor=either, outcome=Outcome.WITHDRAWN, resolved_at=at)
        elif action == "session":
            assert assigned is not None
            cases.log_session(
                case_id,
                actor=assigned,
                method=Method.IN_PERSON,
                attendees=["双方"],
                notes="调解",
                held_at=at,
            )
        elif action == "extend":
            assert case.due_at is not None
            assert case.original_due_at is not None
            room = case.original_due_at + timedelta(days=30) - case.due_at
            new_due = case.due_at + room * self.draw(st.sampled_from([0, 0.5, 1]))
            cases.extend_deadline(
                case_id,
                actor=either,
                new_due_at=new_due,
                reason="延期",
                parties_consent=True,
                extended_at=at,
            )
        elif action == "resolve":
            self.resolve(case_id, assigned, at)
        elif action == "follow_up":
            cases.record_follow_up(
                case_id,
                actor=assigned,  # type: ignore[arg-type]
                fulfilment=self.draw(st.sampled_from(list(Fulfilment))),
                satisfaction=self.draw(st.integers(1, 5)),
                visited_at=self.at(self.between(case.resolved_at, clock)),  # type: ignore[arg-type]
            )
        elif action == "judicial":
            return self.judicial(case_id, assigned, clock)
        return True

    def resolve(self, case_id: UUID, mediator: Actor | None, at: datetime) -> None:
        assert mediator is not None
        if self.draw(st.booleans()):
            amount = self.draw(
                st.one_of(st.none(), st.integers(0, 10**7).map(lambda c: Decimal(c) / 100))
            )
            form = self.draw(st.sampled_from(list(AgreementForm)))
            self.app.cases.resolve(
                case_id,
                actor=mediator,
                outcome=Outcome.AGREEMENT,
                resolved_at=at,
                agreement=Agreement(form, "按期付款", amount),
            )
        else:
            self.app.cases.resolve(
                case_id,
                actor=mediator,
                outcome=Outcome.NO_AGREEMENT,
                resolved_at=at,
                referral=Referral.LITIGATION,
            )

    def judicial(self, case_id: UUID, mediator: Actor | None, clock: datetime) -> bool:
        assert mediator is not None
        case = self.app.reads.current(case_id)
        if case.agreement is None or case.agreement.form is not AgreementForm.WRITTEN:
            return False
        if case.judicial_ruling is not None or case.resolved_at is None:
            return False
        ruling = self.draw(st.one_of(st.none(), st.sampled_from(list(Ruling))))
        if case.judicial_applied_at is None:
            applied = min(clock, case.resolved_at + timedelta(days=30))
            self.app.cases.record_judicial_confirmation(
                case_id,
                actor=mediator,
                applied_at=self.at(applied),
                ruling=ruling,
                ruled_at=self.at(clock) if ruling else None,
            )
            return True
        if ruling is None:
            return False
        self.app.cases.record_judicial_confirmation(
            case_id,
            actor=mediator,
            ruling=ruling,
            ruled_at=self.at(max(clock, case.judicial_applied_at)),
        )
        return True
