"""One error class per broken rule. Each names what it is about, so callers can say why.

The kinds map to answers in one place (api/problems.py): an `InvalidCommandError` is the
request's own fault whatever the case's state (422), a `LifecycleError` is forbidden by the
case's state or history (409), a `NotAllowedError` by who the actor is (403), a
`NotFoundError` names nothing that exists (404).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from uuid import UUID

from domain.values import Ineligibility, Role


class DomainError(Exception):
    """Base of every rule broken in the domain."""

    def in_zone(self, zone: tzinfo) -> str:
        """The message with its times (if any) in `zone`: every answer gives times in the
        bureau's offset, its messages too."""
        return str(self)


def _with_times(template: str, times: Mapping[str, datetime], zone: tzinfo | None) -> str:
    """`template` with each `{name}` the time of that name, in `zone` (None: as stored)."""
    if not times:
        return template
    shown = {name: (at if zone is None else at.astimezone(zone)) for name, at in times.items()}
    return template.format(**{name: at.isoformat() for name, at in shown.items()})


class NotFoundError(DomainError):
    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"no {kind} {key}")
        self.kind = kind
        self.key = key


class CaseNotFoundError(NotFoundError):
    def __init__(self, case_id: UUID) -> None:
        super().__init__("case", case_id)
        self.case_id = case_id


class CaseNumberNotFoundError(NotFoundError):
    def __init__(self, number: str) -> None:
        super().__init__("case numbered", number)
        self.number = number


class DocumentNotFoundError(NotFoundError):
    def __init__(self, case_id: UUID, document_id: UUID) -> None:
        super().__init__("document", f"{document_id} in case {case_id}")
        self.case_id = case_id
        self.document_id = document_id


class OrganisationNotFoundError(NotFoundError):
    def __init__(self, code: str) -> None:
        super().__init__("organisation", code)


class MediatorNotFoundError(NotFoundError):
    def __init__(self, code: str) -> None:
        super().__init__("mediator", code)


class UserNotFoundError(NotFoundError):
    def __init__(self, login: str) -> None:
        super().__init__("user", login)


class InvalidCommandError(DomainError):
    """The command is invalid whatever the state: it names the field at fault.

    A message that names times says `{name}` where each goes and passes them in `times`.
    """

    def __init__(
        self, field: str, message: str, times: Mapping[str, datetime] | None = None
    ) -> None:
        self.times = dict(times or {})
        self.template = message
        self.field = field
        self.message = _with_times(message, self.times, None)
        super().__init__(f"{field}: {self.message}")

    def message_in(self, zone: tzinfo) -> str:
        return _with_times(self.template, self.times, zone)

    def in_zone(self, zone: tzinfo) -> str:
        return f"{self.field}: {self.message_in(zone)}"


class FutureTimeError(InvalidCommandError):
    def __init__(self, field: str) -> None:
        super().__init__(field, "must not be in the future")


class NaiveTimeError(InvalidCommandError):
    def __init__(self, field: str) -> None:
        super().__init__(field, "must carry a UTC offset")


class UnknownStreetError(InvalidCommandError):
    def __init__(self, street: str, field: str = "street") -> None:
        super().__init__(field, f"no organisation serves the street {street!r}")


class UnknownOrganisationError(InvalidCommandError):
    def __init__(self, code: str, field: str = "organisation") -> None:
        super().__init__(field, f"no active organisation {code!r}")


class UnknownMediatorError(InvalidCommandError):
    def __init__(self, code: str, field: str = "mediator") -> None:
        super().__init__(field, f"no mediator {code!r}")


class MediatorNotInOrganisationError(InvalidCommandError):
    def __init__(self, mediator: str, organisation: str) -> None:
        super().__init__("mediator", f"{mediator!r} does not belong to {organisation!r}")


class IneligibleMediatorError(InvalidCommandError):
    """Routing to a mediator who cannot take the case (domain/eligibility.py): the reason's
    code, and whether a supervisor may override it with `override_reason`."""

    def __init__(
        self,
        reason: Ineligibility,
        message: str,
        times: Mapping[str, datetime],
        *,
        overridable: bool,
    ) -> None:
        how = (
            "; a supervisor may route anyway, giving override_reason"
            if overridable
            else "; this cannot be overridden"
        )
        super().__init__("mediator", message + how, times)
        self.reason = reason
        self.overridable = overridable


class DeadlineTooLateError(InvalidCommandError):
    def __init__(self, latest: datetime) -> None:
        super().__init__(
            "due_at",
            "at most 30 days after the routing: {latest} at the latest",
            {"latest": latest},
        )


class InvalidValueError(InvalidCommandError):
    """A field's value breaks a rule of its own (an empty summary, a missing applicant)."""


class TimeOutOfRangeError(InvalidValueError):
    """A time outside the bounds every time obeys (domain/times.py): too early, a deadline
    too far, an offset no time zone has."""


class MonthNotEndedError(InvalidCommandError):
    """A month's report is issued once the month has ended (its figures are the month's)."""

    def __init__(self, month: str, ends_at: datetime) -> None:
        super().__init__(
            "month",
            f"{month} has not ended yet: its report can be issued from {{ends_at}}",
            {"ends_at": ends_at},
        )
        self.month = month


class ReportNotFoundError(NotFoundError):
    def __init__(self, month: str) -> None:
        super().__init__("report issued for", month)
        self.month = month


class ReportIssuedError(DomainError):
    """A month's report is issued once: its figures stay as they were sent (409)."""

    def __init__(self, month: str) -> None:
        super().__init__(
            f"the report of {month} was issued already: a report is never issued again (what "
            "has changed since is shown beside it)"
        )
        self.month = month


class DuplicateCodeError(DomainError):
    """A code or login that must be unique is taken (409)."""

    def __init__(self, kind: str, code: str) -> None:
        super().__init__(f"{kind} {code!r} exists already")
        self.kind = kind
        self.code = code


class LifecycleError(DomainError):
    """The case's state or history forbids the command (times as `InvalidCommandError`'s)."""

    def __init__(
        self, case_id: UUID, message: str, times: Mapping[str, datetime] | None = None
    ) -> None:
        self.times = dict(times or {})
        self.template = message
        self.case_id = case_id
        self.message = _with_times(message, self.times, None)
        super().__init__(f"case {case_id}: {self.message}")

    def in_zone(self, zone: tzinfo) -> str:
        return f"case {self.case_id}: {_with_times(self.template, self.times, zone)}"


class WrongStateError(LifecycleError):
    def __init__(self, case_id: UUID, command: str, status: str) -> None:
        super().__init__(case_id, f"cannot {command} a case that is {status}")
        self.command = command
        self.status = status


class CaseResolvedError(WrongStateError):
    def __init__(self, case_id: UUID, command: str) -> None:
        super().__init__(case_id, command, "resolved")


class ClosedCaseCorrectionError(LifecycleError):
    """A resolved case's registration corrected by other than a supervisor, or its summary or
    claimed amount corrected at all."""


class TimeOrderError(LifecycleError):
    """A business time earlier than the case's history allows."""

    def __init__(self, case_id: UUID, field: str, earliest: datetime) -> None:
        super().__init__(
            case_id, f"{field} must not be earlier than {{earliest}}", {"earliest": earliest}
        )
        self.field = field


class SecondExtensionError(LifecycleError):
    def __init__(self, case_id: UUID) -> None:
        super().__init__(case_id, "the deadline has been extended once already")


class DeadlineFixedError(LifecycleError):
    """A re-routing that names another deadline: only the extension (延期) moves it."""

    def __init__(self, case_id: UUID, due_at: datetime) -> None:
        super().__init__(
            case_id,
            "the deadline {due_at} was set at the first routing; only an extension with the "
            "parties' consent moves it",
            {"due_at": due_at},
        )


class ExtensionTooLongError(LifecycleError):
    def __init__(self, case_id: UUID, latest: datetime) -> None:
        super().__init__(
            case_id,
            "new_due_at may be at most 30 days past the original deadline: {latest}",
            {"latest": latest},
        )


class NoAgreementError(LifecycleError):
    def __init__(self, case_id: UUID, command: str) -> None:
        super().__init__(case_id, f"cannot {command}: the case did not end in an agreement")


class OralAgreementError(LifecycleError):
    def __init__(self, case_id: UUID) -> None:
        super().__init__(case_id, "judicial confirmation needs a written agreement")


class NoWrittenAgreementError(LifecycleError):
    """Only a case resolved with a written agreement has an agreement to print (Law Art. 28)."""

    def __init__(self, case_id: UUID, why: str) -> None:
        super().__init__(case_id, f"no written agreement to print: {why}")


class JudicialConfirmationTooLateError(LifecycleError):
    def __init__(self, case_id: UUID) -> None:
        super().__init__(case_id, "judicial confirmation must be applied for within 30 days")


class DocumentWithdrawnError(LifecycleError):
    def __init__(self, case_id: UUID, document_id: UUID) -> None:
        super().__init__(case_id, f"document {document_id} is withdrawn already")
        self.document_id = document_id


class JudicialConfirmationStateError(LifecycleError):
    """A ruling without an application, a second application, or a second ruling."""


class NotAllowedError(DomainError):
    """The actor may not do this (403)."""

    def __init__(self, login: str, message: str) -> None:
        super().__init__(f"{login}: {message}")
        self.login = login
        self.message = message


class NotAssignedMediatorError(NotAllowedError):
    def __init__(self, case_id: UUID, login: str) -> None:
        super().__init__(login, f"is not the mediator assigned to case {case_id}")
        self.case_id = case_id


class RoleNotAllowedError(NotAllowedError):
    def __init__(self, login: str, role: Role, command: str) -> None:
        super().__init__(login, f"{role.a} may not {command}")


class TokenInvalidError(DomainError):
    """No active user holds this token (401)."""

    def __init__(self) -> None:
        super().__init__("unknown or revoked token")
