"""The sums of one answer, per group, and how each kind of result row names its group."""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from operator import add
from typing import Any, overload

from projections.stats.cells import unpack
from projections.stats.facts import NOBODY
from projections.stats.figures import COUNTERS, figures_of
from projections.stats.periods import (
    local_date,
    month_index,
    month_label,
    week_column,
    week_index,
    week_label,
)
from projections.stats.question import Key, Question

Group = Callable[[Sequence[Any]], Key]
"""The row's group key, from the grouping columns at the start of a result row."""


class Picks(Sequence[int]):
    """A sorted list of durations as far as the median and p90 read it: its length and the
    values of the three ranks they take (the server picked them out of one cell's list)."""

    __slots__ = ("_n", "_values")

    def __init__(self, n: int, low: int, high: int, p90: int) -> None:
        self._n = n
        self._values = {(n - 1) // 2: low, n // 2: high, (9 * n + 9) // 10 - 1: p90}

    @classmethod
    def unpacked(cls, picks: bytes) -> Picks:
        """From n and the three values, as four big-endian 64-bit integers."""
        return cls(*_FOUR.unpack(picks))

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, index: int) -> int: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[int]: ...
    def __getitem__(self, index: int | slice) -> int | Sequence[int]:
        if isinstance(index, slice) or index not in self._values:
            raise IndexError(f"only ranks {sorted(self._values)} of {self._n} were picked")
        return self._values[index]


_FOUR = struct.Struct(">4q")


@dataclass(slots=True)
class Sums:
    """What one group adds up: counts, agreed amount (cents), durations, deadlines."""

    counts: list[int] = field(default_factory=lambda: [0] * len(COUNTERS))
    amount: int = 0
    blobs: list[bytes] = field(default_factory=list)
    runs: int = 0
    """How many sorted runs of durations the blobs hold (a cell's list is one; the server may
    join several into one blob)."""
    durations: list[int] = field(default_factory=list)
    picks: Picks | None = None
    """The median's and p90's values of one cell's list, when the server picked them."""
    cohort_blobs: list[bytes] = field(default_factory=list)
    cohort_runs: int = 0
    cohort: list[int] = field(default_factory=list)
    cohort_picks: Picks | None = None
    """The same four of the cohort's durations (the resolved cases received in the period)."""
    overdue: int = 0
    due_soon: int = 0
    computed: dict[str, Any] | None = None
    """Every figure but the clock's, as the server computed them from one row of cells."""

    def add(self, names: Sequence[str], values: Sequence[Any]) -> None:
        if self.computed is not None:
            raise RuntimeError("sums added to a group whose figures the server computed")
        counts = self.counts
        for name, value in zip(names, values, strict=True):
            if value:
                counts[_INDEX[name]] += int(value)

    def add_all(self, values: Sequence[int]) -> None:
        """Add a value for each of COUNTERS, in order (integers, none missing)."""
        if self.computed is not None:
            raise RuntimeError("sums added to a group whose figures the server computed")
        self.counts = list(map(add, self.counts, values))

    def figures(self) -> dict[str, Any]:
        if self.computed is not None:
            self.computed["overdue"], self.computed["due_soon"] = self.overdue, self.due_soon
            return self.computed
        durations = _sorted(self.picks, self.blobs, self.runs, self.durations)
        cohort = _sorted(self.cohort_picks, self.cohort_blobs, self.cohort_runs, self.cohort)
        return figures_of(self.counts, self.amount, durations, self.overdue, self.due_soon, cohort)

    def counted(self) -> bool:
        if self.computed is not None:
            found = self.computed
            return bool(found["received"] or found["resolved"] or found["open"])
        return bool(self.counts[_RECEIVED] or self.counts[_RESOLVED] or self.counts[_OPEN])


def _sorted(
    picks: Picks | None, blobs: list[bytes], runs: int, durations: list[int]
) -> Sequence[int]:
    """One group's durations in ascending order (or as far as the median and p90 read them)."""
    if picks is not None:
        if blobs or durations:
            raise RuntimeError("picked ranks cannot be merged with other durations")
        return picks
    if runs == 1 and len(blobs) == 1 and not durations:
        return unpack(blobs[0])  # one cell's list: sorted already
    merged = unpack(b"".join(blobs)).tolist() if blobs else []
    if durations:
        merged += durations
    merged.sort()  # sorted runs (cells, joined by the server), merged in C
    return merged


class Computed(Sums):
    """A group whose figures the server computed (but the clock's): nothing else to add up,
    so none of a tally's lists is made (a query by mediator makes 300 of them)."""

    __slots__ = ()

    def __init__(self, figures: dict[str, Any]) -> None:  # the parts unset: no lists made
        self.computed = figures
        self.overdue = 0
        self.due_soon = 0


_INDEX = {name: i for i, name in enumerate(COUNTERS)}
_RECEIVED, _RESOLVED, _OPEN = _INDEX["received"], _INDEX["resolved"], _INDEX["open"]


class Answer:
    """The sums of each group, and how a row of each kind names its group."""

    def __init__(self, question: Question, zone: tzinfo) -> None:
        self.question = question
        self.zone = zone
        self.sums: dict[Key, Sums] = {}
        today = local_date(question.now_us, zone)
        self.now_month = month_label(month_index(today))
        self.now_week = week_label(week_index(today.toordinal()))

    def get(self, key: Key) -> Sums:
        found = self.sums.get(key)
        if found is None:
            found = self.sums[key] = Sums()
        return found

    def put(self, key: Key, figures: dict[str, Any]) -> None:
        """The figures of a group that the server computed: its only part but the clock's."""
        if key in self.sums:
            raise RuntimeError("figures computed for a group that has sums already")
        self.sums[key] = Computed(figures)

    def facts_group(self, time: str | None) -> tuple[str, Group]:
        """The grouping column of a facts query whose figures count at the case's `time`
        ("received" or "resolved"); None: the backlog, now."""
        by = self.question.by
        if by is None:
            return "", lambda row: None
        if by == "month":
            if time is None:
                return "", lambda row: self.now_month
            return f"{time}_month", lambda row: month_label(row[0])
        if by == "week":
            if time is None:
                return "", lambda row: self.now_week
            return week_column(f"{time}_day"), lambda row: week_label(row[0])
        return by, lambda row: None if row[0] == NOBODY else row[0]
