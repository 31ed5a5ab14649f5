"""The test of a rise: is a cell's count of the last 30 days more than its past predicts?

Under the null hypothesis a cell's receipts are a Poisson process of constant rate over the
baseline (the twelve months before the window, or since the first case stored if that is
less) and the window. Given the cell's total n = k + b (k in the window, b in the baseline),
k is then Binomial(n, w / (w + d)), w and d the window's and the baseline's lengths: the
conditional test of two Poisson counts, exact whatever the unknown rate. A cell is a hotspot
when

    k >= MIN_COUNT,  k > expected = b × w / d,  and  P(X >= k | n, w / (w + d)) < ALPHA.

Its false-alarm rate per cell is therefore at most ALPHA on stationary data (less, since the
count is discrete and small cells cannot reach the minimum); the test suite checks it on
generated Poisson data. Seasonality is not modelled: a cell that rises every winter is found
every winter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

WINDOW = timedelta(days=30)
BASELINE = timedelta(days=365)
ALPHA = 0.001
MIN_COUNT = 5


@dataclass(frozen=True)
class Rise:
    count: int
    baseline_count: int
    expected: float
    p_value: float
    hotspot: bool


def upper_tail(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p), summed exactly in log space."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    if p >= 1.0:
        return 1.0
    log_p, log_q = math.log(p), math.log1p(-p)
    total = 0.0
    for i in range(k, n + 1):
        log_term = (
            math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1)
            + i * log_p + (n - i) * log_q
        )  # fmt: skip
        total += math.exp(log_term)
    return min(1.0, total)


def rise(count: int, baseline_count: int, baseline: timedelta, window: timedelta = WINDOW) -> Rise:
    """The test of one cell: `count` receipts in `window`, `baseline_count` in `baseline`."""
    if baseline <= timedelta(0):
        return Rise(count, baseline_count, 0.0, 1.0, False)
    expected = baseline_count * (window / baseline)
    share = window / (window + baseline)
    p_value = upper_tail(count, count + baseline_count, share)
    hotspot = count >= MIN_COUNT and count > expected and p_value < ALPHA
    return Rise(count, baseline_count, expected, p_value, hotspot)
