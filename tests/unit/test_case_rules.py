"""Every rule of domain.md that the aggregate keeps: each breach raises its own error and the case
records nothing (no pending event, same version, same state).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from domain.case import Case
from domain.documents import media_type_of
from domain.errors import (
    CaseResolvedError,
    DeadlineFixedError,
    DeadlineTooLateError,
    DocumentNotFoundError,
    DocumentWithdrawnError,
    DomainError,
    ExtensionTooLongError,
    FutureTimeError,
    InvalidCommandError,
    InvalidValueError,
    JudicialConfirmationStateError,
    JudicialConfirmationTooLateError,
    NaiveTimeError,
    NoAgreementError,
    NotAssignedMediatorError,
    OralAgreementError,
    RoleNotAllowedError,
    SecondExtensionError,
    TimeOrderError,
    WrongStateError,
)
from domain.values import (
    SUBCATEGORIES,
    Actor,
    Agreement,
    AgreementForm,
    CaseStatus,
    Category,
    DocumentKind,
    Fulfilment,
    MediaType,
    Method,
    Outcome,
    Party,
    PartyRole,
    Referral,
    RiskLevel,
    Role,
    Ruling,
)
from tests.unit.case_builders import (
    ADMIN,
    AUDIT,
    BOSS,
    HELD_AT,
    LI,
    RESOLVED_AT,
    ROUTED_AT,
    T0,
    ZHANG,
    in_mediation,
    oral,
    received,
    registration,
    resolved,
    routed,
    state,
    written,
)

LATER = RESOLVED_AT + timedelta(days=1)
DUE = ROUTED_AT + timedelta(days=30)
"""The deadline the first routing of `routed()` sets."""
APPLICANT = Party(PartyRole.APPLICANT, "王小明")
RESPONDENT = Party(PartyRole.RESPONDENT, "赵大海")


@contextmanager
def records_nothing(
    case: Case, error: type[DomainError], field: str | None = None
) -> Iterator[None]:
    """The block raises exactly `error` (naming `field`) and leaves the case as it was."""
    before = state(case)
    version = case.version
    with pytest.raises(DomainError) as raised:
        yield
    assert type(raised.value) is error, raised.value
    if field is not None:
        assert isinstance(raised.value, InvalidCommandError | TimeOrderError)
        assert raised.value.field == field
    assert case.version == version
    assert state(case) == before


def in_future() -> datetime:
    return datetime.now(UTC) + timedelta(minutes=6)


def session(case: Case, actor: Actor = ZHANG, **changes: Any) -> None:
    args: dict[str, Any] = {
        "method": Method.IN_PERSON,
        "attendees": ["王小明"],
        "notes": "调解",
        "actor": actor,
        "held_at": LATER,
    }
    case.log_session(**{**args, **changes})


# -- business times (all commands) --------------------------------------------------------


def test_a_business_time_within_five_minutes_of_clock_skew_is_accepted() -> None:
    ahead = datetime.now(UTC) + timedelta(minutes=4)
    case = Case.receive(
        id=uuid4(),
        number="2026-000001",
        registration=registration(),
        actor=ZHANG,
        received_at=ahead,
    )
    assert case.received_at == ahead


def test_a_received_at_beyond_the_clock_skew_is_refused() -> None:
    with pytest.raises(FutureTimeError) as raised:
        Case.receive(
            id=uuid4(),
            number="2026-000001",
            registration=registration(),
            actor=ZHANG,
            received_at=in_future(),
        )
    assert raised.value.field == "received_at"


def test_a_time_without_offset_is_refused() -> None:
    with pytest.raises(NaiveTimeError) as raised:
        Case.receive(
            id=uuid4(),
            number="2026-000001",
            registration=registration(),
            actor=ZHANG,
            received_at=datetime(2026, 1, 5, 9, 0),
        )
    assert raised.value.field == "received_at"


FUTURE_COMMANDS: list[tuple[str, Callable[[], Case], Callable[[Case, datetime], None]]] = [
    (
        "routed_at",
        routed,
        lambda c, at: c.route(organisation="room-1", mediator="m1", actor=BOSS, routed_at=at),
    ),
    ("held_at", routed, lambda c, at: session(c, held_at=at)),
    (
        "extended_at",
        routed,
        lambda c, at: c.extend_deadline(
            new_due_at=DUE + timedelta(days=1),
            reason="r",
            parties_consent=True,
            actor=ZHANG,
            extended_at=at,
        ),
    ),
    (
        "assessed_at",
        routed,
        lambda c, at: c.assess_risk(level=RiskLevel.RED, reason="r", actor=ZHANG, assessed_at=at),
    ),
    (
        "corrected_at",
        routed,
        lambda c, at: c.correct_registration(
            reason="r", changes={"summary": "s"}, actor=ZHANG, corrected_at=at
        ),
    ),
    (
        "resolved_at",
        in_mediation,
        lambda c, at: c.resolve(
            outcome=Outcome.AGREEMENT, actor=ZHANG, resolved_at=at, agreement=written()
        ),
    ),
    (
        "visited_at",
        resolved,
        lambda c, at: c.record_follow_up(
            fulfilment=Fulfilment.FULFILLED, satisfaction=4, actor=ZHANG, visited_at=at
        ),
    ),
    (
        "ruled_at",
        resolved,
        lambda c, at: c.record_judicial_confirmation(
            actor=ZHANG, applied_at=LATER, ruling=Ruling.CONFIRMED, ruled_at=at
        ),
    ),
]


@pytest.mark.parametrize(
    ("field", "build", "command"), FUTURE_COMMANDS, ids=[f[0] for f in FUTURE_COMMANDS]
)
def test_no_business_time_lies_in_the_future(
    field: str, build: Callable[[], Case], command: Callable[[Case, datetime], None]
) -> None:
    case = build()
    with records_nothing(case, FutureTimeError, field):
        command(case, in_future())
    command(case, datetime.now(UTC))  # the same command, now, is fine


def test_a_judicial_application_in_the_future_is_refused() -> None:
    case = resolved()
    with records_nothing(case, FutureTimeError, "applied_at"):
        case.record_judicial_confirmation(actor=ZHANG, applied_at=in_future())


def test_business_times_keep_their_offset() -> None:
    shanghai = (T0 + timedelta(days=1)).astimezone(ZoneInfo("Asia/Shanghai"))
    case = routed()
    session(case, held_at=shanghai)
    assert case.sessions[0].held_at.utcoffset() == timedelta(hours=8)


# -- intake -------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", [AUDIT, ADMIN], ids=["auditor", "admin"])
def test_only_mediators_and_supervisors_receive_cases(actor: Actor) -> None:
    with pytest.raises(RoleNotAllowedError):
        Case.receive(id=uuid4(), number="2026-000001", registration=registration(), actor=actor)
    for allowed in (ZHANG, BOSS):
        Case.receive(id=uuid4(), number="2026-000001", registration=registration(), actor=allowed)


@pytest.mark.parametrize(
    ("category", "subcategory"),
    [(c, s) for c, names in SUBCATEGORIES.items() for s in sorted(names)],
)
def test_a_subcategory_belongs_to_its_category(category: Category, subcategory: str) -> None:
    Case.receive(
        id=uuid4(),
        number="2026-000001",
        actor=ZHANG,
        registration=registration(category=category, subcategory=subcategory),
    )
    for other in Category:
        if other is not category:
            with pytest.raises(InvalidValueError) as raised:
                Case.receive(
                    id=uuid4(),
                    number="2026-000001",
                    actor=ZHANG,
                    registration=registration(category=other, subcategory=subcategory),
                )
            assert raised.value.field == "subcategory"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"summary": "  "}, "summary"),
        ({"street": ""}, "street"),
        ({"parties": (APPLICANT, Party(PartyRole.RESPONDENT, " "))}, "parties.1.name"),
        ({"parties": (APPLICANT,)}, "parties"),
        ({"parties": (RESPONDENT,)}, "parties"),
        ({"parties": (APPLICANT, APPLICANT)}, "parties"),
        ({"parties": ()}, "parties"),
        ({"claim_amount": Decimal("-0.01")}, "claim_amount"),
        ({"subcategory": "parking"}, "subcategory"),
    ],
)
def test_a_registration_breaking_a_rule_is_not_received(
    changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidValueError) as raised:
        Case.receive(
            id=uuid4(), number="2026-000001", registration=registration(**changes), actor=ZHANG
        )
    assert raised.value.field == field


def test_a_registration_with_several_parties_and_no_subcategory_is_received() -> None:
    parties = (APPLICANT, Party(PartyRole.APPLICANT, "王二"), RESPONDENT)
    case = Case.receive(
        id=uuid4(),
        number="2026-000001",
        actor=BOSS,
        registration=registration(parties=parties, subcategory=None, claim_amount=None),
    )
    assert case.status is CaseStatus.RECEIVED
    assert case.registration.parties == parties


# -- routing ------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", [ZHANG, AUDIT, ADMIN], ids=["mediator", "auditor", "admin"])
def test_only_a_supervisor_routes(actor: Actor) -> None:
    case = received()
    with records_nothing(case, RoleNotAllowedError):
        case.route(organisation="room-1", mediator="m1", actor=actor, routed_at=ROUTED_AT)


@pytest.mark.parametrize("actor", [ZHANG, AUDIT], ids=["mediator", "auditor"])
def test_only_a_supervisor_reroutes(actor: Actor) -> None:
    case = in_mediation()
    with records_nothing(case, RoleNotAllowedError):
        case.route(organisation="centre-2", mediator="m2", actor=actor, routed_at=LATER)


def test_routing_is_not_before_receipt() -> None:
    case = received()
    with records_nothing(case, TimeOrderError, "routed_at"):
        case.route(organisation="room-1", mediator="m1", actor=BOSS, routed_at=T0 - timedelta(1))


def test_rerouting_is_not_before_the_previous_routing() -> None:
    case = routed()
    with records_nothing(case, TimeOrderError, "routed_at"):
        case.route(
            organisation="centre-2",
            mediator="m2",
            actor=BOSS,
            routed_at=ROUTED_AT - timedelta(minutes=1),
        )


def test_a_due_date_is_not_before_the_routing() -> None:
    case = received()
    with records_nothing(case, TimeOrderError, "due_at"):
        case.route(
            organisation="room-1",
            mediator="m1",
            actor=BOSS,
            routed_at=ROUTED_AT,
            due_at=ROUTED_AT - timedelta(hours=1),
        )


def test_a_due_date_needs_an_offset() -> None:
    case = received()
    with records_nothing(case, NaiveTimeError, "due_at"):
        case.route(
            organisation="room-1",
            mediator="m1",
            actor=BOSS,
            routed_at=ROUTED_AT,
            due_at=datetime(2099, 1, 1),
        )


def test_the_due_date_defaults_to_thirty_days_after_the_first_routing() -> None:
    case = routed()
    assert case.due_at == ROUTED_AT + timedelta(days=30)
    assert case.original_due_at == case.due_at


def test_a_supervisor_may_set_an_earlier_deadline_at_the_first_routing() -> None:
    case = received()
    case.route(organisation="room-1", mediator="m1", actor=BOSS, routed_at=ROUTED_AT, due_at=DUE)
    assert case.due_at == case.original_due_at == DUE
    case = received()
    soon = ROUTED_AT + timedelta(days=10)
    case.route(organisation="room-1", mediator="m1", actor=BOSS, routed_at=ROUTED_AT, due_at=soon)
    assert case.due_at == case.original_due_at == soon


def test_the_first_deadline_is_at_most_thirty_days_after_the_routing() -> None:
    case = received()
    with records_nothing(case, DeadlineTooLateError, "due_at"):
        case.route(
            organisation="room-1",
            mediator="m1",
            actor=BOSS,
            routed_at=ROUTED_AT,
            due_at=DUE + timedelta(seconds=1),
        )


def test_rerouting_before_a_session_keeps_the_case_routed_and_its_deadline() -> None:
    case = routed()
    case.route(organisation="centre-2", mediator="m2", actor=BOSS, routed_at=LATER)
    assert (case.status, case.organisation, case.mediator) == (CaseStatus.ROUTED, "centre-2", "m2")
    assert case.due_at == case.original_due_at == DUE


@pytest.mark.parametrize("days", [-20, 5, 40], ids=["earlier", "later", "beyond-any-extension"])
def test_a_rerouting_never_moves_the_deadline(days: int) -> None:
    case = routed()
    with records_nothing(case, DeadlineFixedError):
        case.route(
            organisation="centre-2",
            mediator="m2",
            actor=BOSS,
            routed_at=LATER,
            due_at=DUE + timedelta(days=days),
        )


def test_a_rerouting_may_name_the_deadline_the_case_has() -> None:
    case = routed()
    extend(case, new_due_at=DUE + timedelta(days=12))
    same = (DUE + timedelta(days=12)).astimezone(ZoneInfo("Asia/Shanghai"))
    case.route(organisation="centre-2", mediator="m2", actor=BOSS, routed_at=LATER, due_at=same)
    assert (case.due_at, case.original_due_at) == (DUE + timedelta(days=12), DUE)
    assert case.extended


def test_rerouting_after_a_session_keeps_the_case_in_mediation() -> None:
    case = in_mediation()
    case.route(organisation="centre-2", mediator="m2", actor=BOSS, routed_at=LATER)
    assert case.status is CaseStatus.IN_MEDIATION
    assert case.mediator == "m2"


# -- sessions -----------------------------------------------------------------------------


@pytest.mark.parametrize("actor", [LI, BOSS, AUDIT, ADMIN], ids=["other", "boss", "audit", "admin"])
def test_only_the_assigned_mediator_logs_a_session(actor: Actor) -> None:
    case = routed()
    with records_nothing(case, NotAssignedMediatorError):
        session(case, actor)


def test_the_mediator_who_received_a_case_routed_elsewhere_logs_no_session() -> None:
    case = received(receiver=LI)
    case.route(organisation="room-1", mediator="m1", actor=BOSS, routed_at=ROUTED_AT)
    with records_nothing(case, NotAssignedMediatorError):
        session(case, LI)


def test_a_mediator_user_of_another_role_with_the_same_code_logs_no_session() -> None:
    case = routed()
    impostor = Actor(id="u-x", login="x", role=Role.SUPERVISOR, mediator="m1")
    with records_nothing(case, NotAssignedMediatorError):
        session(case, impostor)


def test_after_rerouting_the_previous_mediator_logs_no_session() -> None:
    case = in_mediation()
    case.route(organisation="centre-2", mediator="m2", actor=BOSS, routed_at=LATER)
    with records_nothing(case, NotAssignedMediatorError):
        session(case, ZHANG)
    session(case, LI)
    assert case.sessions[-1].mediator == "m2"


def test_a_session_is_not_before_the_routing() -> None:
    case = routed()
    with records_nothing(case, TimeOrderError, "held_at"):
        session(case, held_at=ROUTED_AT - timedelta(seconds=1))


def test_a_session_is_not_before_a_rerouting() -> None:
    case = in_mediation()
    case.route(organisation="centre-2", mediator="m2", actor=BOSS, routed_at=LATER)
    with records_nothing(case, TimeOrderError, "held_at"):
        session(case, LI, held_at=LATER - timedelta(hours=1))


def test_sessions_may_be_logged_in_any_order() -> None:
    case = in_mediation()
    session(case, held_at=HELD_AT - timedelta(days=2))
    assert [s.held_at for s in case.sessions] == [HELD_AT, HELD_AT - timedelta(days=2)]
    assert case.first_session_at == HELD_AT - timedelta(days=2)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"notes": " "}, "notes"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": -5}, "duration_minutes"),
    ],
)
def test_a_session_needs_notes_and_a_positive_duration(changes: dict[str, Any], field: str) -> None:
    case = routed()
    with records_nothing(case, InvalidValueError, field):
        session(case, **changes)


# -- extension ----------------------------------------------------------------------------


def extend(case: Case, actor: Actor = ZHANG, **changes: Any) -> None:
    assert case.original_due_at is not None
    args: dict[str, Any] = {
        "new_due_at": case.original_due_at + timedelta(days=10),
        "reason": "当事人出差",
        "parties_consent": True,
        "actor": actor,
        "extended_at": LATER,
    }
    case.extend_deadline(**{**args, **changes})


def test_the_deadline_is_extended_by_the_assigned_mediator_or_a_supervisor() -> None:
    for actor in (ZHANG, BOSS):
        case = routed()
        extend(case, actor)
        assert case.due_at == DUE + timedelta(days=10)
        assert case.original_due_at == DUE


@pytest.mark.parametrize("actor", [LI, AUDIT, ADMIN], ids=["other", "audit", "admin"])
def test_no_one_else_extends_the_deadline(actor: Actor) -> None:
    case = routed()
    with records_nothing(case, NotAssignedMediatorError):
        extend(case, actor)


def test_the_deadline_is_extended_once() -> None:
    case = in_mediation()
    extend(case, new_due_at=DUE + timedelta(days=5))
    with records_nothing(case, SecondExtensionError):
        extend(case, new_due_at=DUE + timedelta(days=6))


def test_an_extension_is_at_most_thirty_days_past_the_original_due_date() -> None:
    case = routed()
    with records_nothing(case, ExtensionTooLongError):
        extend(case, new_due_at=DUE + timedelta(days=30, seconds=1))
    extend(case, new_due_at=DUE + timedelta(days=30))
    assert case.due_at == DUE + timedelta(days=30)


def test_an_extension_counts_from_the_first_routings_deadline_whatever_the_reroutings() -> None:
    case = routed()
    case.route(organisation="centre-2", mediator="m2", actor=BOSS, routed_at=LATER)
    with records_nothing(case, ExtensionTooLongError):
        extend(case, LI, new_due_at=DUE + timedelta(days=30, seconds=1))
    extend(case, LI, new_due_at=DUE + timedelta(days=30))


def test_an_extension_does_not_bring_the_deadline_forward() -> None:
    case = routed()
    with records_nothing(case, TimeOrderError, "new_due_at"):
        extend(case, new_due_at=DUE - timedelta(days=1))


@pytest.mark.parametrize("consent", [False, None, "yes", 1])
def test_an_extension_needs_the_parties_consent(consent: Any) -> None:
    case = routed()
    with records_nothing(case, InvalidValueError, "parties_consent"):
        extend(case, parties_consent=consent)


def test_an_extension_gives_its_reason() -> None:
    case = routed()
    with records_nothing(case, InvalidValueError, "reason"):
        extend(case, reason="   ")


def test_an_extension_is_not_before_the_routing() -> None:
    case = routed()
    with records_nothing(case, TimeOrderError, "extended_at"):
        extend(case, extended_at=T0 + timedelta(hours=1))


def test_a_new_due_date_needs_an_offset() -> None:
    case = routed()
    with records_nothing(case, NaiveTimeError, "new_due_at"):
        extend(case, new_due_at=datetime(2099, 1, 1))


# -- risk and corrections -----------------------------------------------------------------


def assess(case: Case, actor: Actor = ZHANG, **changes: Any) -> None:
    args: dict[str, Any] = {
        "level": RiskLevel.ORANGE,
        "reason": "扬言上访",
        "actor": actor,
        "assessed_at": LATER,
    }
    case.assess_risk(**{**args, **changes})


def correct(case: Case, actor: Actor = ZHANG, **changes: Any) -> None:
    args: dict[str, Any] = {
        "reason": "登记错误",
        "changes": {"summary": "更正后的摘要"},
        "actor": actor,
        "corrected_at": LATER,
    }
    case.correct_registration(**{**args, **changes})


HANDLED: list[tuple[str, Callable[..., None]]] = [("risk", assess), ("correct", correct)]


@pytest.mark.parametrize(("name", "command"), HANDLED, ids=["risk", "correct"])
def test_before_routing_the_receiving_mediator_or_a_supervisor_handles_the_case(
    name: str, command: Callable[..., None]
) -> None:
    for actor in (ZHANG, BOSS):
        case = received()
        command(case, actor)
        assert case.version == 2
    for actor in (LI, AUDIT, ADMIN):
        case = received()
        with records_nothing(case, NotAssignedMediatorError):
            command(case, actor)


@pytest.mark.parametrize(("name", "command"), HANDLED, ids=["risk", "correct"])
def test_after_routing_the_assigned_mediator_or_a_supervisor_handles_the_case(
    name: str, command: Callable[..., None]
) -> None:
    for actor in (LI, BOSS):  # LI received it; it is routed to m1 (ZHANG)
        case = routed(receiver=LI)
        if actor is LI:
            with records_nothing(case, NotAssignedMediatorError):
                command(case, actor)
        else:
            command(case, actor)
    case = routed(receiver=LI)
    command(case, ZHANG)
    assert case.version == 3


def test_a_risk_assessment_gives_its_reason_and_is_not_before_receipt() -> None:
    case = received()
    with records_nothing(case, InvalidValueError, "reason"):
        assess(case, reason="")
    with records_nothing(case, TimeOrderError, "assessed_at"):
        assess(case, assessed_at=T0 - timedelta(minutes=1))
    assess(case, level=RiskLevel.RED)
    assert case.risk_level is RiskLevel.RED


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({}, "category"),
        ({"category": Category.COMMERCIAL}, "subcategory"),
        ({"subcategory": "debt"}, "subcategory"),
        ({"parties": (APPLICANT,)}, "parties"),
        ({"parties": (RESPONDENT,)}, "parties"),
        ({"summary": ""}, "summary"),
        ({"street": " "}, "street"),
        ({"claim_amount": Decimal(-1)}, "claim_amount"),
    ],
)
def test_a_correction_keeps_the_registration_valid(changes: dict[str, Any], field: str) -> None:
    case = routed()
    with records_nothing(case, InvalidValueError, field):
        correct(case, changes=changes)


def test_a_correction_gives_its_reason_and_is_not_before_receipt() -> None:
    case = routed()
    with records_nothing(case, InvalidValueError, "reason"):
        correct(case, reason=" ")
    with records_nothing(case, TimeOrderError, "corrected_at"):
        correct(case, corrected_at=T0 - timedelta(days=1))


def test_a_correction_changes_the_registration_and_counts() -> None:
    case = in_mediation()
    correct(
        case,
        changes={
            "category": Category.COMMERCIAL,
            "subcategory": "debt",
            "claim_amount": Decimal("99.90"),
        },
    )
    assert case.registration == replace(
        registration(),
        category=Category.COMMERCIAL,
        subcategory="debt",
        claim_amount=Decimal("99.90"),
    )
    assert case.corrections == 1


# -- resolution ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "agreement", "referral", "field"),
    [
        (Outcome.AGREEMENT, None, None, "agreement"),
        (Outcome.AGREEMENT, Agreement(AgreementForm.ORAL, " "), None, "agreement.terms"),
        (Outcome.AGREEMENT, written("-1"), None, "agreement.amount"),
        (Outcome.AGREEMENT, written(), Referral.LITIGATION, "referral"),
        (Outcome.NO_AGREEMENT, None, None, "referral"),
        (Outcome.NO_AGREEMENT, written(), Referral.LITIGATION, "agreement"),
        (Outcome.WITHDRAWN, written(), None, "agreement"),
        (Outcome.WITHDRAWN, None, Referral.ARBITRATION, "referral"),
    ],
)
def test_each_outcome_has_its_own_fields(
    outcome: Outcome, agreement: Agreement | None, referral: Referral | None, field: str
) -> None:
    case = in_mediation()
    with records_nothing(case, InvalidValueError, field):
        case.resolve(
            outcome=outcome, actor=ZHANG, resolved_at=LATER, agreement=agreement, referral=referral
        )


@pytest.mark.parametrize("actor", [LI, BOSS, AUDIT], ids=["other", "boss", "audit"])
@pytest.mark.parametrize("outcome", [Outcome.AGREEMENT, Outcome.NO_AGREEMENT])
def test_only_the_assigned_mediator_resolves(actor: Actor, outcome: Outcome) -> None:
    case = in_mediation()
    fields: dict[str, Any] = (
        {"agreement": oral()} if outcome is Outcome.AGREEMENT else {"referral": Referral.OTHER}
    )
    with records_nothing(case, NotAssignedMediatorError):
        case.resolve(outcome=outcome, actor=actor, resolved_at=LATER, **fields)
    case.resolve(outcome=outcome, actor=ZHANG, resolved_at=LATER, **fields)
    assert case.status is CaseStatus.RESOLVED


@pytest.mark.parametrize("build", [received, routed], ids=["received", "routed"])
def test_an_agreement_needs_a_session_first(build: Callable[[], Case]) -> None:
    case = build()
    with records_nothing(case, WrongStateError):
        case.resolve(outcome=Outcome.AGREEMENT, actor=ZHANG, resolved_at=LATER, agreement=oral())
    with records_nothing(case, WrongStateError):
        case.resolve(
            outcome=Outcome.NO_AGREEMENT, actor=ZHANG, resolved_at=LATER, referral=Referral.OTHER
        )


def test_before_routing_the_receiving_mediator_or_a_supervisor_withdraws() -> None:
    for actor in (ZHANG, BOSS):
        case = received()
        case.resolve(outcome=Outcome.WITHDRAWN, actor=actor, resolved_at=LATER)
        assert (case.status, case.outcome) == (CaseStatus.RESOLVED, Outcome.WITHDRAWN)
    for actor in (LI, AUDIT, ADMIN):
        case = received()
        with records_nothing(case, NotAssignedMediatorError):
            case.resolve(outcome=Outcome.WITHDRAWN, actor=actor, resolved_at=LATER)


def test_a_supervisor_who_received_a_case_withdraws_it() -> None:
    case = received(receiver=BOSS)
    case.resolve(outcome=Outcome.WITHDRAWN, actor=BOSS, resolved_at=LATER)
    assert case.outcome is Outcome.WITHDRAWN


def test_once_routed_the_receiving_mediator_no_longer_withdraws() -> None:
    case = routed(receiver=LI)
    with records_nothing(case, NotAssignedMediatorError):
        case.resolve(outcome=Outcome.WITHDRAWN, actor=LI, resolved_at=LATER)
    case.resolve(outcome=Outcome.WITHDRAWN, actor=ZHANG, resolved_at=LATER)


def test_a_resolution_is_not_before_the_last_session() -> None:
    case = in_mediation()
    session(case, held_at=HELD_AT + timedelta(days=2))
    session(case, held_at=HELD_AT + timedelta(days=1))  # logged late, held earlier
    with records_nothing(case, TimeOrderError, "resolved_at"):
        case.resolve(
            outcome=Outcome.AGREEMENT,
            actor=ZHANG,
            agreement=oral(),
            resolved_at=HELD_AT + timedelta(days=1, hours=23),
        )
    case.resolve(
        outcome=Outcome.AGREEMENT,
        actor=ZHANG,
        agreement=oral(),
        resolved_at=HELD_AT + timedelta(days=2),
    )


def test_a_withdrawal_is_not_before_the_routing_or_the_receipt() -> None:
    case = routed()
    with records_nothing(case, TimeOrderError, "resolved_at"):
        case.resolve(outcome=Outcome.WITHDRAWN, actor=ZHANG, resolved_at=ROUTED_AT - timedelta(1))
    case = received()
    with records_nothing(case, TimeOrderError, "resolved_at"):
        case.resolve(outcome=Outcome.WITHDRAWN, actor=ZHANG, resolved_at=T0 - timedelta(1))


@pytest.mark.parametrize("first", list(Outcome))
@pytest.mark.parametrize("second", list(Outcome))
def test_a_case_resolves_once(first: Outcome, second: Outcome) -> None:
    case = resolved(first)
    outcome_fields: dict[Outcome, dict[str, Any]] = {
        Outcome.AGREEMENT: {"agreement": oral()},
        Outcome.NO_AGREEMENT: {"referral": Referral.OTHER},
        Outcome.WITHDRAWN: {},
    }
    fields = outcome_fields[second]
    for actor in (ZHANG, BOSS):
        with records_nothing(case, CaseResolvedError):
            case.resolve(outcome=second, actor=actor, resolved_at=LATER, **fields)


@pytest.mark.parametrize("outcome", list(Outcome))
def test_after_resolution_nothing_but_follow_ups_and_judicial_confirmation(
    outcome: Outcome,
) -> None:
    case = resolved(outcome)
    refused: list[Callable[[], None]] = [
        lambda: case.route(organisation="room-1", mediator="m1", actor=BOSS, routed_at=LATER),
        lambda: session(case),
        lambda: extend(case, actor=BOSS),
        lambda: assess(case, actor=BOSS),
        lambda: correct(case, actor=BOSS),
    ]
    for command in refused:
        with records_nothing(case, CaseResolvedError):
            command()


# -- follow-ups ---------------------------------------------------------------------------


def follow_up(case: Case, actor: Actor = ZHANG, **changes: Any) -> None:
    args: dict[str, Any] = {
        "fulfilment": Fulfilment.PARTIAL,
        "satisfaction": 4,
        "actor": actor,
        "visited_at": LATER,
    }
    case.record_follow_up(**{**args, **changes})


@pytest.mark.parametrize("satisfaction", [0, 6, -1, 10])
def test_satisfaction_is_one_to_five(satisfaction: int) -> None:
    case = resolved()
    with records_nothing(case, InvalidValueError, "satisfaction"):
        follow_up(case, satisfaction=satisfaction)


def test_satisfaction_one_and_five_are_accepted() -> None:
    case = resolved()
    follow_up(case, satisfaction=1)
    follow_up(case, satisfaction=5, fulfilment=Fulfilment.FULFILLED)
    assert [f.satisfaction for f in case.follow_ups] == [1, 5]


@pytest.mark.parametrize("outcome", [Outcome.NO_AGREEMENT, Outcome.WITHDRAWN])
def test_a_follow_up_only_after_an_agreement(outcome: Outcome) -> None:
    case = resolved(outcome)
    with records_nothing(case, NoAgreementError):
        follow_up(case)


def test_a_follow_up_only_after_resolution() -> None:
    case = in_mediation()
    with records_nothing(case, WrongStateError):
        follow_up(case)


@pytest.mark.parametrize("actor", [LI, BOSS, AUDIT], ids=["other", "boss", "audit"])
def test_only_the_assigned_mediator_follows_up(actor: Actor) -> None:
    case = resolved()
    with records_nothing(case, NotAssignedMediatorError):
        follow_up(case, actor)


def test_a_follow_up_is_not_before_the_resolution() -> None:
    case = resolved()
    with records_nothing(case, TimeOrderError, "visited_at"):
        follow_up(case, visited_at=RESOLVED_AT - timedelta(minutes=1))


# -- judicial confirmation ----------------------------------------------------------------


def test_judicial_confirmation_is_applied_for_then_ruled() -> None:
    case = resolved()
    case.record_judicial_confirmation(actor=ZHANG, applied_at=LATER)
    assert (case.judicial_applied_at, case.judicial_ruling) == (LATER, None)
    case.record_judicial_confirmation(
        actor=ZHANG, ruling=Ruling.CONFIRMED, ruled_at=LATER + timedelta(days=3)
    )
    assert case.judicial_ruling is Ruling.CONFIRMED
    assert case.judicial_applied_at == LATER


def test_judicial_confirmation_only_for_a_written_agreement() -> None:
    case = resolved(agreement=oral())
    with records_nothing(case, OralAgreementError):
        case.record_judicial_confirmation(actor=ZHANG, applied_at=LATER)


@pytest.mark.parametrize("outcome", [Outcome.NO_AGREEMENT, Outcome.WITHDRAWN])
def test_judicial_confirmation_only_after_an_agreement(outcome: Outcome) -> None:
    case = resolved(outcome)
    with records_nothing(case, NoAgreementError):
        case.record_judicial_confirmation(actor=ZHANG, applied_at=LATER)


def test_judicial_confirmation_only_after_resolution() -> None:
    case = in_mediation()
    with records_nothing(case, WrongStateError):
        case.record_judicial_confirmation(actor=ZHANG, applied_at=LATER)


def test_judicial_confirmation_is_applied_for_within_thirty_days() -> None:
    case = resolved()
    with records_nothing(case, JudicialConfirmationTooLateError):
        case.record_judicial_confirmation(
            actor=ZHANG, applied_at=RESOLVED_AT + timedelta(days=30, seconds=1)
        )
    case.record_judicial_confirmation(actor=ZHANG, applied_at=RESOLVED_AT + timedelta(days=30))


def test_judicial_confirmation_is_not_applied_for_before_the_resolution() -> None:
    case = resolved()
    with records_nothing(case, TimeOrderError, "applied_at"):
        case.record_judicial_confirmation(actor=ZHANG, applied_at=RESOLVED_AT - timedelta(1))


@pytest.mark.parametrize("actor", [LI, BOSS], ids=["other", "boss"])
def test_only_the_assigned_mediator_records_judicial_confirmation(actor: Actor) -> None:
    case = resolved()
    with records_nothing(case, NotAssignedMediatorError):
        case.record_judicial_confirmation(actor=actor, applied_at=LATER)


def test_judicial_confirmation_is_applied_for_once_and_ruled_once() -> None:
    case = resolved()
    case.record_judicial_confirmation(actor=ZHANG, applied_at=LATER)
    with records_nothing(case, JudicialConfirmationStateError):
        case.record_judicial_confirmation(actor=ZHANG, applied_at=LATER)
    case.record_judicial_confirmation(actor=ZHANG, ruling=Ruling.REJECTED, ruled_at=LATER)
    with records_nothing(case, JudicialConfirmationStateError):
        case.record_judicial_confirmation(actor=ZHANG, ruling=Ruling.CONFIRMED, ruled_at=LATER)


def test_a_ruling_is_not_before_the_application() -> None:
    case = resolved()
    case.record_judicial_confirmation(actor=ZHANG, applied_at=LATER)
    with records_nothing(case, TimeOrderError, "ruled_at"):
        case.record_judicial_confirmation(
            actor=ZHANG, ruling=Ruling.CONFIRMED, ruled_at=LATER - timedelta(hours=1)
        )


def test_a_ruling_time_needs_the_ruling() -> None:
    case = resolved()
    with records_nothing(case, InvalidValueError, "ruling"):
        case.record_judicial_confirmation(actor=ZHANG, applied_at=LATER, ruled_at=LATER)


# -- documents in the case file -------------------------------------------------------------


def attach(case: Case, actor: Actor = ZHANG, **changes: Any) -> None:
    args: dict[str, Any] = {
        "document_id": uuid4(),
        "sha256": "ab" * 32,
        "size": 2048,
        "media_type": MediaType.PDF,
        "kind": DocumentKind.EVIDENCE,
        "title": "现场照片",
        "actor": actor,
    }
    case.attach_document(**{**args, **changes})


@pytest.mark.parametrize(
    ("content", "media_type"),
    [
        (b"%PDF-1.7\n...", MediaType.PDF),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", MediaType.JPEG),
        (b"\x89PNG\r\n\x1a\n\x00\x00", MediaType.PNG),
    ],
)
def test_a_file_is_judged_by_its_magic_number(content: bytes, media_type: MediaType) -> None:
    assert media_type_of(content) is media_type


@pytest.mark.parametrize("content", [b"GIF89a...", b"PK\x03\x04 a zip", b"", b" %PDF-1.7"])
def test_anything_but_a_pdf_jpeg_or_png_is_refused(content: bytes) -> None:
    with pytest.raises(InvalidValueError) as raised:
        media_type_of(content)
    assert raised.value.field == "file"


def test_documents_are_attached_in_any_state_by_whoever_may_write_the_case() -> None:
    for case in (received(), routed(), resolved()):
        attach(case)
        attach(case, BOSS)
        assert [d.version for d in case.documents] == [case.version - 1, case.version]
    case = routed()
    for outsider, error in (
        (LI, NotAssignedMediatorError),
        (AUDIT, RoleNotAllowedError),
        (ADMIN, RoleNotAllowedError),
    ):
        with records_nothing(case, error):
            attach(case, outsider)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"sha256": "AB" * 32}, "file"),
        ({"size": 0}, "file"),
        ({"size": 20 * 2**20 + 1}, "file"),
    ],
)
def test_a_document_breaking_a_rule_of_its_own_is_refused(
    changes: dict[str, Any], field: str
) -> None:
    case = routed()
    with records_nothing(case, InvalidValueError, field):
        attach(case, **changes)


def test_a_document_is_withdrawn_once_with_a_reason_and_stays_in_the_file() -> None:
    case = resolved()
    attach(case)
    document = case.documents[0]
    with records_nothing(case, InvalidValueError, "reason"):
        case.withdraw_document(document_id=document.id, reason=" ", actor=ZHANG)
    with records_nothing(case, DocumentNotFoundError):
        case.withdraw_document(document_id=uuid4(), reason="错误", actor=ZHANG)
    case.withdraw_document(document_id=document.id, reason="不是本案材料", actor=BOSS)
    (kept,) = case.documents
    assert (kept.sha256, kept.withdrawn, kept.withdrawal_reason) == (
        document.sha256,
        True,
        "不是本案材料",
    )
    with records_nothing(case, DocumentWithdrawnError):
        case.withdraw_document(document_id=document.id, reason="再撤", actor=ZHANG)
