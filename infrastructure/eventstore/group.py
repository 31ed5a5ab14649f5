"""What one group transaction does: hash, insert, and keep each command's failure its own.

The database specifics sit behind `WriteSession`; this module decides the order of work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from eventsourcing.persistence import DataError, IntegrityError

from infrastructure.eventstore.chain import HashedEvent, Latest, plan_command
from infrastructure.eventstore.idempotency import IdempotencyKeyExistsError, IdempotencyRecord

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence
    from contextlib import AbstractContextManager
    from uuid import UUID

    from eventsourcing.persistence import StoredEvent

# A command with one of these errors is rolled back to its savepoint and fails alone.
COMMAND_ERRORS = (IntegrityError, DataError, IdempotencyKeyExistsError)

Outcome = list[int] | BaseException


class Command(Protocol):
    @property
    def events(self) -> Sequence[StoredEvent]: ...

    @property
    def idempotency(self) -> IdempotencyRecord | None: ...


class WriteSession(Protocol):
    """One open write transaction, holding the store's write lock."""

    def last_chain_hash(self) -> str | None: ...

    def latest_hashes(self, originator_ids: Collection[UUID | str]) -> Latest: ...

    def hash_below(self, originator_id: UUID | str, version: int) -> str | None: ...

    def savepoint(self) -> AbstractContextManager[None]:
        """Rolls back to itself on error and re-raises it as a library persistence error."""
        ...

    def insert_events(self, events: Sequence[HashedEvent]) -> list[int]: ...

    def insert_answers(self, answers: Sequence[tuple[IdempotencyRecord, int | None]]) -> None:
        """Raises IdempotencyKeyExistsError (one answer) or IntegrityError on a duplicate key."""
        ...

    def answer_exists(self, record: IdempotencyRecord) -> bool: ...


def write_group(session: WriteSession, commands: Sequence[Command]) -> list[Outcome]:
    """Store the commands in order; return each one's notification ids or its own error.

    First try everything in one insert (the common case: no conflict); if any command
    fails, roll that attempt back and store the commands one by one, each in a savepoint.
    Errors other than COMMAND_ERRORS propagate: the whole group then fails.
    """
    originator_ids = {e.originator_id for command in commands for e in command.events}
    latest = session.latest_hashes(originator_ids)
    last_chain = session.last_chain_hash()
    if len(commands) > 1:
        outcomes = _write_at_once(session, commands, latest, last_chain)
        if outcomes is not None:
            return outcomes
    return _write_one_by_one(session, commands, latest, last_chain)


def _write_at_once(
    session: WriteSession,
    commands: Sequence[Command],
    latest: Latest,
    last_chain: str | None,
) -> list[Outcome] | None:
    latest = dict(latest)
    events: list[HashedEvent] = []
    ends: list[int] = []
    for command in commands:
        planned = plan_command(command.events, latest, last_chain, session.hash_below)
        latest.update(planned.latest)
        last_chain = planned.last_chain_hash
        events.extend(planned.events)
        ends.append(len(events))
    try:
        with session.savepoint():
            ids = session.insert_events(events)
            answers = [
                (command.idempotency, ids[end - 1] if command.events else None)
                for command, end in zip(commands, ends, strict=True)
                if command.idempotency is not None
            ]
            if answers:
                session.insert_answers(answers)
    except COMMAND_ERRORS:
        return None
    outcomes: list[Outcome] = []
    start = 0
    for end in ends:
        outcomes.append(ids[start:end])
        start = end
    return outcomes


def _write_one_by_one(
    session: WriteSession,
    commands: Sequence[Command],
    latest: Latest,
    last_chain: str | None,
) -> list[Outcome]:
    latest = dict(latest)
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
            outcomes.append(_command_error(session, command, error))
            continue
        latest.update(planned.latest)
        last_chain = planned.last_chain_hash
        outcomes.append(ids)
    return outcomes


def _command_error(session: WriteSession, command: Command, error: Exception) -> Exception:
    """A retried command usually conflicts on its events first; report the key instead."""
    record = command.idempotency
    if isinstance(error, IntegrityError) and record is not None and session.answer_exists(record):
        return IdempotencyKeyExistsError(record.caller, record.path, record.key)
    return error
