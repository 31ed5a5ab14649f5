"""A query parameter that no path of the API takes is refused (422, naming it), never ignored.

Without this, `GET /api/v1/cases?party=王小明` or a typo (`?categroy=family`) answered every case,
as if the filter had matched them all.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from api.problems import InvalidFieldsError

_TAKEN: dict[int, frozenset[str]] = {}
"""By route (its id: the app's routes live as long as the process)."""


def _names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for dependency in dependant.dependencies:
        names |= _names(dependency)
    return names


def taken(route: APIRoute) -> frozenset[str]:
    """The query parameters the route declares, by the names a client sends."""
    found = _TAKEN.get(id(route))
    if found is None:
        found = _TAKEN[id(route)] = frozenset(_names(route.dependant))
    return found


async def known_query(request: Request) -> None:
    """Every route of the API depends on it (api/app.py): pages and assets take what they like."""
    if not request.query_params or not request.url.path.startswith("/api/"):
        return
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    names = taken(route)
    for name in request.query_params:
        if name not in names:
            offered = ", ".join(sorted(names)) if names else "no query parameter"
            raise InvalidFieldsError(name, f"unknown query parameter; this path takes {offered}")
