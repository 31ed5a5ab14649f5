"""Every case use case against SQLite and against PostgreSQL: what it records, what it refuses
(recording nothing), and what the reads give back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from application.dto import CaseSummary
from application.errors import VersionMismatchError
from application.tongjie import Tongjie
from domain.errors import (
    CaseNotFoundError,
    CaseResolvedError,
    ExtensionTooLongError,
    FutureTimeError,
    IneligibleMediatorError,
    InvalidValueError,
    NotAssignedMediatorError,
    OralAgreementError,
    RoleNotAllowedError,
    SecondExtensionError,
    TimeOrderError,
    UnknownMediatorError,
    UnknownOrganisationError,
    UnknownStreetError,
    WrongStateError,
)
from domain.reference import Directory
from domain.values import (
    Agreement,
    AgreementForm,
    CaseStatus,
    Category,
    Fulfilment,
    Ineligibility,
    Method,
    Outcome,
    Party,
    PartyRole,
    Referral,
    RiskLevel,
    Ruling,
)
from tests.integration.app_support import last_position, records_nothing
from tests.world import OTHER_STREET, STREET, World, make_world, registration

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = timedelta(days=1)


@pytest.fixture
def world(tongjie: Tongjie) -> World:
    return make_world(tongjie)


def ago(days: float) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


def received(app: Tongjie, world: World, days_ago: float = 20) -> CaseSummary:
    return app.cases.receive(
        actor=world.mediator, registration=registration(), received_at=ago(days_ago)
    )


def routed(app: Tongjie, world: World) -> CaseSummary:
    case = received(app, world)
    return app.cases.route(
        case.id, actor=world.supervisor, organisation="room-1", mediator="m1", routed_at=ago(19)
    )


def in_mediation(app: Tongjie, world: World) -> CaseSummary:
    case = routed(app, world)
    return app.cases.log_session(
        case.id,
        actor=world.mediator,
        method=Method.IN_PERSON,
        attendees=["王小明", "赵大海"],
        notes="第一次调解",
        held_at=ago(18),
    )


def resolved(
    app: Tongjie, world: World, form: AgreementForm = AgreementForm.WRITTEN
) -> CaseSummary:
    case = in_mediation(app, world)
    return app.cases.resolve(
        case.id,
        actor=world.mediator,
        outcome=Outcome.AGREEMENT,
        resolved_at=ago(10),
        agreement=Agreement(form, "赔偿维修费", Decimal("800.00")),
    )


# -- intake -------------------------------------------------------------------------------


def test_intake_numbers_cases_per_year_of_receipt_in_the_bureau_time_zone(
    tongjie: Tongjie, world: World
) -> None:
    this_year = datetime.now(SHANGHAI).year
    first = received(tongjie, world)
    second = received(tongjie, world)
    assert (first.number, second.number) == (f"{this_year}-000001", f"{this_year}-000002")
    assert (first.status, first.version) == (CaseStatus.RECEIVED, 1)
    new_year = datetime(this_year - 1, 12, 31, 16, 30, tzinfo=UTC)  # 00:30 on 1 January there
    eve = datetime(this_year - 1, 12, 31, 15, 30, tzinfo=UTC)  # 23:30 on 31 December there
    assert (
        tongjie.cases.receive(
            actor=world.supervisor, registration=registration(), received_at=new_year
        ).number
        == f"{this_year}-000003"
    )
    assert (
        tongjie.cases.receive(
            actor=world.supervisor, registration=registration(), received_at=eve
        ).number
        == f"{this_year - 1}-000001"
    )


def test_a_received_case_reads_back_as_registered(tongjie: Tongjie, world: World) -> None:
    at = datetime(2026, 1, 5, 9, 30, tzinfo=SHANGHAI)
    summary = tongjie.cases.receive(
        actor=world.mediator, registration=registration(), received_at=at
    )
    case = tongjie.reads.current(summary.id)
    assert (case.id, case.number, case.version, case.status) == (
        summary.id,
        summary.number,
        1,
        CaseStatus.RECEIVED,
    )
    assert case.registration == registration()
    assert case.received_at == at
    assert case.received_at.utcoffset() == timedelta(hours=8)
    assert case.received_by == world.mediator
    assert (case.organisation, case.mediator, case.due_at, case.risk_level) == (
        None,
        None,
        None,
        RiskLevel.NONE,
    )


REFUSED_REGISTRATIONS: list[tuple[dict[str, object], type[Exception], str]] = [
    ({"street": "北湖街道"}, UnknownStreetError, "street"),
    ({"parties": (Party(PartyRole.APPLICANT, "王小明"),)}, InvalidValueError, "parties"),
    ({"subcategory": "debt"}, InvalidValueError, "subcategory"),
    ({"summary": " "}, InvalidValueError, "summary"),
    ({"claim_amount": Decimal("-5")}, InvalidValueError, "claim_amount"),
]


def test_a_refused_intake_records_nothing_and_takes_no_number(
    tongjie: Tongjie, world: World
) -> None:
    first = received(tongjie, world)
    for changes, error, field in REFUSED_REGISTRATIONS:
        with records_nothing(tongjie, error, field):
            tongjie.cases.receive(actor=world.mediator, registration=registration(**changes))
    assert received(tongjie, world).number == first.number[:5] + "000002"


def test_intake_is_refused_to_other_roles_and_in_the_future(tongjie: Tongjie, world: World) -> None:
    for actor in (world.auditor, world.admin):
        with records_nothing(tongjie, RoleNotAllowedError):
            tongjie.cases.receive(actor=actor, registration=registration())
    with records_nothing(tongjie, FutureTimeError, "received_at"):
        tongjie.cases.receive(
            actor=world.mediator,
            registration=registration(),
            received_at=datetime.now(UTC) + timedelta(minutes=6),
        )


# -- routing ------------------------------------------------------------------------------


NOT_ROUTABLE: list[tuple[str, str, type[Exception]]] = [
    ("room-9", "m1", UnknownOrganisationError),
    ("room-1", "m9", UnknownMediatorError),
    ("room-1", "m2", IneligibleMediatorError),  # not_in_organisation
    ("centre-2", "m1", IneligibleMediatorError),
]


def test_routing_names_an_existing_organisation_and_one_of_its_mediators(
    tongjie: Tongjie, world: World
) -> None:
    case = received(tongjie, world)
    for organisation, mediator, error in NOT_ROUTABLE:
        with records_nothing(tongjie, error):
            tongjie.cases.route(
                case.id, actor=world.supervisor, organisation=organisation, mediator=mediator
            )
    assert tongjie.reads.current(case.id).status is CaseStatus.RECEIVED


def test_no_new_routing_to_a_deactivated_mediator_but_their_cases_stay_theirs(
    tongjie: Tongjie, world: World
) -> None:
    case = routed(tongjie, world)
    tongjie.reference.deactivate_mediator("m1", actor=world.admin)
    other = received(tongjie, world)
    with records_nothing(tongjie, IneligibleMediatorError) as refused:
        tongjie.cases.route(other.id, actor=world.supervisor, organisation="room-1", mediator="m1")
    assert refused.value.reason is Ineligibility.DEACTIVATED
    tongjie.cases.log_session(
        case.id,
        actor=world.mediator,
        method=Method.PHONE,
        attendees=[],
        notes="电话回访",
        held_at=ago(1),
    )
    assert tongjie.reads.current(case.id).status is CaseStatus.IN_MEDIATION


def test_only_a_supervisor_routes(tongjie: Tongjie, world: World) -> None:
    case = received(tongjie, world)
    for actor in (world.auditor, world.admin):
        with records_nothing(tongjie, RoleNotAllowedError):
            tongjie.cases.route(case.id, actor=actor, organisation="room-1", mediator="m1")
    with records_nothing(tongjie, RoleNotAllowedError):
        tongjie.cases.route(case.id, actor=world.mediator, organisation="room-1", mediator="m1")


def test_rerouting_keeps_the_state_and_moves_the_case(tongjie: Tongjie, world: World) -> None:
    case = routed(tongjie, world)
    moved = tongjie.cases.route(
        case.id,
        actor=world.supervisor,
        organisation="centre-2",
        mediator="m2",
        routed_at=ago(18.5),
        note="改派",
    )
    assert (moved.status, moved.version) == (CaseStatus.ROUTED, 3)
    session = tongjie.cases.log_session(
        case.id,
        actor=world.other_mediator,
        method=Method.VIDEO,
        attendees=["王小明"],
        notes="视频调解",
        held_at=ago(18),
    )
    back = tongjie.cases.route(
        case.id, actor=world.supervisor, organisation="room-1", mediator="m1", routed_at=ago(17)
    )
    assert (session.status, back.status) == (CaseStatus.IN_MEDIATION, CaseStatus.IN_MEDIATION)
    details = tongjie.reads.current(case.id)
    assert (details.organisation, details.mediator) == ("room-1", "m1")
    assert details.due_at == details.original_due_at  # the first routing's, 19 days ago
    assert details.due_at is not None
    assert abs(details.due_at - ago(19 - 30)) < timedelta(minutes=1)


# -- the rest of the lifecycle --------------------------------------------------------------


def test_a_case_from_intake_to_judicial_confirmation(tongjie: Tongjie, world: World) -> None:
    app, zhang, boss = tongjie, world.mediator, world.supervisor
    start = last_position(app) or 0
    case = app.cases.receive(actor=zhang, registration=registration(), received_at=ago(30))
    steps: list[CaseSummary] = [
        app.cases.assess_risk(
            case.id, actor=zhang, level=RiskLevel.YELLOW, reason="双方争执", assessed_at=ago(29.9)
        ),
        app.cases.route(
            case.id,
            actor=boss,
            organisation="room-1",
            mediator="m1",
            routed_at=ago(29.8),
            note="就近调解",
        ),
        app.cases.log_session(
            case.id,
            actor=zhang,
            method=Method.IN_PERSON,
            attendees=["王小明", "赵大海"],
            notes="释法明理",
            held_at=ago(29),
            duration_minutes=90,
        ),
        app.cases.extend_deadline(
            case.id,
            actor=zhang,
            new_due_at=ago(-10),
            reason="鉴定中",
            parties_consent=True,
            extended_at=ago(5),
        ),
        app.cases.correct_registration(
            case.id,
            actor=boss,
            reason="街道登记错误",
            changes={"street": OTHER_STREET, "claim_amount": Decimal("1500.00")},
            corrected_at=ago(4),
        ),
        app.cases.log_session(
            case.id,
            actor=zhang,
            method=Method.PHONE,
            attendees=["王小明"],
            notes="电话确认方案",
            held_at=ago(3),
        ),
        app.cases.resolve(
            case.id,
            actor=zhang,
            outcome=Outcome.AGREEMENT,
            resolved_at=ago(2),
            agreement=Agreement(AgreementForm.WRITTEN, "赔偿", Decimal("900.50")),
            note="当场履行一半",
        ),
        app.cases.record_follow_up(
            case.id, actor=zhang, fulfilment=Fulfilment.PARTIAL, satisfaction=4, visited_at=ago(1.5)
        ),
        app.cases.record_judicial_confirmation(case.id, actor=zhang, applied_at=ago(1)),
        app.cases.record_judicial_confirmation(
            case.id, actor=zhang, ruling=Ruling.CONFIRMED, ruled_at=ago(0.5)
        ),
    ]
    assert [s.version for s in steps] == list(range(2, 12))
    assert all(s.id == case.id and s.number == case.number for s in steps)
    assert [s.status for s in steps][-4:] == [CaseStatus.RESOLVED] * 4
    positions = [s.position or 0 for s in steps]
    assert positions == sorted(positions)
    assert positions[0] > start

    details = app.reads.current(case.id)
    assert details.version == 11
    assert details.status is CaseStatus.RESOLVED
    assert details.registration.street == OTHER_STREET
    assert details.registration.claim_amount == Decimal("1500.00")
    assert details.corrections == 1
    assert details.risk_level is RiskLevel.YELLOW
    assert details.extended
    assert details.original_due_at is not None  # 30 days after the routing
    assert abs(details.original_due_at - ago(29.8 - 30)) < timedelta(minutes=1)
    assert [s.method for s in details.sessions] == [Method.IN_PERSON, Method.PHONE]
    assert details.first_session_at == details.sessions[0].held_at
    assert details.agreement == Agreement(AgreementForm.WRITTEN, "赔偿", Decimal("900.50"))
    assert [f.satisfaction for f in details.follow_ups] == [4]
    assert details.judicial_ruling is Ruling.CONFIRMED
    assert not details.overdue

    history = app.reads.history(case.id)
    assert [e.type for e in history] == [
        "Received",
        "RiskAssessed",
        "Routed",
        "Mediated",
        "DeadlineExtended",
        "RegistrationCorrected",
        "Mediated",
        "Resolved",
        "FollowUpRecorded",
        "JudicialConfirmationRecorded",
        "JudicialConfirmationRecorded",
    ]
    assert [e.version for e in history] == list(range(1, 12))
    assert [e.actor.login if e.actor else None for e in history] == [
        "zhang",
        "zhang",
        "boss",
        "zhang",
        "zhang",
        "boss",
        "zhang",
        "zhang",
        "zhang",
        "zhang",
        "zhang",
    ]
    assert history[2].data["note"] == "就近调解"
    assert history[7].data["outcome"] is Outcome.AGREEMENT
    recorded = [e.recorded_at for e in history]
    assert recorded == sorted(recorded)
    assert history[0].data["received_at"] < history[0].recorded_at  # both times are kept

    for version in range(1, 12):
        assert app.reads.at_version(case.id, version).version == version
    assert app.reads.at_version(case.id, 3).status is CaseStatus.ROUTED
    assert app.reads.at_version(case.id, 7).status is CaseStatus.IN_MEDIATION
    assert app.reads.at_version(case.id, 5).registration.street == STREET
    assert app.reads.as_of(case.id, history[7].recorded_at).status is CaseStatus.RESOLVED
    assert app.reads.as_of(case.id, history[6].recorded_at).status is CaseStatus.IN_MEDIATION


def test_a_replay_names_a_version_the_case_has(tongjie: Tongjie, world: World) -> None:
    case = resolved(tongjie, world)
    for version in (0, -1, case.version + 1):
        with pytest.raises(InvalidValueError) as raised:
            tongjie.reads.at_version(case.id, version)
        assert raised.value.field == "version"


def test_a_withdrawal_before_routing(tongjie: Tongjie, world: World) -> None:
    case = received(tongjie, world)
    with records_nothing(tongjie, NotAssignedMediatorError):
        tongjie.cases.resolve(case.id, actor=world.other_mediator, outcome=Outcome.WITHDRAWN)
    done = tongjie.cases.resolve(
        case.id, actor=world.mediator, outcome=Outcome.WITHDRAWN, note="申请人撤回"
    )
    assert (done.status, done.version) == (CaseStatus.RESOLVED, 2)
    other = received(tongjie, world)
    assert (
        tongjie.cases.resolve(other.id, actor=world.supervisor, outcome=Outcome.WITHDRAWN).status
        is CaseStatus.RESOLVED
    )


def test_no_agreement_names_a_referral(tongjie: Tongjie, world: World) -> None:
    case = in_mediation(tongjie, world)
    with records_nothing(tongjie, InvalidValueError, "referral"):
        tongjie.cases.resolve(case.id, actor=world.mediator, outcome=Outcome.NO_AGREEMENT)
    done = tongjie.cases.resolve(
        case.id, actor=world.mediator, outcome=Outcome.NO_AGREEMENT, referral=Referral.LITIGATION
    )
    assert tongjie.reads.current(done.id).referral is Referral.LITIGATION


# -- every kind of refusal records nothing ------------------------------------------------


def test_refusals_of_the_lifecycle_record_nothing(tongjie: Tongjie, world: World) -> None:
    app, zhang, li, boss = tongjie, world.mediator, world.other_mediator, world.supervisor
    fresh = received(app, world)
    with records_nothing(app, WrongStateError):
        app.cases.log_session(fresh.id, actor=zhang, method=Method.PHONE, attendees=[], notes="n")
    with records_nothing(app, TimeOrderError, "routed_at"):
        app.cases.route(
            fresh.id, actor=boss, organisation="room-1", mediator="m1", routed_at=ago(21)
        )

    case = in_mediation(app, world)
    with records_nothing(app, NotAssignedMediatorError):
        app.cases.log_session(case.id, actor=li, method=Method.PHONE, attendees=[], notes="n")
    with records_nothing(app, TimeOrderError, "held_at"):
        app.cases.log_session(
            case.id, actor=zhang, method=Method.PHONE, attendees=[], notes="n", held_at=ago(19.5)
        )
    with records_nothing(app, InvalidValueError, "parties_consent"):
        app.cases.extend_deadline(
            case.id, actor=zhang, new_due_at=ago(-15), reason="r", parties_consent=False
        )
    with records_nothing(app, ExtensionTooLongError):
        app.cases.extend_deadline(
            case.id, actor=zhang, new_due_at=ago(-41), reason="r", parties_consent=True
        )
    app.cases.extend_deadline(
        case.id, actor=zhang, new_due_at=ago(-15), reason="r", parties_consent=True
    )
    with records_nothing(app, SecondExtensionError):
        app.cases.extend_deadline(
            case.id, actor=boss, new_due_at=ago(-16), reason="r", parties_consent=True
        )
    with records_nothing(app, UnknownStreetError, "street"):
        app.cases.correct_registration(
            case.id, actor=zhang, reason="r", changes={"street": "北湖街道"}
        )
    with records_nothing(app, InvalidValueError, "subcategory"):
        app.cases.correct_registration(
            case.id, actor=zhang, reason="r", changes={"category": Category.COMMERCIAL}
        )
    with records_nothing(app, NotAssignedMediatorError):
        app.cases.resolve(
            case.id,
            actor=boss,
            outcome=Outcome.AGREEMENT,
            agreement=Agreement(AgreementForm.ORAL, "和解"),
        )

    oral = resolved(app, world, AgreementForm.ORAL)
    with records_nothing(app, OralAgreementError):
        app.cases.record_judicial_confirmation(oral.id, actor=zhang)
    with records_nothing(app, InvalidValueError, "satisfaction"):
        app.cases.record_follow_up(
            oral.id, actor=zhang, fulfilment=Fulfilment.FULFILLED, satisfaction=6
        )
    with records_nothing(app, CaseResolvedError):
        app.cases.resolve(oral.id, actor=zhang, outcome=Outcome.WITHDRAWN)
    with records_nothing(app, CaseResolvedError):
        app.cases.assess_risk(oral.id, actor=boss, level=RiskLevel.RED, reason="r")


def test_a_command_on_the_version_it_expects(tongjie: Tongjie, world: World) -> None:
    case = received(tongjie, world)
    with records_nothing(tongjie, VersionMismatchError) as raised:
        tongjie.cases.route(
            case.id,
            actor=world.supervisor,
            organisation="room-1",
            mediator="m1",
            expected_version=2,
        )
    assert (raised.value.expected, raised.value.actual) == (2, 1)
    done = tongjie.cases.route(
        case.id, actor=world.supervisor, organisation="room-1", mediator="m1", expected_version=1
    )
    assert done.version == 2


def test_an_unknown_case_is_not_found(tongjie: Tongjie, world: World) -> None:
    for missing in (uuid4(), Directory.ID):
        with records_nothing(tongjie, CaseNotFoundError):
            tongjie.cases.assess_risk(
                missing, actor=world.supervisor, level=RiskLevel.RED, reason="r"
            )
        with pytest.raises(CaseNotFoundError):
            tongjie.reads.current(missing)
        with pytest.raises(CaseNotFoundError):
            tongjie.reads.history(missing)
        with pytest.raises(CaseNotFoundError):
            tongjie.reads.at_version(missing, 1)
