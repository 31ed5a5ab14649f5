"""The hotspot test (排查): its tail computed exactly, its false-alarm rate on stationary data
at most ALPHA per cell (stated in docs/statistics.md), and a real rise found."""

from __future__ import annotations

import math
import random
from datetime import timedelta

import pytest

from projections.hotspots.rise import ALPHA, BASELINE, MIN_COUNT, WINDOW, rise, upper_tail

RATES = (0.5, 1, 2, 4, 8, 16)
"""Receipts per 30 days of a cell: from a quiet cell to a busy one."""


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw: the number of unit-rate arrivals before `mean` (exact, any mean)."""
    count, elapsed = 0, rng.expovariate(1.0)
    while elapsed < mean:
        count += 1
        elapsed += rng.expovariate(1.0)
    return count


@pytest.mark.parametrize(
    ("k", "n", "p"), [(0, 5, 0.3), (3, 10, 0.2), (7, 40, 0.076), (11, 11, 0.5)]
)
def test_the_tail_is_the_binomial_sum(k: int, n: int, p: float) -> None:
    exact = sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k, n + 1))
    assert upper_tail(k, n, p) == pytest.approx(exact, rel=1e-9)


def test_stationary_cells_raise_at_most_alpha_false_alarms() -> None:
    """30,000 cell-checks of constant-rate cells (5,000 per rate), 12 months then 30 days:
    the share flagged is at most ALPHA (it is well below: counts are discrete)."""
    rng = random.Random(20)
    ratio = BASELINE / WINDOW
    checks = alarms = 0
    for rate in RATES:
        for _ in range(5_000):
            recent, past = poisson(rng, rate), poisson(rng, rate * ratio)
            alarms += rise(recent, past, BASELINE).hotspot
            checks += 1
    assert alarms / checks <= ALPHA, (alarms, checks)


@pytest.mark.parametrize(("month", "power"), [(16, 0.7), (20, 0.9)])
def test_a_cell_of_four_a_month_rising_is_found(month: int, power: float) -> None:
    """A cell of 4 a month that gets 16 is found about three times in four, 20 nearly always
    (the power on generated data; the demo's planted rise is of the first kind)."""
    rng = random.Random(4)
    ratio = BASELINE / WINDOW
    tests = [rise(poisson(rng, month), poisson(rng, 4 * ratio), BASELINE) for _ in range(500)]
    assert sum(test.hotspot for test in tests) / 500 > power


def test_the_minimum_count_and_a_short_baseline() -> None:
    assert not rise(MIN_COUNT - 1, 0, BASELINE).hotspot  # new, but too few to say
    assert rise(MIN_COUNT, 0, BASELINE).hotspot  # nothing for a year, then five in a month
    assert not rise(10, 0, timedelta(0)).hotspot  # no baseline: nothing to compare with
    short = rise(6, 2, timedelta(days=60))  # since the first case stored: 60 days
    assert short.expected == pytest.approx(1.0)
