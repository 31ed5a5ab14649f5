"""The event-sourced application every use case works through: one store for all aggregates.

One store means one notification log and one store-chain over cases, reference data and users,
so the audit of the whole store covers everything. Persistence is chosen by the environment
the composition root hands in; the transcodings of the domain's types are handed in too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import JSONTranscoder, Transcoding

from domain.case import Case
from domain.numbering import CaseNumberSequence
from domain.reference import Directory


class TongjieStore(Application[UUID]):
    name = "Tongjie"
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {
        Case: 50,
        CaseNumberSequence: 200,
        Directory: 200,
    }

    def __init__(
        self, env: Mapping[str, str] | None = None, transcodings: Sequence[Transcoding] = ()
    ) -> None:
        self._transcodings = list(transcodings)
        super().__init__(env)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        for transcoding in self._transcodings:
            transcoder.register(transcoding)

    def load(self, aggregate_id: UUID, missing: Exception) -> Any:
        """The aggregate's current state, or `missing` raised when there is none."""
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise missing from None

    def load_or_none(self, aggregate_id: UUID) -> Aggregate | None:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
