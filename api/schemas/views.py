"""The views' answers: the board, the projections' status; and the moments `from`/`to` take."""

from __future__ import annotations

from datetime import date, datetime, time, tzinfo
from uuid import UUID

from pydantic import BaseModel, Field

from api.problems import InvalidFieldsError
from domain.errors import InvalidCommandError
from domain.times import TimeBounds


def moment(field: str, text: str | None, zone: tzinfo) -> datetime | None:
    """A date (midnight in the bureau's zone) or a time with its offset, within the bounds
    of every time (domain/times.py); else a 422 on `field`."""
    if text is None or text == "":
        return None
    try:
        if len(text) == 10:
            parsed = datetime.combine(date.fromisoformat(text), time(), zone)
        else:
            parsed = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidFieldsError(
            field, "a date (2026-03-01) or a time with offset (2026-03-01T09:00:00+08:00)"
        ) from None
    if parsed.tzinfo is None:
        raise InvalidFieldsError(
            field, "a time needs its UTC offset (ISO 8601, e.g. 2026-03-02T09:30:00+08:00)"
        )
    return bounded(field, parsed, zone)


def bounded(field: str, at: datetime, zone: tzinfo) -> datetime:
    """A query's moment within the bounds of every time; else a 422 on `field`."""
    try:
        return TimeBounds(zone).moment(field, at)
    except InvalidCommandError as error:
        raise InvalidFieldsError(field, error.message) from None


class BoardRowOut(BaseModel):
    id: UUID
    number: str = Field(examples=["2026-000123"])
    category: str = Field(examples=["family"])
    subcategory: str | None = Field(examples=["neighbour"])
    street: str = Field(examples=["东湖街道"])
    channel: str = Field(examples=["walk_in"])
    summary: str = Field(examples=["楼上漏水引发邻里纠纷"])
    status: str = Field(examples=["in_mediation"])
    organisation: str | None = Field(examples=["room-1"])
    mediator: str | None = Field(examples=["m1"])
    received_at: datetime
    received_by: str = Field(description="the id of the user who received the case")
    routed_at: datetime | None = Field(description="the latest routing")
    first_session_at: datetime | None = Field(description="the earliest session held")
    resolved_at: datetime | None
    outcome: str | None = Field(examples=["agreement"])
    due_at: datetime | None
    overdue: bool = Field(description="open and past due_at, as of the answer")
    days_open: float = Field(
        description="days from receipt to resolution (or to now), with fractions", examples=[3.5]
    )
    risk_level: str = Field(examples=["none"])
    version: int = Field(description="the case's version the row reflects")
    repeat_party: bool = Field(
        description="a party's phone or ID number is in another case received within 12 months"
    )


class BoardOut(BaseModel):
    items: list[BoardRowOut]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null: last")
    total: int | None = Field(
        default=None,
        description="with `count=true`: how many cases the filters select in all (every page)",
    )


class PoisonedEventOut(BaseModel):
    """An event a view set aside because applying it failed: the view went on without it."""

    position: int = Field(description="its store position", examples=[4711])
    case_id: UUID = Field(description="the id of its aggregate (a case)")
    version: int = Field(examples=[2])
    type: str = Field(examples=["Routed"])
    error: str = Field(examples=["OverflowError"])
    message: str = Field(examples=["date value out of range"])
    poisoned_at: datetime | None = Field(description="when the view set it aside")


class ViewStatusOut(BaseModel):
    name: str = Field(examples=["board"])
    position: int = Field(description="the last store position the view has applied")
    lag_events: int = Field(description="events stored after that position")
    lag_seconds: float = Field(description="age of the oldest event not yet applied; 0: current")
    status: str = Field(
        description="live, behind, rebuilding, missing; where this process runs the worker "
        "also standby, starting or error",
        examples=["live"],
    )
    poisoned: int = Field(
        description="events this view set aside because applying them failed", examples=[0]
    )
    poisoned_latest: list[PoisonedEventOut] = Field(
        description="the latest few of them, newest first"
    )


class ProjectionsOut(BaseModel):
    head: int = Field(description="the store's last position")
    views: list[ViewStatusOut]
