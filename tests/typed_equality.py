"""Equality type for type: what `==` forgives (1 == 1.0, a list == a tuple's items, Decimal("1.0")
== Decimal("1"), two times at different offsets), a replay must not change."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal
from typing import Any


def differences(saved: Any, replayed: Any, path: str = "") -> list[str]:
    """Where `replayed` differs from `saved` in type or value; empty when they are the same."""
    here = path or "."
    if type(saved) is not type(replayed):
        return [f"{here}: {type(saved).__name__} became {type(replayed).__name__}"]
    if isinstance(saved, dict):
        if saved.keys() != replayed.keys():
            return [f"{here}: keys {sorted(saved)} became {sorted(replayed)}"]
        return [d for k in saved for d in differences(saved[k], replayed[k], f"{path}.{k}")]
    if isinstance(saved, list | tuple):
        if len(saved) != len(replayed):
            return [f"{here}: {len(saved)} items became {len(replayed)}"]
        pairs = zip(saved, replayed, strict=True)
        return [d for i, (a, b) in enumerate(pairs) for d in differences(a, b, f"{path}[{i}]")]
    if dataclasses.is_dataclass(saved):
        return [
            d
            for f in dataclasses.fields(saved)
            for d in differences(
                getattr(saved, f.name), getattr(replayed, f.name), f"{path}.{f.name}"
            )
        ]
    if isinstance(saved, datetime):
        if saved != replayed or saved.utcoffset() != replayed.utcoffset():
            return [f"{here}: {saved.isoformat()} became {replayed.isoformat()}"]
        return []
    if isinstance(saved, Decimal):
        return [] if saved.as_tuple() == replayed.as_tuple() else [f"{here}: {saved} -> {replayed}"]
    return [] if saved == replayed else [f"{here}: {saved!r} became {replayed!r}"]


def aggregate_state(aggregate: Any) -> dict[str, Any]:
    """An aggregate's attributes, without the events it has not saved yet."""
    return {k: v for k, v in vars(aggregate).items() if k != "_pending_events"}


def assert_same_aggregate(saved: Any, replayed: Any) -> None:
    assert type(replayed) is type(saved)
    found = differences(aggregate_state(saved), aggregate_state(replayed))
    assert not found, "\n".join(found)
