"""Operations: is the process up, can it reach the database, and its metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from api.deps import MetricsDep, SettingsDep, TongjieDep
from api.encoding import dumps
from api.metrics import CONTENT_TYPE
from api.problems import DATABASE_DOWN, unavailable
from api.schemas.health import Health, Readiness
from application.tongjie import Tongjie

router = APIRouter(tags=["operations"])


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
def readyz(tongjie: TongjieDep) -> Response:
    """Anyone may call it. 200 when the database answers; 503 (with Retry-After) when it
    does not: a load balancer sends no traffic here until it is 200 again."""
    try:
        tongjie.store.recorder.max_notification_id()
    except DATABASE_DOWN:
        return unavailable("the database cannot be reached")
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
