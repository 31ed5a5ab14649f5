"""What the views need from outside, as typed ports; the composition root hands in adapters.

The adapters (SQLite and PostgreSQL connections, the raw-SQL log reader, LISTEN waking) live in
`infrastructure/views/`; nothing in `projections` imports a database driver. A view writes SQL
text with `%s` placeholders against `Connection`, and asks its `dialect` where the two differ.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Sequence
from contextlib import AbstractContextManager
from typing import Any, Literal, Protocol

Dialect = Literal["sqlite", "postgres"]
Row = tuple[Any, ...]
Statement = tuple[str, Sequence[Any]]
"""SQL text with `%s` placeholders, and its parameters."""


class Connection(Protocol):
    """One connection, in autocommit mode outside `transaction()`."""

    @property
    def dialect(self) -> Dialect: ...

    @property
    def missing_table(self) -> tuple[type[Exception], ...]:
        """What a statement on a table that does not exist raises (a generation dropped
        since the catalog was read): the driver's own errors, so that any other failure,
        and this one re-raised, keeps its meaning (a database away is a 503)."""
        ...

    @property
    def failures(self) -> tuple[type[Exception], ...]:
        """What the database raises when it, not a statement's data, failed (a lost
        connection, a timeout, a missing table, a statement it cannot run): a batch that
        raises one is retried whole, never set aside event by event (engine/poison.py)."""
        ...

    def execute(
        self, statement: str, params: Sequence[Any] = (), *, prepare: bool = True
    ) -> list[Row]:
        """Run a statement, and its rows if it has any. `prepare`: PostgreSQL keeps it
        prepared (set False for a statement whose best plan depends on its parameters)."""
        ...

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None: ...

    def rowcount(self, statement: str, params: Sequence[Any] = ()) -> int:
        """Run a statement and say how many rows it changed."""
        ...

    def batch(
        self,
        statements: Sequence[Statement],
        *,
        before: str | None = None,
        after: str | None = None,
    ) -> list[list[Row]]:
        """Send `before`, the statements and `after` together, then give each statement's
        rows, in order. PostgreSQL: one pipeline, one round trip (`before` may BEGIN a read
        transaction and `after` COMMIT it); SQLite, in-process: one after the other."""
        ...

    def copy(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Insert `rows` (bulk: a binary COPY on PostgreSQL, so each value must be of its
        column's Python type: UUID for uuid, datetime for timestamptz, int, Decimal, str)."""
        ...

    def upsert(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], key: str
    ) -> None:
        """Insert `rows`, replacing every column of a row whose `key` exists (bulk: COPY)."""
        ...

    def extension(self, name: str) -> str | None:
        """The schema where the database extension `name` lives, created if this role may;
        None if it cannot be had (always on SQLite). Within a transaction, a refusal does
        not spoil it."""
        ...

    def transaction(self) -> AbstractContextManager[None]:
        """BEGIN ... COMMIT, or ROLLBACK when its block raises."""
        ...

    def savepoint(self) -> AbstractContextManager[None]:
        """Within `transaction()`: a block whose statements are undone alone when it raises;
        the transaction goes on."""
        ...

    def rollback(self) -> None:
        """End the transaction this connection is in, if any, rolling it back (after a
        `batch` whose `before` began one and whose `after` was not reached)."""
        ...

    def close(self) -> None: ...


class Database(Protocol):
    """Where the views live: dedicated connections for workers, pooled ones for queries."""

    @property
    def dialect(self) -> Dialect: ...

    @property
    def schema(self) -> str:
        """The PostgreSQL schema (it keys the workers' locks); "public" on SQLite."""
        ...

    def connect(self) -> Connection:
        """A new connection of its own (a worker's), closed by the caller."""
        ...

    def connection(self) -> AbstractContextManager[Connection]:
        """A pooled connection for short queries (one per thread on SQLite)."""
        ...

    def close(self) -> None: ...


StoredRow = tuple[int, Any, int, str, "bytes | None"]
"""`(notification id, originator id, originator version, topic, state)`; `state` is None for
an event of a topic the reader does not want."""


class LogReader(Protocol):
    def read(self, after: int, limit: int) -> list[StoredRow]:
        """The next `limit` rows of the log with ids above `after`, in order, whatever their
        topics (so a short page means caught up)."""
        ...


OpenLog = Callable[[Collection[str]], LogReader]
"""Opens a reader of the store's notification log that reads the state of these topics."""


class WakeSignal(Protocol):
    """Events to set when something happened; each waiter holds its own."""

    def subscribe(self) -> threading.Event: ...

    def unsubscribe(self, event: threading.Event) -> None: ...

    def fire(self) -> None: ...


class WakeSource(Protocol):
    """What the view workers and the position feed wait on: `signal` fires on news, and
    `poll_interval` bounds a wait when nothing fires."""

    @property
    def signal(self) -> WakeSignal: ...

    poll_interval: float

    def start(self) -> None: ...

    def close(self) -> None: ...


class CommitSignal(Protocol):
    """The store's: sets the events it holds after each commit of this process's writer."""

    def add(self, event: threading.Event) -> None: ...

    def discard(self, event: threading.Event) -> None: ...


class SignalsCommits(Protocol):
    """A store that tells this process of its own commits (ours do): a view then wakes at
    once, not at its next poll."""

    @property
    def commit_signal(self) -> CommitSignal: ...


class ViewKeys(Protocol):
    """The keys of the personal data a view holds (`infrastructure/keys.py`): keyed hashes of
    parties' normalised identifiers, and, with the cipher key set, sealing of free text."""

    @property
    def sealing(self) -> bool:
        """Whether free text is sealed (encrypted) before it is stored: the cipher key is set."""
        ...

    def token(self, kind: str, value: str) -> bytes:
        """The keyed hash of a normalised identifier of this kind (name, phone, id)."""
        ...

    def seal(self, text: str) -> bytes: ...

    def unseal(self, data: bytes) -> str: ...
