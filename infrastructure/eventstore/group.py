"""What one group transaction does: hash, insert, and keep each command's failure its own.

The database specifics sit behind `WriteSession`; this module decides the order of work.
Under the write lock nobody else can insert, so conflicts are found up front by one read
(stored keys) instead of by failing inserts: a conflicting command costs the group nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from eventsourcing.persistence import DataError, IntegrityError

from application.ports import (
    ChangedMeanwhileError,
    IdempotencyKeyExistsError,
    IdempotencyRecord,
    Unchanged,
    VersionConflictError,
)
from infrastructure.eventstore.chain import HashedEvent, Latest, plan_command

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence
    from contextlib import AbstractContextManager
    from uuid import UUID

    from eventsourcing.persistence import StoredEvent

# A command with one of these errors is rolled back to its savepoint and fails alone.
COMMAND_ERRORS = (IntegrityError, DataError, IdempotencyKeyExistsError)

Outcome = list[int] | BaseException
EventKey = tuple["UUID | str", int]
AnswerKey = tuple[str, str, str]  # caller, path, key


class Command(Protocol):
    @property
    def events(self) -> Sequence[StoredEvent]: ...

    @property
    def idempotency(self) -> IdempotencyRecord | None: ...

    @property
    def unchanged(self) -> Unchanged | None: ...


@dataclass(frozen=True)
class GroupState:
    """What the group needs to know of the store, read once under the lock."""

    last_chain_hash: str | None
    last_position: int  # the highest notification id stored (0 if none)
    latest: Latest  # for every originator asked about
    existing_events: set[EventKey]  # those asked about that are stored
    existing_answers: set[AnswerKey]  # those asked about that are stored


class WriteSession(Protocol):
    """One open write transaction, holding the store's write lock."""

    def read_state(
        self,
        originator_ids: Collection[UUID | str],
        event_keys: Collection[EventKey],
        answer_keys: Collection[AnswerKey],
    ) -> GroupState:
        """Keys in the answer are the caller's own objects (not the database's form)."""
        ...

    def hash_below(self, originator_id: UUID | str, version: int) -> str | None: ...

    def savepoint(self) -> AbstractContextManager[None]:
        """Rolls back to itself on error and re-raises it as a library persistence error
        (VersionConflictError for an event whose version is stored already)."""
        ...

    def insert_events(self, events: Sequence[HashedEvent]) -> list[int]: ...

    def insert_answers(self, answers: Sequence[tuple[IdempotencyRecord, int | None]]) -> None:
        """Raises IdempotencyKeyExistsError (one answer) or IntegrityError on a duplicate key."""
        ...


def answer_key(record: IdempotencyRecord) -> AnswerKey:
    return (record.caller, record.path, record.key)


def write_group(session: WriteSession, commands: Sequence[Command]) -> list[Outcome]:
    """Store the commands in order; return each one's notification ids or its own error.

    Commands that conflict with the store or with an earlier command of the group, or whose
    `unchanged` originators moved on (in the store or earlier in the group), are answered
    with their error and skipped; the others go in one insert. Should that insert
    still fail (a constraint we did not foresee), it is rolled back and the commands are
    stored one by one, each in its own savepoint. Errors other than COMMAND_ERRORS
    propagate: the whole group then fails.
    """
    event_keys = {(e.originator_id, e.originator_version) for c in commands for e in c.events}
    answer_keys = {answer_key(c.idempotency) for c in commands if c.idempotency is not None}
    watched = {i for c in commands if c.unchanged for i in c.unchanged}
    state = session.read_state({k[0] for k in event_keys} | watched, event_keys, answer_keys)

    outcomes: list[Outcome | None] = [None] * len(commands)
    claimed_events = set(state.existing_events)
    claimed_answers = set(state.existing_answers)
    written: set[UUID | str] = set()  # originators the commands accepted so far write
    accepted: list[int] = []
    for index, command in enumerate(commands):
        error = _conflict(command, claimed_events, claimed_answers) or _moved(
            command, state.latest, written
        )
        if error is not None:
            outcomes[index] = error
            continue
        claimed_events.update((e.originator_id, e.originator_version) for e in command.events)
        written.update(e.originator_id for e in command.events)
        if command.idempotency is not None:
            claimed_answers.add(answer_key(command.idempotency))
        accepted.append(index)

    if accepted:
        chosen = [commands[i] for i in accepted]
        try:
            results: list[Outcome] = _write_at_once(session, chosen, state)
        except COMMAND_ERRORS as error:
            single = len(chosen) == 1
            results = [error] if single else _write_one_by_one(session, chosen, state)
        for index, outcome in zip(accepted, results, strict=True):
            outcomes[index] = outcome
    return [o if o is not None else RuntimeError("command not written") for o in outcomes]


def _conflict(
    command: Command, claimed_events: set[EventKey], claimed_answers: set[AnswerKey]
) -> Exception | None:
    record = command.idempotency
    if record is not None and answer_key(record) in claimed_answers:
        return IdempotencyKeyExistsError(record.caller, record.path, record.key)
    seen: set[EventKey] = set()
    for e in command.events:
        key = (e.originator_id, e.originator_version)
        if key in claimed_events or key in seen:
            return VersionConflictError(
                "duplicate key value violates unique constraint: "
                f"(originator_id, originator_version)=({key[0]}, {key[1]}) already exists"
            )
        seen.add(key)
    return None


def _moved(command: Command, latest: Latest, written: set[UUID | str]) -> Exception | None:
    """The command's first `unchanged` originator that is no longer at its version."""
    for originator_id, version in (command.unchanged or {}).items():
        known = latest.get(originator_id)
        stored = None if known is None else known[0]
        if stored != version or originator_id in written:
            return ChangedMeanwhileError(originator_id, version, stored)
    return None


def _write_at_once(
    session: WriteSession, commands: Sequence[Command], state: GroupState
) -> list[Outcome]:
    latest = dict(state.latest)
    last_chain = state.last_chain_hash
    events: list[HashedEvent] = []
    ends: list[int] = []
    for command in commands:
        planned = plan_command(command.events, latest, last_chain, session.hash_below)
        latest.update(planned.latest)
        last_chain = planned.last_chain_hash
        events.extend(planned.events)
        ends.append(len(events))
    with session.savepoint():
        ids = session.insert_events(events)
        answers = [
            (command.idempotency, ids[end - 1] if command.events else None)
            for command, end in zip(commands, ends, strict=True)
            if command.idempotency is not None
        ]
        if answers:
            session.insert_answers(answers)
    outcomes: list[Outcome] = []
    start = 0
    for end in ends:
        outcomes.append(ids[start:end])
        start = end
    return outcomes


def _write_one_by_one(
    session: WriteSession, commands: Sequence[Command], state: GroupState
) -> list[Outcome]:
    latest = dict(state.latest)
    last_chain = state.last_chain_hash
    outcomes: list[Outcome] = []
    for command in commands:
        planned = plan_command(command.events, latest, last_chain, session.hash_below)
        try:
            with session.savepoint():
                ids = session.insert_events(planned.events)
                if command.idempotency is not None:
                    position = ids[-1] if ids else None
                    session.insert_answers([(command.idempotency, position)])
        except COMMAND_ERRORS as error:
            outcomes.append(error)
            continue
        latest.update(planned.latest)
        last_chain = planned.last_chain_hash
        outcomes.append(ids)
    return outcomes
