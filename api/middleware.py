"""One pure ASGI middleware around every request: its id, the body limit, the log line, metrics.

Pure ASGI (not BaseHTTPMiddleware) so it adds little to each request. The log line names the
request id, the actor, the case id, the status and the duration; never a body, so never a
party's name, phone or id number.

Bodies are at most 64 KiB, read whole here; the one exception is a document's upload
(`POST /api/v1/cases/{id}/documents`), up to 20 MiB and never read whole here: a declared
length over its limit is refused at once, and otherwise the body streams to the route,
counted as it comes, and the first byte over the limit ends it with the same 413.
"""

from __future__ import annotations

import random
import re
import time
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.deps import ACTOR_SCOPE_KEY
from api.metrics import Metrics
from api.problems import BodyTooLargeError, problem
from domain.documents import MAX_DOCUMENT_BYTES

MAX_BODY_BYTES = 64 * 1024
MAX_UPLOAD_BYTES = MAX_DOCUMENT_BYTES + MAX_BODY_BYTES
"""A document's upload: the file, and room for its form fields and multipart headers."""
UPLOAD_TOO_LARGE = f"the document is over {MAX_DOCUMENT_BYTES // 2**20} MiB"
_UPLOAD_PATH = re.compile(r"^/api/v1/cases/[^/]+/documents/?$")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

log = structlog.get_logger("tongjie.api")


class RequestMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics, max_body: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = _request_id(scope)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            if _is_upload(scope):
                body_receive = _counted_body(scope, receive, MAX_UPLOAD_BYTES)
            else:
                body_receive = await self._limited_body(scope, receive)
            if body_receive is None:
                too_much = (
                    UPLOAD_TOO_LARGE
                    if _is_upload(scope)
                    else f"the body is over {self.max_body // 1024} KiB"
                )
                error = BodyTooLargeError(too_much)
                too_large = problem(413, error.slug, error.title, error.detail)
                await too_large(scope, receive, send_with_id)
            else:
                await self.app(scope, body_receive, send_with_id)
        finally:
            self._finish(scope, status, time.perf_counter() - started)

    async def _limited_body(self, scope: Scope, receive: Receive) -> Receive | None:
        """The body read whole (it is small), or None when it is over the limit."""
        length = _header(scope, b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            return None if length.isdigit() else receive
        if scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return receive
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return _replay(b"", receive, message)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return None
            chunks.append(chunk)
            more = message.get("more_body", False)
        return _replay(b"".join(chunks), receive)

    def _finish(self, scope: Scope, status: int, seconds: float) -> None:
        route = scope.get("route")
        template = getattr(route, "path", None) or "unmatched"
        self.metrics.observe(scope["method"], template, status, seconds)
        path_params: dict[str, Any] = scope.get("path_params") or {}
        case_id = path_params.get("case_id")
        log.info(
            "request",
            method=scope["method"],
            route=template,
            status=status,
            duration_ms=round(seconds * 1000, 2),
            actor=scope.get(ACTOR_SCOPE_KEY),
            case_id=str(case_id) if case_id is not None else None,
            client=(scope.get("client") or ("?",))[0],
        )
        structlog.contextvars.clear_contextvars()


def _is_upload(scope: Scope) -> bool:
    return scope["method"] == "POST" and _UPLOAD_PATH.match(scope["path"]) is not None


def _counted_body(scope: Scope, receive: Receive, limit: int) -> Receive | None:
    """The body as it streams in, counted: None when its declared length is over `limit`;
    BodyTooLargeError (a 413, as the problems map it) from the chunk that crosses it."""
    length = _header(scope, b"content-length")
    if length is not None and length.isdigit() and int(length) > limit:
        return None
    size = 0

    async def counted() -> Message:
        nonlocal size
        message = await receive()
        if message["type"] == "http.request":
            size += len(message.get("body", b""))
            if size > limit:
                raise BodyTooLargeError(UPLOAD_TOO_LARGE)
        return message

    return counted


def _replay(body: bytes, original: Receive, first: Message | None = None) -> Receive:
    """Hand the app the body already read; after it, what the client sends (a disconnect)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return first or {"type": "http.request", "body": body, "more_body": False}
        return await original()

    return receive


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1")).strip()
    return None


def _request_id(scope: Scope) -> str:
    given = _header(scope, b"x-request-id")
    if given and _REQUEST_ID.match(given):
        return given
    # 32 hex digits as uuid4().hex wrote them, without its system call on every request (a
    # request's id correlates log lines, it guards nothing; `random` is reseeded in a fork)
    return f"{random.getrandbits(128):032x}"
