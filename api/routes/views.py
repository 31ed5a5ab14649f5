"""The views' endpoints: the board, the projections' status, and the stream of their advances.

Views are eventually consistent: each answer carries `X-Position` (the store position the view
has applied); `?min_position=n` waits up to 5 s for the view to reach n, else 504.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from sse_starlette import EventSourceResponse
from starlette.responses import Response

from api.deps import Auditing, SettingsDep, TongjieDep, roles
from api.encoding import dumps, jsonable, poisoned_json
from api.positions import refuse_beyond_head
from api.problems import ApiError, InvalidFieldsError, StoreNotConnectedError, responses
from api.schemas.views import BoardOut, ProjectionsOut, moment
from domain.values import Actor, CaseStatus, Category, Channel, Outcome, RiskLevel, Role
from projections.board import BoardFilter, InvalidCursorError, Reach
from projections.board.page import DEFAULT_LIMIT, MAX_LIMIT
from projections.board.sort import SORTS, decode_cursor
from projections.views import Views

router = APIRouter(prefix="/api/v1", tags=["views"])

MIN_POSITION_WAIT = 5.0
BOARD = "board"
PARTY_SEARCH_PATH = "GET /api/v1/cases?party="
"""How the access log names a party search (never with the value searched)."""


class ViewBehindError(ApiError):
    status, slug, title = 504, "view-behind", "The view has not reached that position"


def get_views(request: Request) -> Views:
    views: Views | None = getattr(request.app.state, "views", None)
    if views is None:
        raise StoreNotConnectedError
    return views


ViewsDep = Annotated[Views, Depends(get_views)]
BoardReader = Annotated[Actor, Depends(roles(Role.MEDIATOR, Role.SUPERVISOR, Role.AUDITOR))]
StatusReader = Annotated[Actor, Depends(roles(Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN))]

MinPosition = Annotated[
    int | None,
    Query(
        ge=0,
        description="wait (at most 5 s) until the view has applied this store position, "
        "e.g. the X-Position of your write; 504 if it has not",
    ),
]
SSE_EVENT = {
    "type": "object",
    "description": 'each event: `event: update`, `data: {"position": n}`',
    "properties": {
        "event": {"type": "string", "enum": ["update"]},
        "data": {"type": "string", "examples": ['{"position": 1234}']},
    },
    "required": ["event", "data"],
}
POSITION_HEADER = {
    "X-Position": {
        "description": "the store position the view has applied",
        "schema": {"type": "integer"},
    }
}


async def board_caught_up(views: ViewsDep, min_position: MinPosition = None) -> None:
    await refuse_beyond_head(views, min_position)
    if min_position is not None and not await views.feed.wait_for(
        min_position, BOARD, MIN_POSITION_WAIT
    ):
        raise ViewBehindError(
            f"the board has not reached position {min_position} within "
            f"{MIN_POSITION_WAIT:.0f} s (it is at {views.feed.position(BOARD)})"
        )


def _cursor(cursor: str | None, sort: str) -> str | None:
    if cursor is not None:
        try:
            decode_cursor(cursor, sort)
        except InvalidCursorError as error:
            raise InvalidFieldsError(
                "cursor", f"not a cursor this board handed out: {error}"
            ) from None
    return cursor


Sort = Literal["-received_at", "received_at", "due_at", "-days_open", "-overdue_days"]
assert Sort.__args__ == SORTS  # type: ignore[attr-defined]


@router.get(
    "/cases",
    response_model=BoardOut,
    responses={
        200: {"headers": POSITION_HEADER},
        **responses(422),
        504: {"description": "view behind"},
    },
    summary="The intake-to-resolution board (受理到结案): one row per case, newest receipt first "
    "unless `sort` says otherwise",
    dependencies=[Depends(board_caught_up)],
)
def board(
    actor: BoardReader,
    views: ViewsDep,
    settings: SettingsDep,
    tongjie: TongjieDep,
    status: CaseStatus | None = None,
    category: Category | None = None,
    street: Annotated[str | None, Query(max_length=100)] = None,
    organisation: Annotated[str | None, Query(max_length=64)] = None,
    mediator: Annotated[str | None, Query(max_length=64)] = None,
    channel: Channel | None = None,
    subcategory: Annotated[str | None, Query(max_length=64, examples=["neighbour"])] = None,
    outcome: Outcome | None = None,
    risk_level: Annotated[
        RiskLevel | None, Query(description="the latest risk level (none for no risk)")
    ] = None,
    open: Annotated[
        bool | None, Query(description="true: not resolved yet; false: resolved")
    ] = None,
    routed: Annotated[
        bool | None,
        Query(description="true: routed to a mediator; false: not (yet, or withdrawn before)"),
    ] = None,
    overdue: Annotated[bool | None, Query(description="open and past due, as of now")] = None,
    due_soon: Annotated[
        bool | None, Query(description="open and due within the next 72 hours, as of now")
    ] = None,
    escalated: Annotated[
        bool | None, Query(description="open and its latest risk level yellow, orange or red")
    ] = None,
    received_from: Annotated[
        str | None, Query(description="a date or a time with offset; inclusive")
    ] = None,
    received_to: Annotated[
        str | None, Query(description="a date or a time with offset; exclusive")
    ] = None,
    resolved_from: Annotated[
        str | None, Query(description="a date or a time with offset; inclusive")
    ] = None,
    resolved_to: Annotated[
        str | None, Query(description="a date or a time with offset; exclusive")
    ] = None,
    number: Annotated[str | None, Query(max_length=32, examples=["2026-000123"])] = None,
    q: Annotated[
        str | None, Query(max_length=100, description="any part of the number or the summary")
    ] = None,
    party: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            description="a party's full name, phone number or ID number, matched exactly after "
            "normalisation (spaces, full-width digits, +86, the check letter's case); each "
            "case found is recorded in the access log as read",
            examples=["138 0000 0000"],
        ),
    ] = None,
    repeat_party: Annotated[
        bool | None,
        Query(description="a party's phone or ID number is in another case within 12 months"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    cursor: Annotated[str | None, Query(max_length=300)] = None,
    sort: Annotated[
        Sort,
        Query(
            description="`-received_at` newest receipt first (the default); `received_at`; "
            "`due_at` soonest deadline first, none last (open cases: most overdue first); "
            "`-days_open` open longest first; `-overdue_days` most overdue first. A cursor "
            "continues the order it was handed out with."
        ),
    ] = "-received_at",
    count: Annotated[
        bool,
        Query(
            description="true: the answer also says how many cases the filters select in all "
            "(`total`), counted in a read of its own"
        ),
    ] = False,
    min_position: MinPosition = None,
) -> Response:
    """A mediator sees the cases routed to them and those they received that are not routed."""
    zone = settings.zone
    filters = BoardFilter(
        number=number,
        status=status,
        category=category.value if category else None,
        street=street,
        organisation=organisation,
        mediator=mediator,
        channel=channel.value if channel else None,
        subcategory=subcategory or None,
        outcome=outcome.value if outcome else None,
        risk_level=risk_level.value if risk_level else None,
        open=open,
        routed=routed,
        overdue=overdue,
        due_soon=due_soon,
        escalated=escalated,
        received_from=moment("received_from", received_from, zone),
        received_to=moment("received_to", received_to, zone),
        resolved_from=moment("resolved_from", resolved_from, zone),
        resolved_to=moment("resolved_to", resolved_to, zone),
        q=q or None,
        party=party,
        repeat_party=repeat_party,
        limit=limit,
        cursor=_cursor(cursor, sort),
        sort=sort,
    )
    reach = Reach(actor.mediator, actor.id) if actor.role is Role.MEDIATOR else None
    page = views.board.page(filters, reach)
    if party is not None:
        tongjie.read_log.record(actor, [row.id for row in page.items], PARTY_SEARCH_PATH)
    body: dict[str, Any] = {
        "items": [jsonable(row, zone) for row in page.items],
        "next_cursor": page.next_cursor,
    }
    if count:
        body["total"], _ = views.board.count(filters, reach)
    return Response(dumps(body), media_type="application/json", headers=_position(page.position))


@router.get(
    "/projections",
    response_model=ProjectionsOut,
    responses={200: {"headers": POSITION_HEADER}, **responses()},
    summary="Where each view stands: position, the store's head, lag in events and seconds",
)
def projections(actor: StatusReader, views: ViewsDep, settings: SettingsDep) -> Response:
    """Each view's position in the store, its lag behind the store's head in events and in
    seconds, its status (`live`, `behind`, `rebuilding`, ...: see the schema), and the events
    it set aside (poisoned)."""
    status = views.engine.status()
    body: dict[str, Any] = {
        "head": status.head,
        "views": [
            {
                "name": view.name,
                "position": view.position,
                "lag_events": view.lag_events,
                "lag_seconds": view.lag_seconds,
                "status": view.status,
                "poisoned": view.poisoned,
                "poisoned_latest": [poisoned_json(p, settings.zone) for p in view.latest_poisoned],
            }
            for view in status.views
        ],
    }
    lowest = min((view.position for view in status.views), default=0)
    return Response(dumps(body), media_type="application/json", headers=_position(lowest))


@router.get(
    "/events/stream",
    response_class=EventSourceResponse,
    responses={
        200: {"content": {"text/event-stream": {"schema": SSE_EVENT}}},
        **responses(),
    },
    summary='Server-Sent Events: `event: update` with `data: {"position": n}` as views advance',
)
async def stream(actor: Auditing, views: ViewsDep) -> EventSourceResponse:
    """The first event gives the current position; then one each time every view has advanced."""

    async def updates() -> AsyncIterator[dict[str, str]]:
        async for position in views.feed.advances():
            if position is not None:
                yield {"event": "update", "data": dumps({"position": position}).decode()}

    return EventSourceResponse(updates(), ping=15, headers={"Cache-Control": "no-store"})


def _position(position: int) -> dict[str, str]:
    return {"X-Position": str(position)}
