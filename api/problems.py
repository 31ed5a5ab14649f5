"""Every error, mapped once to its status and an RFC 9457 problem document.

Routes raise the domain's and application's errors and never catch them; this module is the
one place that says what each kind means over HTTP.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import tzinfo
from typing import Any

import psycopg
import structlog
from eventsourcing import persistence
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from api.encoding import dumps
from api.schemas.common import Problem
from api.wording import NEEDS_OFFSET, plain, unreadable_time
from application.errors import (
    BusyError,
    DocumentsUnavailableError,
    DocumentTamperedError,
    RulesMovedOnError,
    UnreadableEventError,
    VersionMismatchError,
)
from application.ports import CommitOutcomeUnknownError
from application.read_log import ReadNotRecordedError
from domain.errors import (
    DomainError,
    DuplicateCodeError,
    IneligibleMediatorError,
    InvalidCommandError,
    LifecycleError,
    NotAllowedError,
    NotFoundError,
    ReportIssuedError,
    TokenInvalidError,
)

PROBLEM_TYPES = "https://tongjie.invalid/problems/"
RETRY_AFTER_SECONDS = 1

log = structlog.get_logger("tongjie.api")


class ApiError(Exception):
    """An error of the HTTP layer itself (a reused key, a body too large, a flood of guesses)."""

    status = 400
    slug = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}


class IdempotencyKeyReusedError(ApiError):
    status, slug, title = 409, "idempotency-key-reused", "Idempotency-Key reused"


class TooManyFailuresError(ApiError):
    status, slug, title = 429, "too-many-failed-authentications", "Too many failures"


class StoreNotConnectedError(ApiError):
    """The server started while its database could not be reached and has not reached it yet."""

    status, slug, title = 503, "unavailable", "Service unavailable"

    def __init__(self) -> None:
        super().__init__(
            "the database cannot be reached: try again shortly",
            {"Retry-After": str(RETRY_AFTER_SECONDS)},
        )


class BodyTooLargeError(ApiError):
    """A body over its path's limit: 64 KiB, or a document's upload over 20 MiB."""

    status, slug, title = 413, "body-too-large", "The body is too large"

    def __init__(self, what: str) -> None:
        super().__init__(f"{what}: nothing was stored")


class NotAuthenticatedError(ApiError):
    status, slug, title = 401, "not-authenticated", "Not authenticated"


class ForbiddenError(ApiError):
    status, slug, title = 403, "forbidden", "Forbidden"


class PreconditionRequiredError(ApiError):
    """A write that replaces a whole list sent without `If-Match` (it could undo another's)."""

    status, slug, title = 428, "precondition-required", "If-Match required"


class InvalidFieldsError(ApiError):
    """A 422 raised by the API itself, naming the field."""

    status, slug, title = 422, "invalid-request", "Invalid request"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def problem(
    status: int,
    slug: str,
    title: str,
    detail: str,
    *,
    errors: Sequence[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPES + slug,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = list(errors)
    body |= extra or {}
    return Response(
        dumps(body), status_code=status, headers=headers, media_type="application/problem+json"
    )


def invalid(errors: Sequence[dict[str, str]]) -> Response:
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(422, "invalid-request", "Invalid request", detail, errors=errors)


def unavailable(detail: str) -> Response:
    return problem(
        503,
        "unavailable",
        "Service unavailable",
        detail,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


# -- the domain's and application's errors ----------------------------------------------------

# The first class an error is an instance of decides; subclasses come before their bases.
_DOMAIN: list[tuple[type[Exception], int, str, str]] = [
    (TokenInvalidError, 401, "not-authenticated", "Not authenticated"),
    (NotFoundError, 404, "not-found", "Not found"),
    (NotAllowedError, 403, "forbidden", "Forbidden"),
    (LifecycleError, 409, "lifecycle", "The case's state forbids this"),
    (DuplicateCodeError, 409, "duplicate", "Exists already"),
    (ReportIssuedError, 409, "report-issued", "The month's report is issued already"),
    (RulesMovedOnError, 412, "version-mismatch", "The routing rules have moved on"),
    (VersionMismatchError, 412, "version-mismatch", "The case has moved on"),
]


def _ineligible(error: IneligibleMediatorError, zone: tzinfo) -> Response:
    """A 422 like any invalid field, with the reason's code, and whether an override may
    set it aside, for a client to offer one (domain/eligibility.py)."""
    message = error.message_in(zone)
    code = error.reason.value
    return problem(
        422,
        "mediator-ineligible",
        "The mediator cannot take this case",
        f"{error.field}: {message}",
        errors=[{"field": error.field, "message": message, "reason": code}],
        extra={"reason": code, "overridable": error.overridable},
    )


def _domain_error(request: Request, error: Exception) -> Response:
    zone = request.app.state.settings.zone  # times in messages, as in answers: the bureau's
    if isinstance(error, IneligibleMediatorError):
        return _ineligible(error, zone)
    if isinstance(error, InvalidCommandError):
        return invalid([{"field": error.field, "message": error.message_in(zone)}])
    if isinstance(error, BusyError):
        return unavailable(str(error))
    detail = error.in_zone(zone) if isinstance(error, DomainError) else str(error)
    for kind, status, slug, title in _DOMAIN:
        if isinstance(error, kind):
            headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
            return problem(status, slug, title, detail, headers=headers)
    return problem(400, "bad-request", "Bad request", detail)


# -- a caller not read from the store for this request -------------------------------------

CONFIRM_CALLER_KEY = "tongjie.confirm_caller"
"""Set by a write judged on the caller as this process last read them (api/writes.py): the
store stores it only if they are still so; any other answer authenticates them first."""


def _confirmed(request: Request) -> Response | None:
    """None once the caller is confirmed; else the answer they get instead (401, 429, 403)."""
    confirm = request.scope.pop(CONFIRM_CALLER_KEY, None)
    if confirm is None:
        return None
    try:
        confirm()
    except ApiError as error:
        return _api_error(request, error)
    except DATABASE_DOWN as error:
        return _database_down(request, error)
    return None


def _api_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, ApiError)
    unconfirmed = _confirmed(request)
    if unconfirmed is not None:
        return unconfirmed
    if isinstance(error, InvalidFieldsError):
        return invalid([{"field": error.field, "message": error.message}])
    return problem(error.status, error.slug, error.title, error.detail, headers=error.headers)


def _unreadable_event(request: Request, error: Exception) -> Response:
    """A damaged store: a problem document naming the event, and the audit that explains it."""
    assert isinstance(error, UnreadableEventError)
    log.error(
        "stored_event_unreadable",
        aggregate_id=str(error.aggregate_id),
        version=error.version,
        reason=error.reason,
    )
    case_path = f"/api/v1/cases/{error.aggregate_id}"
    verify = (
        f"{case_path}/verify" if request.url.path.startswith(case_path) else "/api/v1/audit/verify"
    )
    body = {
        "type": PROBLEM_TYPES + "stored-event-unreadable",
        "title": "A stored event cannot be read",
        "status": 500,
        "detail": (
            f"event {error.version} of {error.aggregate_id} cannot be decoded "
            f"({error.reason}): the store is damaged or was changed outside Tongjie; "
            f"{verify} (or `tongjie audit verify`) names every changed event"
        ),
        "aggregate_id": str(error.aggregate_id),
        "version": error.version,
        "verify": verify,
    }
    return Response(dumps(body), status_code=500, media_type="application/problem+json")


def _document_tampered(request: Request, error: Exception) -> Response:
    """A document whose bytes are gone or changed: named, never served."""
    assert isinstance(error, DocumentTamperedError)
    log.error(
        "document_tampered",
        case_id=str(error.case_id),
        version=error.version,
        document_id=str(error.document_id),
        reason=error.reason.value,
    )
    body = {
        "type": PROBLEM_TYPES + "document-tampered",
        "title": "A document's stored bytes fail their check",
        "status": 500,
        "detail": (
            f"document {error.document_id} of case {error.case_id} (attached at version "
            f"{error.version}): {error.detail}; it is not served. The bytes were changed or "
            "removed outside Tongjie: `tongjie audit verify` names every such document"
        ),
        "case_id": str(error.case_id),
        "version": error.version,
        "document_id": str(error.document_id),
        "reason": error.reason.value,
    }
    return Response(dumps(body), status_code=500, media_type="application/problem+json")


def _documents_unavailable(request: Request, error: Exception) -> Response:
    return unavailable(str(error))


# -- the request's shape ---------------------------------------------------------------------


def field_path(loc: Sequence[int | str]) -> str:
    """`("body", "parties", 0, "phone")` -> `parties.0.phone`; a header keeps its name."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    # pydantic names the member of a union it tried (`function-after[...]`, `str`): drop those.
    kept = [str(p) for p in parts if not (isinstance(p, str) and ("[" in p or p in _TYPE_TAGS))]
    return ".".join(kept) or "body"


_TYPE_TAGS = {"str", "int", "float", "decimal", "bool", "datetime", "none", "enum"}


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "timezone_aware":
        return NEEDS_OFFSET
    if kind in ("datetime_from_date_parsing", "datetime_parsing", "datetime_type"):
        given = error.get("input")
        return unreadable_time(given) if isinstance(given, str) else NEEDS_OFFSET
    if kind == "enum":
        expected = error.get("ctx", {}).get("expected", "")
        return f"unknown value; expected one of {expected}"
    return plain(str(error.get("msg", "invalid")))


def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    unconfirmed = _confirmed(request)
    if unconfirmed is not None:
        return unconfirmed
    raw = list(error.errors())
    if any(e.get("type") == "json_invalid" for e in raw):
        return problem(400, "body-not-json", "The body is not JSON", "the body is not valid JSON")
    seen: dict[str, str] = {}
    for e in raw:
        seen.setdefault(field_path(e.get("loc", ())), _message(e))
    return invalid([{"field": field, "message": message} for field, message in seen.items()])


def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    slug = {404: "not-found", 405: "method-not-allowed"}.get(error.status_code, "http-error")
    return problem(
        error.status_code,
        slug,
        str(error.detail),
        str(error.detail),
        headers=dict(error.headers or {}),
    )


# -- the database ------------------------------------------------------------------------------

DATABASE_DOWN: tuple[type[Exception], ...] = (
    persistence.OperationalError,
    persistence.InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    sqlite3.OperationalError,
)
try:  # the pool's timeout when no connection can be had
    from psycopg_pool import PoolTimeout

    DATABASE_DOWN = (*DATABASE_DOWN, PoolTimeout)
except ImportError:  # pragma: no cover - psycopg[pool] is a dependency
    pass


def _database_down(request: Request, error: Exception) -> Response:
    log.warning("database_unavailable", error=type(error).__name__, detail=str(error)[:200])
    if isinstance(error, CommitOutcomeUnknownError):
        return unavailable(
            "the connection to the database was lost while the write was committed: it may "
            "have been stored. Send it again with the same Idempotency-Key (the first answer "
            "comes back if it was stored), or read the case before sending it again"
        )
    return unavailable("the database cannot be reached: try again shortly")


def _read_not_recorded(request: Request, error: Exception) -> Response:
    log.warning("read_not_logged", detail=str(error)[:200])
    return unavailable("the read could not be recorded in the access log: try again shortly")


def _unexpected(request: Request, error: Exception) -> Response:
    if isinstance(error, DATABASE_DOWN):
        return _database_down(request, error)
    log.error("unhandled_error", error=type(error).__name__, exc_info=error)
    return problem(500, "internal-error", "Internal error", "an unexpected error: it is logged")


def install(app: FastAPI) -> None:
    """Register the mapping on the app: the only place errors become answers."""
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(VersionMismatchError, _domain_error)
    app.add_exception_handler(BusyError, _domain_error)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(UnreadableEventError, _unreadable_event)
    app.add_exception_handler(DocumentTamperedError, _document_tampered)
    app.add_exception_handler(DocumentsUnavailableError, _documents_unavailable)
    app.add_exception_handler(ReadNotRecordedError, _read_not_recorded)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    for kind in DATABASE_DOWN:
        app.add_exception_handler(kind, _database_down)
    app.add_exception_handler(Exception, _unexpected)


_DESCRIPTIONS = {
    400: "the body is not JSON",
    401: "missing or unknown token",
    403: "this role or user may not do this",
    404: "no such case, organisation, mediator or user",
    409: "the case's state or history forbids this (a month's report: issued already), or an "
    "Idempotency-Key reused",
    412: "If-Match names a version the case (or the list) has moved on from",
    428: "If-Match is required: the version this write replaces",
    413: "the body is over 64 KiB (a document's upload: over 20 MiB); nothing was stored",
    422: "invalid request: `errors` names each field",
    500: "a document's stored bytes fail their check (`document-tampered`): never served",
    429: "too many failed authentications from this address; see Retry-After",
    503: "the database cannot be reached; see Retry-After",
}
_PROBLEM_SCHEMA = {"schema": {"$ref": "#/components/schemas/Problem"}}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The problem answers a route documents, besides the ones every route has."""
    every = (401, 403, 422, 429, 503)
    return {
        status: {
            "model": Problem,
            "description": _DESCRIPTIONS[status],
            "content": {"application/problem+json": _PROBLEM_SCHEMA},
        }
        for status in sorted({*every, *statuses})
    }
