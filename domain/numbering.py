"""Case numbers a person can say on the phone: `2026-000123`, sequential per year of receipt.

One sequence aggregate per year, saved in the same transaction as the case it numbers: two
intakes that race take the same next number, one of them conflicts in the store and retries,
so a number is never given twice and never skipped.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.reference import derived_id

NUMBER = re.compile(r"(\d{4})-(\d{1,9})")
"""A case number: the year of receipt, a dash, the number in the year (issued with six digits
or more, `2026-000123`; `2026-123` names the same case)."""


def number_of(year: int, nth: int) -> str:
    """The `nth` case number of `year`, as issued: `2026-000123`."""
    return f"{year}-{nth:06d}"


class CaseNumberSequence(Aggregate):
    class Started(Aggregate.Created):
        year: int

    class NumberIssued(Aggregate.Event):
        number: str
        case_id: UUID

        def apply(self, aggregate: Any) -> None:
            aggregate.last = int(self.number.rsplit("-", 1)[1])

    def __init__(self, year: int) -> None:
        self.year = year
        self.last = 0

    @staticmethod
    def id_for(year: int) -> UUID:
        return derived_id("case-number-sequence", str(year))

    @classmethod
    def start(cls, year: int) -> CaseNumberSequence:
        return cls._create(cls.Started, id=cls.id_for(year), year=year)

    def next_number(self) -> str:
        return number_of(self.year, self.last + 1)

    def issue(self, case_id: UUID) -> str:
        number = self.next_number()
        self.trigger_event(self.NumberIssued, number=number, case_id=case_id)
        return number
