"""Helpers for the application tests: a refusal records nothing in the store."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from application.tongjie import Tongjie


def last_position(app: Tongjie) -> int | None:
    """The store's latest notification id: unchanged when nothing was recorded."""
    position: int | None = app.store.recorder.max_notification_id()
    return position


@contextmanager
def records_nothing(
    app: Tongjie, error: type[Exception], field: str | None = None
) -> Iterator[Any]:
    """The block raises exactly `error` (naming `field`) and the store records nothing."""
    before = last_position(app)
    with pytest.raises(Exception) as raised:
        yield raised
    assert type(raised.value) is error, repr(raised.value)
    if field is not None:
        assert getattr(raised.value, "field", None) == field
    assert last_position(app) == before


def stored_states(app: Tongjie) -> list[bytes]:
    """The stored bytes of every event in the store, in order."""
    recorder: Any = app.store.recorder
    return [n.state for n in recorder.select_notifications(start=1, limit=1_000_000)]
