"""The oracle (the board computed in plain Python from each case's history) and case histories."""

from __future__ import annotations

import contextlib
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from application.tongjie import Tongjie
from domain.errors import DomainError
from domain.values import (
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
)
from projections.board.page import BoardFilter, BoardRow, Reach
from projections.board.query import BoardQuery
from tests.world import OTHER_STREET, STREET, World, registration

COMPARED = (
    "number",
    "category",
    "subcategory",
    "street",
    "channel",
    "summary",
    "status",
    "organisation",
    "mediator",
    "received_at",
    "received_by",
    "routed_at",
    "first_session_at",
    "resolved_at",
    "outcome",
    "due_at",
    "risk_level",
    "version",
    "overdue",
)
SUMMARIES = [
    "楼上漏水引发邻里纠纷",
    "物业费拖欠",
    "劳务报酬争议 contract",
    "遗产继承纠纷",
    "停车位占用",
]


def expected_row(app: Tongjie, case_id: UUID, now: datetime) -> dict[str, Any]:
    """The board row of one case, from its history replayed by the aggregate itself."""
    case = app.reads.current(case_id)
    value = lambda e: None if e is None else e.value  # noqa: E731
    return {
        "id": case.id,
        "number": case.number,
        "category": case.registration.category.value,
        "subcategory": case.registration.subcategory,
        "street": case.registration.street,
        "channel": case.registration.channel.value,
        "summary": case.registration.summary,
        "status": case.status.value,
        "organisation": case.organisation,
        "mediator": case.mediator,
        "received_at": case.received_at,
        "received_by": case.received_by.id,
        "routed_at": case.routed_at,
        "first_session_at": case.first_session_at,
        "resolved_at": case.resolved_at,
        "outcome": value(case.outcome),
        "due_at": case.due_at,
        "risk_level": case.risk_level.value,
        "version": case.version,
        "overdue": case.status is not CaseStatus.RESOLVED
        and case.due_at is not None
        and case.due_at < now,
    }


def oracle(app: Tongjie, case_ids: list[UUID], now: datetime) -> dict[UUID, dict[str, Any]]:
    return {case_id: expected_row(app, case_id, now) for case_id in case_ids}


def as_dict(row: BoardRow) -> dict[str, Any]:
    return {"id": row.id, **{name: getattr(row, name) for name in COMPARED}}


def whole_board(
    board: BoardQuery,
    filters: BoardFilter | None = None,
    reach: Reach | None = None,
    now: datetime | None = None,
    limit: int = 500,
) -> list[BoardRow]:
    """Every row of the board, page after page through the cursor."""
    base = filters or BoardFilter()
    rows: list[BoardRow] = []
    cursor = None
    while True:
        page = board.page(
            BoardFilter(**{**base.__dict__, "limit": limit, "cursor": cursor}), reach, now
        )
        rows.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return rows


def assert_board_matches(app: Tongjie, board: BoardQuery, case_ids: list[UUID]) -> None:
    now = datetime.now(UTC)
    rows = whole_board(board, now=now)
    got = {row.id: as_dict(row) for row in rows}
    assert len(got) == len(rows), "a case appears twice on the board"
    want = oracle(app, case_ids, now)
    assert set(got) == set(want), "the board has other cases than the store"
    for case_id, expected in want.items():
        assert got[case_id] == expected, f"case {expected['number']}"
    order = [(row.received_at, row.id) for row in rows]
    assert order == sorted(order, reverse=True), "not newest receipt first"


# -- histories ----------------------------------------------------------------------------------


@dataclass
class Step:
    kind: str
    choice: int
    hours: int


def run_history(
    app: Tongjie, world: World, start: datetime, steps: list[Step], receiver: int = 0
) -> UUID:
    """Receive a case at `start`, then try each step in turn (a refused step records nothing)."""
    return run_interleaved(app, world, [(start, steps, receiver)])[0]


def run_interleaved(
    app: Tongjie, world: World, histories: list[tuple[datetime, list[Step], int]]
) -> list[UUID]:
    """Receive every case, then take the histories a step at a time, round-robin, so the
    store interleaves the cases' events as real work does."""
    ids: list[UUID] = []
    times: list[datetime] = []
    for start, steps, receiver in histories:
        actor = world.mediator if receiver == 0 else world.supervisor
        summary = SUMMARIES[(receiver + len(steps)) % len(SUMMARIES)]
        ids.append(
            app.cases.receive(
                actor=actor,
                registration=registration(summary=summary, channel=list(Channel)[len(steps) % 8]),
                received_at=start,
            ).id
        )
        times.append(start)
    for index in range(max((len(steps) for _, steps, _ in histories), default=0)):
        for number, (_, steps, _) in enumerate(histories):
            if index >= len(steps):
                continue
            step = steps[index]
            times[number] = min(times[number] + timedelta(hours=step.hours), datetime.now(UTC))
            with contextlib.suppress(DomainError):
                _apply(app, world, ids[number], step, times[number])
    return ids


def _mediator_of(app: Tongjie, world: World, case_id: UUID) -> Any:
    current = app.reads.current(case_id).mediator
    return world.mediator if current == "m1" else world.other_mediator


def _apply(app: Tongjie, world: World, case_id: UUID, step: Step, at: datetime) -> None:
    cases = app.cases
    boss = world.supervisor
    if step.kind == "route":
        organisation, mediator = [("room-1", "m1"), ("centre-2", "m2")][step.choice % 2]
        cases.route(case_id, actor=boss, organisation=organisation, mediator=mediator, routed_at=at)
    elif step.kind == "session":
        who = _mediator_of(app, world, case_id)
        method = list(Method)[step.choice % 3]
        routed_at = app.reads.current(case_id).routed_at or at
        held_at = min(routed_at + timedelta(hours=step.choice % 48), at)  # in any order
        cases.log_session(
            case_id, actor=who, method=method, attendees=["甲"], notes="调解", held_at=held_at
        )
    elif step.kind == "extend":
        due = app.reads.current(case_id).due_at
        if due is None:
            return
        cases.extend_deadline(
            case_id,
            actor=boss,
            new_due_at=due + timedelta(days=1 + step.choice % 20),
            reason="双方同意",
            parties_consent=True,
            extended_at=at,
        )
    elif step.kind == "risk":
        level = list(RiskLevel)[step.choice % 4]
        cases.assess_risk(case_id, actor=boss, level=level, reason="研判", assessed_at=at)
    elif step.kind == "correct":
        changes: dict[str, Any] = [
            {"category": Category.COMMERCIAL, "subcategory": "debt"},
            {"street": OTHER_STREET},
            {"channel": Channel.HOTLINE, "summary": "更正后的摘要 漏水"},
            {"street": STREET, "category": Category.PROPERTY_MANAGEMENT, "subcategory": None},
        ][step.choice % 4]
        cases.correct_registration(
            case_id, actor=boss, reason="登记错误", changes=changes, corrected_at=at
        )
    elif step.kind == "resolve":
        _resolve(app, world, case_id, step.choice, at)
    elif step.kind == "follow_up":
        who = _mediator_of(app, world, case_id)
        cases.record_follow_up(
            case_id,
            actor=who,
            fulfilment=list(Fulfilment)[step.choice % 3],
            satisfaction=1 + step.choice % 5,
            visited_at=at,
        )
    elif step.kind == "judicial":
        who = _mediator_of(app, world, case_id)
        cases.record_judicial_confirmation(case_id, actor=who, applied_at=at)


def _resolve(app: Tongjie, world: World, case_id: UUID, choice: int, at: datetime) -> None:
    outcome = list(Outcome)[choice % 3]
    status = app.reads.current(case_id).status
    if outcome is Outcome.WITHDRAWN or status is not CaseStatus.IN_MEDIATION:
        app.cases.resolve(
            case_id, actor=world.supervisor, outcome=Outcome.WITHDRAWN, resolved_at=at
        )
        return
    who = _mediator_of(app, world, case_id)
    if outcome is Outcome.AGREEMENT:
        form = AgreementForm.WRITTEN if choice % 2 else AgreementForm.ORAL
        app.cases.resolve(
            case_id,
            actor=who,
            outcome=outcome,
            resolved_at=at,
            agreement=Agreement(form, "分期付款", Decimal("800.00")),
        )
    else:
        app.cases.resolve(
            case_id, actor=who, outcome=outcome, resolved_at=at, referral=Referral.LITIGATION
        )


KINDS = [
    "route",
    "session",
    "session",
    "session",
    "extend",
    "risk",
    "correct",
    "resolve",
    "follow_up",
    "judicial",
]


def random_steps(rng: random.Random, count: int) -> list[Step]:
    """Mostly routed first, then any steps, sessions the likeliest."""
    first = [Step("route", rng.randrange(100), 1)] if rng.random() < 0.8 else []
    return first + [
        Step(rng.choice(KINDS), rng.randrange(100), rng.randrange(1, 200)) for _ in range(count)
    ]


def random_start(rng: random.Random) -> datetime:
    return datetime.now(UTC) - timedelta(days=rng.randrange(1, 400), minutes=rng.randrange(1440))
