"""Business times: when a step happened, as the mediator reports it (never in the future)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.errors import FutureTimeError, NaiveTimeError

CLOCK_SKEW = timedelta(minutes=5)
MEDIATION_PERIOD = timedelta(days=30)  # 一个月内调结 (rules Art. 33)
MAX_EXTENSION = timedelta(days=30)
JUDICIAL_CONFIRMATION_PERIOD = timedelta(days=30)  # Law Art. 33


def utcnow() -> datetime:
    return datetime.now(UTC)


def business_time(field: str, at: datetime | None, now: datetime) -> datetime:
    """The time a step happened: `at` if given (aware, not in the future), else now."""
    if at is None:
        return now
    if at.tzinfo is None or at.utcoffset() is None:
        raise NaiveTimeError(field)
    if at > now + CLOCK_SKEW:
        raise FutureTimeError(field)
    return at


def aware(field: str, at: datetime) -> datetime:
    """A time that may lie in the future (a deadline), but must carry an offset."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise NaiveTimeError(field)
    return at
