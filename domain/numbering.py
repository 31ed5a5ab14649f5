"""Case numbers a person can say on the phone: `2026-000123`, sequential per year of receipt.

One sequence aggregate per year, saved in the same transaction as the case it numbers: two
intakes that race take the same next number, one of them conflicts in the store and retries,
so a number is never given twice and never skipped.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.reference import derived_id


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
        return f"{self.year}-{self.last + 1:06d}"

    def issue(self, case_id: UUID) -> str:
        number = self.next_number()
        self.trigger_event(self.NumberIssued, number=number, case_id=case_id)
        return number
