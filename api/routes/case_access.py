"""Who read a case's parties (查阅记录): the access log's lines for one case (auditors)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends
from starlette.responses import Response

from api.deps import SettingsDep, TongjieDep, roles
from api.encoding import dumps, jsonable
from api.problems import responses
from api.schemas.reads import CaseReadsOut
from domain.values import Actor, Role

router = APIRouter(tags=["audit"])

Auditor = Annotated[Actor, Depends(roles(Role.AUDITOR))]


@router.get(
    "/api/v1/cases/{case_id}/reads",
    response_model=CaseReadsOut,
    responses=responses(404),
    summary="Who read the case's parties: every read logged, oldest first",
    description="Each read of the case's parties by a user (the case, its history, a replay, "
    "the case file, a party search that found it): who, when and by which path; never what "
    "was read. The log is hash-chained: `GET /api/v1/audit/verify` checks it.",
)
def case_reads(
    case_id: UUID, actor: Auditor, tongjie: TongjieDep, settings: SettingsDep
) -> Response:
    tongjie.reads.current(case_id)  # 404 for a case that does not exist
    lines = tongjie.read_log.of_case(case_id)
    reads = [
        {
            "seq": line.seq,
            "read_at": line.read.read_at,
            "actor_id": line.read.actor_id,
            "login": line.read.login,
            "role": line.read.role,
            "path": line.read.path,
        }
        for line in lines
    ]
    body = {"case_id": case_id, "reads": jsonable(reads, settings.zone)}
    return Response(dumps(body), media_type="application/json")
