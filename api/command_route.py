"""The route of a command on a case, answered without FastAPI's general per-request machinery.

A command's route is an `APIRoute` like any other: FastAPI reads its signature (the path's
`case_id`, the body's model, the `CaseWrite` dependency) and documents it, so the OpenAPI
document is its own. Only the handler differs: FastAPI's resolves every dependency and
parameter through a general solver (a cache, scopes, a sub-response, generators) on every
request, about a tenth of the event loop's time per command (docs/benchmarks.md, issue 22).
This one does what that solver does for this route's shape, in its order, with FastAPI's own
functions for the parts that decide an answer:

1. the body read and parsed as JSON as FastAPI does; a body that is empty, not declared
   JSON or not JSON is left to FastAPI's own handler, which words each of those;
2. the dependencies, in their order (the app's `known_query`, then the route's `CaseWrite`),
   each an `async def` of the request alone, so their errors (401, 403, 429, 422) are raised
   as before;
3. the path's and the body's errors collected together by `request_params_to_args` and
   `request_body_to_args`, one `RequestValidationError` (api/problems.py maps it);
4. the endpoint run in the thread pool, its `Response` answered as it is.

A route of any other shape, or an app with dependency overrides, keeps FastAPI's own handler.
The contract tests hold every answer of these routes byte for byte (tests/e2e/api).
"""

from __future__ import annotations

import email.message
import inspect
import json
from collections.abc import Callable, Coroutine
from typing import Any, cast

from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import request_body_to_args, request_params_to_args
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

try:  # recent FastAPI builds an included route's handler within its inclusion's context
    from fastapi.routing import _effective_route_context_var
except ImportError:  # pragma: no cover - older FastAPI copies the route itself on inclusion
    _effective_route_context_var = None  # type: ignore[assignment]

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class CaseCommandAPIRoute(APIRoute):
    """An `APIRoute` whose handler is `lean_handler` when its shape allows."""

    def get_route_handler(self) -> Handler:
        general = super().get_route_handler()
        context = _effective_route_context_var.get() if _effective_route_context_var else None
        # as APIRoute's: within an inclusion, its dependencies (the app's) are the context's
        route = context if context is not None and context.original_route is self else self
        dependant: Dependant = route.dependant
        if not _lean_shape(dependant):
            return general
        embed = bool(getattr(route, "_embed_body_fields", False))
        return lean_handler(dependant, general, route.dependency_overrides_provider, embed)


def _lean_shape(dependant: Dependant) -> bool:
    """Path parameters, one body, dependencies of the request alone; a plain `def` endpoint."""
    plain_dependencies = all(
        d.request_param_name is not None
        and not (d.path_params or d.query_params or d.header_params or d.cookie_params)
        and not (d.body_params or d.dependencies)
        and d.response_param_name is None
        and d.background_tasks_param_name is None
        and d.security_scopes_param_name is None
        and d.call is not None
        and inspect.iscoroutinefunction(d.call)
        for d in dependant.dependencies
    )
    return (
        plain_dependencies
        and len(dependant.body_params) == 1
        and not (dependant.query_params or dependant.header_params or dependant.cookie_params)
        and dependant.request_param_name is None
        and dependant.response_param_name is None
        and dependant.background_tasks_param_name is None
        and dependant.call is not None
        and not inspect.iscoroutinefunction(dependant.call)
        and not inspect.iscoroutinefunction(type(dependant.call).__call__)
    )


def lean_handler(
    dependant: Dependant, general: Handler, overrides: Any, embed_body_fields: bool
) -> Handler:
    endpoint = cast(Callable[..., Response], dependant.call)
    dependencies = [(d.name, cast(Callable[..., Any], d.call)) for d in dependant.dependencies]
    request_names = [cast(str, d.request_param_name) for d in dependant.dependencies]

    async def handle(request: Request) -> Response:
        body = await _json_body(request)
        if body is _NOT_PLAIN or getattr(overrides, "dependency_overrides", None):
            return await general(request)
        values: dict[str, Any] = {}
        for (name, call), request_name in zip(dependencies, request_names, strict=True):
            solved = await call(**{request_name: request})
            if name is not None:
                values[name] = solved
        path_values, errors = request_params_to_args(dependant.path_params, request.path_params)
        body_values, body_errors = await request_body_to_args(
            dependant.body_params, body, embed_body_fields
        )
        errors += body_errors
        if errors:
            raise RequestValidationError(errors, body=body)
        return await run_in_threadpool(endpoint, **values, **path_values, **body_values)

    return handle


_JSON_TYPES: dict[str, bool] = {}


async def _json_body(request: Request) -> Any:
    """The body parsed as FastAPI's handler parses it, or `_NOT_PLAIN` when it is empty, not
    declared JSON or not readable as JSON: then FastAPI's own handler answers."""
    try:
        raw = await request.body()
    except Exception:  # the client went away: FastAPI's handler words it (a 400)
        return _NOT_PLAIN
    content_type = request.headers.get("content-type")
    if not raw or not content_type:
        return _NOT_PLAIN
    declared_json = _JSON_TYPES.get(content_type)
    if declared_json is None:
        message = email.message.Message()
        message["content-type"] = content_type
        subtype = message.get_content_subtype()
        declared_json = message.get_content_maintype() == "application" and (
            subtype == "json" or subtype.endswith("+json")
        )
        if len(_JSON_TYPES) < 100:
            _JSON_TYPES[content_type] = declared_json
    if not declared_json:
        return _NOT_PLAIN
    try:
        return json.loads(raw)
    except Exception:  # FastAPI's handler words each kind of failure
        return _NOT_PLAIN


_NOT_PLAIN = object()
