"""What a demo run is asked for, checked and completed with its defaults."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.errors import DomainError, InvalidValueError

DEFAULT_CASES = 7_514
DEFAULT_SEED = 7_498
MAX_CASES = 200_000


class StoreNotEmptyError(DomainError):
    """The demo loads into an empty store only: it never mixes with real records."""

    def __init__(self) -> None:
        super().__init__(
            "the store already holds data: the demo loads into an empty store only "
            "(point TONGJIE_DATABASE_URL at a new database)"
        )


@dataclass(frozen=True)
class DemoOptions:
    """`year` None: the latest whose September has ended; `as_of` None: today (bureau's)."""

    cases: int = DEFAULT_CASES
    year: int | None = None
    seed: int = DEFAULT_SEED
    as_of: date | None = None
    batch_size: int = 500


@dataclass(frozen=True)
class DemoRun:
    """The options with every default filled in: what the data set is made of."""

    cases: int
    year: int
    seed: int
    as_of: date
    batch_size: int


def default_year(today: date) -> int:
    """The latest year whose September has ended by `today`."""
    return today.year if today >= date(today.year, 10, 1) else today.year - 1


def settle(options: DemoOptions, today: date) -> DemoRun:
    """Check the options against `today` (in the bureau's time zone) and fill the defaults."""
    if not 1 <= options.cases <= MAX_CASES:
        raise InvalidValueError("cases", f"must be between 1 and {MAX_CASES:,}")
    if options.batch_size < 1:
        raise InvalidValueError("batch_size", "must be positive")
    as_of = options.as_of or today
    if as_of > today:
        raise InvalidValueError("as_of", "must not be in the future")
    year = default_year(as_of) if options.year is None else options.year
    if year < 2000:
        raise InvalidValueError("year", "must be 2000 or later")
    if date(year, 10, 1) > as_of:
        raise InvalidValueError(
            "year", f"September {year} has not ended on {as_of.isoformat()}: choose an earlier year"
        )
    return DemoRun(options.cases, year, options.seed, as_of, options.batch_size)
