"""Who read what (查阅记录): the lines of the access log of reads of a case's parties.

A line says who read (the user's id, login and role), when, which case and by which path
(the route); never anything that was read. The log is hash-chained like the event store, so a
line deleted or changed is found by the audit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.integrity import Finding


@dataclass(frozen=True)
class CaseRead:
    """One read of one case's parties."""

    case_id: UUID
    actor_id: str
    login: str
    role: str
    path: str
    read_at: datetime


@dataclass(frozen=True)
class LoggedRead:
    """A line of the log: the read, its place in the log (1, 2, 3, ...) and its hashes."""

    seq: int
    read: CaseRead
    prev_hash: str | None
    hash: str


@dataclass(frozen=True)
class ReadLogCheck:
    """The check of the whole log's chain: how many lines were read and each break found."""

    lines: int
    findings: tuple[Finding, ...]

    @property
    def valid(self) -> bool:
        return not self.findings


READ_LOG = "ReadLog"
"""The `topic` of an audit finding about the access log (it is not an event)."""
