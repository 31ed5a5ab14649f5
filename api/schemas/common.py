"""Types shared by the request and response models."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from domain.times import CLOCK_SKEW, DEADLINE_HORIZON, EARLIEST_DATE, PLANNING_HORIZON


def _no_surrogates(text: str) -> str:
    """JSON can carry lone surrogates ("\\ud800") that no UTF-8 store can hold."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    if "\x00" in text:
        raise ValueError("must not contain NUL characters")
    return text


ShortText = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_no_surrogates)]
"""A name, a street: text any store can hold."""
LongText = Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(_no_surrogates)]
NoteText = Annotated[str, Field(max_length=2000), AfterValidator(_no_surrogates)]


Code = Annotated[
    str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$", examples=["room-1"])
]
"""A code of reference data: an organisation, a mediator."""

_BOUNDS = (
    f"not before {EARLIEST_DATE.isoformat()}T00:00:00 in the bureau's time zone; "
    "an offset from -12:00 to +14:00"
)
BusinessTime = Annotated[
    AwareDatetime | None,
    Field(
        default=None,
        description=(
            "when it happened (ISO 8601 with offset); default now. "
            f"{_BOUNDS}; not in the future ({int(CLOCK_SKEW.total_seconds() // 60)} minutes "
            "of clock skew allowed)"
        ),
    ),
]
"""A business time; its bounds are checked by the domain (domain/times.py), which names them."""
DEADLINE_BOUNDS = (
    f"Like every deadline: {_BOUNDS}; never more than {DEADLINE_HORIZON.days} days after "
    "the routing"
)
PLANNED_BOUNDS = (
    f"Like every time planned ahead: {_BOUNDS}; at most {PLANNING_HORIZON.days} days after now"
)
Deadline = Annotated[
    AwareDatetime, Field(description=f"a deadline (ISO 8601 with offset). {DEADLINE_BOUNDS}")
]
Money = Annotated[
    Decimal,
    Field(ge=0, max_digits=14, decimal_places=2, examples=["1200.00"]),
]
MoneyOut = Annotated[
    str | None, Field(pattern=r"^-?\d+\.\d{2}$", examples=["1200.00"], description="decimal string")
]
TimeOut = datetime
"""Answers give times in the bureau's offset (+08:00 by default)."""


class Request(BaseModel):
    """Requests forbid unknown fields, so a misspelt field is a 422, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class FieldError(BaseModel):
    field: str = Field(examples=["parties.0.phone"])
    message: str = Field(examples=["must be digits, spaces, '+', '-' or brackets"])
    reason: str | None = Field(
        default=None,
        description="`mediator-ineligible` only: why the mediator cannot take the case "
        "(`deactivated`, `not_in_organisation`, `category_not_taken`, `away`)",
        examples=["away"],
    )


class Problem(BaseModel):
    """An RFC 9457 problem document (`application/problem+json`)."""

    type: str = Field(examples=["https://tongjie.invalid/problems/invalid-request"])
    title: str = Field(examples=["Invalid request"])
    status: int = Field(examples=[422])
    detail: str = Field(examples=["parties.0.phone: must be digits, spaces, '+', '-'"])
    errors: list[FieldError] | None = None
    reason: str | None = Field(
        default=None, description="`mediator-ineligible` only: the reason's code"
    )
    overridable: bool | None = Field(
        default=None,
        description="`mediator-ineligible` only: whether a supervisor may route anyway "
        "with `override_reason`",
    )
