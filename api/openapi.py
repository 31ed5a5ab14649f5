"""The OpenAPI document (`/openapi.json`, `/docs`) as an integrator reads it.

Every operation says who may call it (read from the role guard the route depends on, so it
cannot drift from what the route checks), the case's states a command needs, and what each
answer means for that operation: a 403, a 404 and a 409 say what they say there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from api.deps import current_actor
from domain.values import Role

SIGNED_IN = "with `Authorization: Bearer <token>`"
CASE_PATH = re.compile(r"^/api/v1/cases/\{case_id\}")


@dataclass(frozen=True)
class Rules:
    """What a case command needs of the case, in words (states) and when it answers 409."""

    states: str
    conflict: str


def rules_of(route: APIRoute) -> Rules | None:
    """A case command's rules, set on its endpoint by `api.writes.CaseCommandRoute`."""
    found: Rules | None = getattr(route.endpoint, "rules", None)
    return found


def _roles(dependant: Dependant) -> tuple[Role, ...] | None:
    """The roles the route's guard lets through; () for any signed-in user; None: public."""
    for dependency in dependant.dependencies:
        allowed = getattr(dependency.call, "roles", None)
        if allowed is not None:
            return tuple(allowed)
        if dependency.call is current_actor:
            return ()
        found = _roles(dependency)
        if found is not None:
            return found
    return None


def _names(roles: tuple[Role, ...]) -> str:
    names = [role.a for role in roles]
    return ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]


def _who(roles: tuple[Role, ...] | None, on_a_case: bool) -> str:
    if roles is None:
        return "anyone, without a token"
    if not roles:
        return f"any user, whatever their role, {SIGNED_IN}"
    if on_a_case and roles == (Role.MEDIATOR,):
        return f"the mediator the case is routed to, {SIGNED_IN}"
    who = _names(roles)
    if on_a_case and Role.MEDIATOR in roles:
        who += " (a mediator: only a case routed to them, or received by them and not yet routed)"
    return f"{who}, {SIGNED_IN}"


def _refused(roles: tuple[Role, ...] | None, on_a_case: bool) -> str:
    if not roles:
        return "forbidden"
    text = f"the caller's role may not: only {_names(roles)} may"
    if on_a_case and Role.MEDIATOR in roles:
        text += "; or the caller is a mediator the case is not routed to"
    return text


_CONFLICTS = {
    ("POST", "/api/v1/cases"): "an Idempotency-Key reused with another body",
    ("POST", "/api/v1/organisations"): "an organisation with this code exists already",
    ("POST", "/api/v1/mediators"): "a mediator with this code exists already",
    ("POST", "/api/v1/users"): "a user with this login exists already, or an Idempotency-Key "
    "reused (a token is never replayed)",
}
"""What a 409 means where no case's state is involved."""


def _missing(path: str) -> str | None:
    for name, what in (
        ("{case_id}", "no case with this id"),
        ("{login}", "no user with this login"),
        ("{code}", "no mediator with this code"),
        ("{month}", "no report of this month"),
    ):
        if name in path:
            return what
    return None


def _document(route: APIRoute, method: str, operation: dict[str, Any]) -> None:
    on_a_case = bool(CASE_PATH.match(route.path))
    roles = _roles(route.dependant)
    rules = rules_of(route)
    lines = [operation.get("description", "").strip()]
    lines.append(f"**Who may call it:** {_who(roles, on_a_case)}.")
    if rules is not None:
        lines.append(f"**In which states:** {rules.states}.")
    elif on_a_case and method == "GET":
        lines.append("**In which states:** any: a read never changes the case.")
    elif on_a_case:
        lines.append("**In which states:** any, resolved included.")
    operation["description"] = "\n\n".join(line for line in lines if line)
    answers: dict[str, Any] = operation.get("responses", {})
    specific = {
        "403": _refused(roles, on_a_case),
        "404": _missing(route.path),
        "409": (
            f"{rules.conflict}; or an Idempotency-Key reused with another body"
            if rules is not None
            else _CONFLICTS.get((method, route.path))
        ),
    }
    for status, text in specific.items():
        if status in answers and text is not None:
            answers[status]["description"] = text


def install(app: FastAPI, routers: Iterable[APIRouter]) -> None:
    """Make the app's OpenAPI document the documented one (built once, on first request).

    `routers`: the ones the app includes (without a prefix of their own), whose routes are the
    operations of the document.
    """
    build = app.openapi
    routes = [route for router in routers for route in router.routes]

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = build()  # FastAPI's own, which it keeps: documented here, in place
            for route in routes:
                if isinstance(route, APIRoute) and route.include_in_schema:
                    for method in route.methods or ():
                        found = document["paths"].get(route.path_format, {}).get(method.lower())
                        if found is not None:
                            _document(route, method, found)
        return app.openapi_schema or build()

    documented: Callable[[], dict[str, Any]] = openapi
    app.openapi = documented  # type: ignore[method-assign]
