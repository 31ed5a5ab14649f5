"""Who read what (查阅记录): every read of a case's parties by a user, in an append-only log.

A line says who (the user's id, login and role), when, which case and by which path (the
route, e.g. `GET /api/v1/cases/{id}/history`); never anything read. Lines are hash-chained
like the event store (each line's hash covers the one before), so a line deleted or changed in
the database breaks the chain, and `tongjie audit verify` reports it.

The records are the domain's (domain/reads.py); the log's adapter (infrastructure/readlog.py)
is handed in by the composition root. `record` returns only once the lines are durable: a read
that cannot be logged is not answered.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from domain.reads import CaseRead, LoggedRead, ReadLogCheck
from domain.times import utcnow
from domain.values import Actor


class ReadLogPort(Protocol):
    def append(self, reads: Sequence[CaseRead]) -> None:
        """Store the reads, chained after the last line; returns once they are durable."""
        ...

    def of_case(self, case_id: UUID) -> list[LoggedRead]: ...

    def of_cases(self, case_ids: Sequence[UUID]) -> list[LoggedRead]: ...

    def verify(self) -> ReadLogCheck: ...


class ReadNotRecordedError(RuntimeError):
    """The access log could not store a read: the read is not answered (503)."""


class ReadLog:
    def __init__(self, port: ReadLogPort | None) -> None:
        self.port = port

    def record(self, actor: Actor, case_ids: Sequence[UUID], path: str) -> None:
        """Log that `actor` read the parties of these cases by `path`; durable on return."""
        if self.port is None or not case_ids:
            return
        at = utcnow()
        reads = [
            CaseRead(case_id, actor.id, actor.login, actor.role.value, path, at)
            for case_id in dict.fromkeys(case_ids)
        ]
        try:
            self.port.append(reads)
        except Exception as error:
            raise ReadNotRecordedError(f"the read could not be logged: {error}") from error

    def of_case(self, case_id: UUID) -> list[LoggedRead]:
        return [] if self.port is None else self.port.of_case(case_id)

    def of_cases(self, case_ids: Sequence[UUID]) -> list[LoggedRead]:
        return [] if self.port is None else self.port.of_cases(case_ids)

    def verify(self) -> ReadLogCheck:
        return ReadLogCheck(0, ()) if self.port is None else self.port.verify()
