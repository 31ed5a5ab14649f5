"""Demo data: a year in a district like the one in the bureau's report (see docs/demo.md)."""

from demo.loader import DemoResult, case_id, load_demo, store_is_empty
from demo.options import (
    DEFAULT_CASES,
    DEFAULT_SEED,
    DemoOptions,
    DemoRun,
    StoreNotEmptyError,
    default_year,
)
from demo.records import DemoUser

__all__ = [
    "DEFAULT_CASES",
    "DEFAULT_SEED",
    "DemoOptions",
    "DemoResult",
    "DemoRun",
    "DemoUser",
    "StoreNotEmptyError",
    "case_id",
    "default_year",
    "load_demo",
    "store_is_empty",
]
