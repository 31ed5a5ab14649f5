"""The event-sourced application every use case works through: one store for all aggregates.

One store means one notification log and one store-chain over cases, reference data and users,
so the audit of the whole store covers everything. Persistence is chosen by the environment
the composition root hands in; the transcodings of the domain's types are handed in too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, TypeVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import Aggregate, DomainEventProtocol, MutableOrImmutableAggregate
from eventsourcing.persistence import (
    JSONTranscoder,
    Mapper,
    MapperDeserialisationError,
    Recording,
    StoredEvent,
    Transcoding,
)

from application.errors import UnreadableEventError
from application.ports import WriteConditions
from domain.case import Case
from domain.numbering import CaseNumberSequence
from domain.reference import Directory

Answer = TypeVar("Answer")


class _Collected(ProcessingEvent[UUID]):
    """Collects an `Aggregate`'s events directly: the library asks two runtime-checkable
    protocols of every object it is given (a tenth of a bulk save's time); anything else
    still goes its way, in the order given."""

    def collect_events(
        self,
        *objs: MutableOrImmutableAggregate[UUID] | DomainEventProtocol[UUID] | None,
        **kwargs: Any,
    ) -> None:
        for obj in objs:
            if isinstance(obj, Aggregate):
                self.events.extend(obj.collect_events())
                self.aggregates[obj.id] = obj
            else:
                super().collect_events(obj)
        self.saved_kwargs.update(kwargs)


class _CheckedMapper(Mapper[UUID]):
    """The library's mapper, whose failure to decode a payload names the event it was."""

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        try:
            return super().to_domain_event(stored_event)
        except MapperDeserialisationError as error:
            cause = error.__cause__ or error
            raise UnreadableEventError(
                UUID(str(stored_event.originator_id)),
                stored_event.originator_version,
                f"{type(cause).__name__}: {str(cause)[:200]}",
            ) from error


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

    def construct_mapper(self) -> Mapper[UUID]:
        return self.factory.mapper(
            transcoder=self.construct_transcoder(), mapper_class=_CheckedMapper
        )

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        for transcoding in self._transcodings:
            transcoder.register(transcoding)

    def save(
        self,
        *objs: MutableOrImmutableAggregate[UUID] | DomainEventProtocol[UUID] | None,
        **kwargs: Any,
    ) -> list[Recording[UUID]]:
        """The library's save, collecting our aggregates without its runtime protocol checks."""
        processing_event = _Collected()
        processing_event.collect_events(*objs, **kwargs)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        self.notify(processing_event.events)  # the library's deprecated hook, as it calls it
        return recordings

    def save_with(
        self,
        conditions: WriteConditions[Answer] | None,
        answer: Answer,
        *objs: MutableOrImmutableAggregate[UUID] | None,
    ) -> list[Recording[UUID]]:
        """Save `objs`, and in the same transaction what `conditions` ask for, given the
        write's `answer` (its idempotency record, the originators that must be unchanged)."""
        if conditions is None:
            return self.save(*objs)
        record = conditions.record_for(answer)
        return self.save(*objs, idempotency=record, unchanged=conditions.unchanged)

    def _take_snapshots(self, processing_event: ProcessingEvent[UUID]) -> None:
        """Snapshot each saved aggregate whose new events reached an interval, as it is now.

        The library reads the aggregate back from its events at the interval's version; the
        aggregate just saved is that state and newer, so it is snapshotted as it stands: one
        snapshot per aggregate and save, nothing read back (a bulk save of 500 numbers
        took 2-3 snapshots of the sequence, each replaying 200 events).
        """
        if self.snapshots is None:
            return
        due: dict[UUID, Aggregate] = {}
        for event in processing_event.events:
            aggregate = processing_event.aggregates.get(event.originator_id)
            interval = self.snapshotting_intervals.get(type(aggregate))
            if interval is not None and event.originator_version % interval == 0:
                due[event.originator_id] = cast("Aggregate", aggregate)
        for aggregate in due.values():
            snapshot_class = getattr(type(aggregate), "Snapshot", type(self).snapshot_class)
            assert snapshot_class is not None, "snapshotting needs a Snapshot class"
            self.snapshots.put([snapshot_class.take(aggregate)])

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
