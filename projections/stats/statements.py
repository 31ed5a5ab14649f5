"""The statements of one statistics answer, sent together: on PostgreSQL in one pipeline.

Each part of an answer (cells, partial days, durations, deadlines) adds its statement and what
to do with the rows; `run` sends them all and then hands each its rows. On PostgreSQL that is
one round trip for all of them (a pipeline: `Connection.batch`), with the statement that ends
the read transaction (COMMIT) in the same trip; on SQLite, in-process, one after the other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from projections.engine.ports import Connection

Handler = Callable[[list[Any]], None]


class Statements:
    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        """The database's ("postgres" or "sqlite"): a statement may depend on it."""
        self.pending: list[tuple[str, Sequence[Any], Handler]] = []

    def add(self, statement: str, params: Sequence[Any], handle: Handler) -> None:
        self.pending.append((statement, params, handle))

    def run(self, conn: Connection, last: str | None = None) -> None:
        """Send every statement (then `last`, if any), then hand each its rows, in order."""
        self.take(conn.batch(self.sent(), after=last))

    def sent(self) -> list[tuple[str, Sequence[Any]]]:
        """The statements, to send with others (then `take` their rows)."""
        return [(statement, params) for statement, params, _ in self.pending]

    def take(self, found: Sequence[list[Any]]) -> None:
        """Hand each statement its rows, in order."""
        for (_, _, handle), rows in zip(self.pending, found, strict=True):
            handle(rows)
