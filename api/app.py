"""The FastAPI app: `create_app()` is also a uvicorn factory (`api.app:create_app`).

Nothing connects at import: the application is built in `lifespan` from settings read from
the environment in each worker process, kept on `app.state`, and closed at shutdown. If the
database does not answer at start, the server starts anyway and builds it once it does
(api/startup.py); until then every route that needs it answers 503.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from starlette.concurrency import run_in_threadpool

from api import openapi, problems
from api.metrics import Metrics
from api.middleware import RequestMiddleware
from api.parent import watch_master
from api.query import known_query
from api.ratelimit import FailedAuthLimiter
from api.routes import ROUTERS
from api.startup import Startup
from infrastructure.logging import configure_logging
from infrastructure.settings import Settings
from projections.metrics import ViewsCollector

DESCRIPTION = """\
Tongjie (通解): dispute mediation cases from intake to resolution, event-sourced.

Every request but `/healthz`, `/readyz`, `/metrics` and the docs carries
`Authorization: Bearer <token>`. Writes answer with `ETag` and `X-Position`; `If-Match`
makes them conditional, `Idempotency-Key` makes a retry safe. Errors are
`application/problem+json` (RFC 9457).
"""


GC_THRESHOLDS = (10_000, 10, 10)
"""A server's heap is mostly long-lived (the application, the cases commands keep), and a
request allocates thousands of objects that die young. With Python's default (700, 10, 10)
the cycle collector ran about 40 times a second under the command benchmark and scanned the
whole heap every three seconds or so, stopping every thread for up to 0.3 s (the p99 latency);
with a young generation of 10,000 it runs less than once a second, and a 20 s run had no full
scan (docs/benchmarks.md, "Commands")."""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_logging(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        gc.set_threshold(*GC_THRESHOLDS)
        orphaned = watch_master()  # a worker of `serve --workers N` ends with its master
        startup = Startup(app, settings)
        await run_in_threadpool(startup.start)  # a database that does not answer: 503s
        try:
            yield
        finally:
            await run_in_threadpool(startup.close)
            if orphaned is not None:
                orphaned.set()

    app = FastAPI(
        title="Tongjie (通解) API",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
        dependencies=[Depends(known_query)],
        docs_url=None,  # served from installed files by api/apidocs, not from a CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.metrics = Metrics()
    app.state.metrics.registry.register(ViewsCollector(lambda: getattr(app.state, "views", None)))
    app.state.limiter = FailedAuthLimiter()
    problems.install(app)
    for router in ROUTERS:
        app.include_router(router)
    openapi.install(app, ROUTERS)
    app.add_middleware(RequestMiddleware, metrics=app.state.metrics)
    return app
