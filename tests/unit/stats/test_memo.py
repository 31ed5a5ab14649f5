"""The statistics view's memo of facts between batches: the most recent MEMO_CASES cases, the
latest facts of each, the oldest dropped first."""

from __future__ import annotations

from uuid import UUID

import pytest

from projections.engine.view import Tables
from projections.stats import view
from projections.stats.facts import CaseFacts
from projections.stats.view import MEMO, StatsView


def _facts(n: int, events: int = 1) -> CaseFacts:
    return CaseFacts(UUID(int=n), "c", "s", "ch", "o", "m", n, events=events)


def test_the_memo_keeps_the_most_recent_cases(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(view, "MEMO_CASES", 3)
    tables = Tables("stats", 1, {})
    StatsView._remember(tables, [_facts(1), _facts(2)])
    StatsView._remember(tables, [_facts(3), _facts(1, events=2), _facts(4)])
    memo = tables.memo[MEMO]
    assert list(memo) == [UUID(int=3), UUID(int=1), UUID(int=4)]  # 2 was the oldest
    assert memo[UUID(int=1)].events == 2  # the facts of the later batch
    StatsView._remember(tables, [_facts(n) for n in range(5, 10)])
    assert list(tables.memo[MEMO]) == [UUID(int=n) for n in (7, 8, 9)]


def test_a_memo_under_the_bound_is_kept_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(view, "MEMO_CASES", 3)
    tables = Tables("stats", 1, {})
    StatsView._remember(tables, [_facts(1), _facts(2), _facts(3)])
    assert list(tables.memo[MEMO]) == [UUID(int=n) for n in (1, 2, 3)]
