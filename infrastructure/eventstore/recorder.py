"""What both of our recorders add to the library's: the group-commit write path."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from infrastructure.eventstore.subscription import CommitSignal
from infrastructure.eventstore.writer import GroupCommitter, PendingCommand

if TYPE_CHECKING:
    from collections.abc import Sequence
    from uuid import UUID

    from eventsourcing.persistence import StoredEvent

    from application.ports import IdempotencyRecord, StoredAnswer, Unchanged
    from infrastructure.eventstore.chain import ChainRow
    from infrastructure.eventstore.group import Outcome

MIN_IDEMPOTENCY_RETENTION = timedelta(hours=24)


class GroupCommitRecorder(ABC):
    """Mixin: `insert_events` hands the command to this recorder's writer thread."""

    idempotency_retention: timedelta = MIN_IDEMPOTENCY_RETENTION
    housekeeping_interval: float = 3600.0

    def _start_group_commit(self, max_group_size: int) -> None:
        # How many groups found events stored that this writer had not written (another
        # process's, or any stored before its first group): a copy of an aggregate read
        # before this count last moved may lack some of them; one read after it does not.
        self.foreign_writes = 0
        self._position_seen: int | None = None
        self.commit_signal = CommitSignal()
        self._committer = GroupCommitter(
            self._write_group,
            max_group_size=max_group_size,
            name=f"tongjie-writer-{type(self).__name__}",
            housekeeping=self._housekeeping,
            housekeeping_interval=self.housekeeping_interval,
            after_group=self.commit_signal.notify_all,
        )

    def insert_events(
        self,
        stored_events: Sequence[StoredEvent],
        *,
        idempotency: IdempotencyRecord | None = None,
        unchanged: Unchanged | None = None,
        **kwargs: Any,
    ) -> Sequence[int]:
        """Store one command's events (and its idempotency record) in the next group, if
        the originators named in `unchanged` are still at those versions.

        Returns their notification ids once the group committed. Raises VersionConflictError
        (an IntegrityError) if one of them exists already, IdempotencyKeyExistsError if the
        key does, ChangedMeanwhileError if an `unchanged` originator moved on; in each case
        nothing of this command is stored and the rest of the group is.
        """
        if not stored_events and idempotency is None:
            return []
        return self._committer.submit(list(stored_events), idempotency, unchanged or None)

    @property
    def writer(self) -> GroupCommitter:
        """This recorder's writer (its counters serve metrics and tests)."""
        return self._committer

    def close(self) -> None:
        """Stop the writer thread (a later insert starts a new one)."""
        self._committer.close()

    def _observe_group(self, position_before: int | None, outcomes: Sequence[Outcome]) -> None:
        """After a COMMIT: did the store move since this writer's last group, other than by it?

        Under the write lock nobody else inserts, so the highest id after our group is ours.
        """
        if position_before is None:
            return
        if position_before != self._position_seen:
            self.foreign_writes += 1
        written = [ids[-1] for ids in outcomes if isinstance(ids, list) and ids]
        self._position_seen = max(written, default=position_before)

    def _housekeeping(self) -> None:
        self.purge_idempotency(max(self.idempotency_retention, MIN_IDEMPOTENCY_RETENTION))

    @abstractmethod
    def _write_group(self, commands: list[PendingCommand]) -> list[Outcome]:
        """Store the group in one transaction under the write lock; commit; return outcomes."""

    @abstractmethod
    def select_states(self, originator_id: UUID) -> list[tuple[int, str, bytes]]:
        """One aggregate's versions, topics and stored states, in version order."""

    @abstractmethod
    def find_idempotency(self, caller: str, path: str, key: str) -> StoredAnswer | None: ...

    @abstractmethod
    def purge_idempotency(self, older_than: timedelta) -> int:
        """Delete idempotency records created more than `older_than` ago; return how many."""

    @abstractmethod
    def select_chain(self, start: int | None, limit: int) -> list[ChainRow]:
        """Stored events with hash columns, from notification id `start` (inclusive)."""

    @abstractmethod
    def select_case_chain(self, originator_id: UUID) -> list[ChainRow]:
        """One case's stored events with hash columns, in version order."""

    @abstractmethod
    def last_chain_position(self) -> tuple[int, str | None]:
        """The highest notification id (0 if none) and its store-chain hash."""
