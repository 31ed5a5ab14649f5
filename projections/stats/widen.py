"""A period widened to the cells' boundaries where nothing lies in between: fewer cells to read.

The cells of a span (a year, a quarter, a month, a day) add up the receipts and resolutions
whose time falls in it. If no receipt or resolution lies between the period's end and the end of
its day, month, quarter or year (or between the start of one of those and the period's start),
the period and the widened one have the same figures, exactly. A dashboard's "this year to date"
ends now, after which nothing has happened yet: it reads this year's one cell per key, not three
quarters, a month, the days of this month and today's cases. One probe (four index lookups)
finds the last receipt or resolution before the period and the first at or after its end.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from projections.stats.periods import local_date, midnight, plan, spans

if TYPE_CHECKING:
    from projections.engine.ports import Connection
    from projections.engine.view import Tables


def widened(
    conn: Connection,
    tables: Tables,
    start_us: int,
    end_us: int,
    zone: tzinfo,
    probed: Sequence[Any] | None = None,
) -> tuple[int, int]:
    """[start, end) widened as far as the cells' boundaries allow with the same figures;
    `probed`: the row of `probe` for this period, read already (else it is read here)."""
    asked = probe(tables, start_us, end_us, zone)
    if asked is None:
        return start_us, end_us  # whole years already
    row = probed if probed is not None else conn.execute(*asked)[0]
    before = max((int(v) for v in row[:2] if v is not None), default=None)
    after = min((int(v) for v in row[2:] if v is not None), default=None)
    start = min(
        (b for b in _starts(start_us, zone) if before is None or before < b), default=start_us
    )
    end = max((b for b in _ends(end_us, zone) if after is None or after >= b), default=end_us)
    return min(start, start_us), max(end, end_us)


def probe(
    tables: Tables, start_us: int, end_us: int, zone: tzinfo
) -> tuple[str, tuple[int, ...]] | None:
    """The statement that finds the last receipt or resolution before the period and the first
    at or after its end; None if the period is whole years already (nothing to widen)."""
    pieces = plan(start_us, end_us, zone)
    whole = all(grain == "y" for months in pieces.months for grain, _ in spans(months))
    if whole and not pieces.days and not pieces.partial:
        return None
    cases = tables.name("cases")
    return (
        f"SELECT (SELECT MAX(received_us) FROM {cases} WHERE received_us < %s), "
        f"(SELECT MAX(resolved_us) FROM {cases} WHERE resolved_us < %s), "
        f"(SELECT MIN(received_us) FROM {cases} WHERE received_us >= %s), "
        f"(SELECT MIN(resolved_us) FROM {cases} WHERE resolved_us >= %s)",
        (start_us, start_us, end_us, end_us),
    )


def _starts(start_us: int, zone: tzinfo) -> Iterator[int]:
    """The first instants of the day, month, quarter and year `start` falls in."""
    day = local_date(start_us, zone)
    for first in (
        day,
        day.replace(day=1),
        date(day.year, (day.month - 1) // 3 * 3 + 1, 1),
        date(day.year, 1, 1),
    ):
        yield midnight(first, zone)


def _ends(end_us: int, zone: tzinfo) -> Iterator[int]:
    """The ends of the day, month, quarter and year `end` falls in (itself, if it is one)."""
    last = local_date(end_us - 1, zone)  # the period's last instant's date
    try:
        yield midnight(last + timedelta(days=1), zone)
        month = last.year * 12 + last.month  # the next month's index (0-based month + 1)
        yield midnight(date(month // 12, month % 12 + 1, 1), zone)
        quarter = last.year * 12 + (last.month - 1) // 3 * 3 + 3
        yield midnight(date(quarter // 12, quarter % 12 + 1, 1), zone)
        yield midnight(date(last.year + 1, 1, 1), zone)
    except (ValueError, OverflowError):  # beyond the year 9999: no wider
        return
