"""Operations: is the process up, can it reach the database, and its metrics."""

from __future__ import annotations

import anyio
import anyio.to_thread
from fastapi import APIRouter, Request
from starlette.responses import Response

from api.deps import MetricsDep, SettingsDep, TongjieDep
from api.encoding import dumps
from api.metrics import CONTENT_TYPE
from api.problems import DATABASE_DOWN, unavailable
from api.schemas.health import Health, Readiness
from application.tongjie import Tongjie

router = APIRouter(tags=["operations"])

READY_WITHIN = 0.5


@router.get("/healthz", response_model=Health, summary="The process is up")
def healthz(settings: SettingsDep) -> Response:
    """Anyone may call it, without a token. `instance` names this server (the same in all its
    workers, new at each start): `tongjie serve` prints it once ready, so a script can tell its
    own server from another one answering on the port."""
    body = {"status": "ok", "instance": settings.instance}
    return Response(dumps(body), media_type="application/json")


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={503: {"description": "the database cannot be reached"}},
    summary="The database is reachable",
)
async def readyz(request: Request, tongjie: TongjieDep) -> Response:
    """Anyone may call it. 200 when the database answers; 503 (with Retry-After) at once
    while the process's watch finds the database away, and within `READY_WITHIN` s whatever
    the database does (a load balancer's probe must not hang on a database that accepts
    connections and never answers)."""
    if request.app.state.database_down():
        return unavailable("the database cannot be reached")
    with anyio.move_on_after(READY_WITHIN) as waited:
        try:
            await anyio.to_thread.run_sync(
                tongjie.store.recorder.max_notification_id, abandon_on_cancel=True
            )
        except DATABASE_DOWN:
            return unavailable("the database cannot be reached")
    if waited.cancelled_caught:
        return unavailable(f"the database did not answer within {READY_WITHIN} s")
    return Response(
        dumps({"status": "ready", "database": "reachable"}), media_type="application/json"
    )


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE.split(";")[0]: {"schema": {"type": "string"}}}}},
    summary="Prometheus metrics of this process",
)
def metrics(request: Request, metrics: MetricsDep) -> Response:
    """Prometheus text: request counts and latencies by route and status, events appended by
    type, each view's position and lag. Scraped without a token: keep it on a private network."""
    tongjie: Tongjie | None = getattr(request.app.state, "tongjie", None)

    def position() -> int | None:
        if tongjie is None:
            return None
        try:
            found = tongjie.store.recorder.max_notification_id()
        except DATABASE_DOWN:
            return None
        return int(found) if found is not None else 0

    return Response(metrics.render(position), media_type=CONTENT_TYPE)
