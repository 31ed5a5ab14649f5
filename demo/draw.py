"""Weighted draws from fixed tables, fast enough to run a dozen times per demo case."""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Mapping, Sequence
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")


class DemoRandom(random.Random):
    """`random.Random` whose `choice`, `randint` and `randrange` take one `random()` each.

    The library's versions draw bits until the result is exactly uniform, several times
    slower; a demo needs no such evenness, only the same numbers for the same seed.
    """

    def choice(self, seq: Sequence[T]) -> T:  # type: ignore[override]
        return seq[int(self.random() * len(seq))]

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:
        if stop is None:
            start, stop = 0, start
        return start + step * int(self.random() * ((stop - start + step - 1) // step))


class Weighted(Generic[T]):
    """Items with relative weights; `pick` draws one (one `random()` and a bisection)."""

    __slots__ = ("_cumulative", "_items", "_total")

    def __init__(self, weights: Mapping[T, float]) -> None:
        self._items = tuple(weights)
        self._cumulative = tuple(accumulate(weights.values()))
        self._total = self._cumulative[-1]

    def pick(self, rng: random.Random) -> T:
        return self._items[bisect(self._cumulative, rng.random() * self._total)]
