"""The routers the app includes, in order. Add yours here with one line.

Reserved for other routers (not served here): the views (`GET /api/v1/cases`, `/stats/...`,
`/projections`, `/events/stream`), the audit of the whole store (`/audit/...`), and the reads
`GET /api/v1/cases/{id}/verify` and `GET /api/v1/cases/{id}/file`.
"""

from __future__ import annotations

from fastapi import APIRouter

from api.apidocs import router as docs_router
from api.dashboard import router as dashboard_router
from api.routes import (
    archive,
    attention,
    audit,
    case_access,
    case_file,
    case_reads,
    case_writes,
    directory,
    display,
    documents,
    health,
    hotspots,
    mediators,
    reference,
    reports,
    routing,
    stats,
    users,
    views,
)
from api.workbench import router as workbench_router

ROUTERS: list[APIRouter] = [
    health.router,
    case_writes.router,
    documents.router,
    views.router,
    attention.router,
    hotspots.router,
    stats.router,
    reports.router,
    display.router,
    case_reads.router,
    reference.router,
    routing.router,
    mediators.router,
    users.router,
    audit.router,
    case_file.router,
    archive.router,
    case_access.router,
    dashboard_router,
    directory.router,
    workbench_router,
    docs_router,
]
