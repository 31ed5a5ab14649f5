"""How a process notices that PostgreSQL is away, and answers at once instead of waiting.

Every connection this process opens to PostgreSQL is bounded: it connects within
`CONNECT_TIMEOUT` s, a pooled one is had within `POOL_TIMEOUT` s or not at all, a statement on
a pooled connection ends within `STATEMENT_TIMEOUT_MS`, and TCP keepalives end a connection
whose peer vanished from the network. None of that helps with a database that accepts the
connection and then never answers (a host gone from the network behind a router that still
answers, a frozen server): a query sent to it waits forever.

So each process watches its database: a probe on a connection of its own (`SELECT 1` every
`PROBE_INTERVAL` s). When the probe fails, or does not answer within `PROBE_TIMEOUT` s, the
database is marked down: every connection this process has open to it is cut (its socket
shut down, so whoever waits on it gets an error at once and the client a 503), and until a
probe answers again every request for a connection fails at once instead of waiting. When a
probe answers, connections are made again on demand; those opened before the outage are
thrown away as they come out of their pools.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
import weakref
from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

import psycopg
import structlog
from eventsourcing.persistence import InterfaceError, OperationalError
from eventsourcing.postgres import ConnectionPool
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import PoolTimeout

CONNECT_TIMEOUT = 2  # seconds; the least libpq and psycopg accept
POOL_TIMEOUT = 1.0  # seconds a request waits for a pooled connection
RECONNECT_TIMEOUT = 2.0  # a pool stops retrying a failed connection after this; grows on demand
STATEMENT_TIMEOUT_MS = 30_000  # on pooled connections (requests); not on the views' workers'
PROBE_INTERVAL = 0.2
PROBE_TIMEOUT = 1.0
KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 15_000,  # ms: data the peer never acknowledges ends the connection
}

log = structlog.get_logger(__name__)
P = ParamSpec("P")
R = TypeVar("R")


class DatabaseUnreachableError(PoolTimeout):
    """No connection is lent while the probe finds the database away (a 503 to the client).

    A `PoolTimeout`, so whatever already maps a pool that has no connection maps this too."""


def application_name(purpose: str) -> str:
    """`tongjie-<purpose>-<pid>`: pg_stat_activity tells whose each connection is."""
    return f"tongjie-{purpose}-{os.getpid()}"


def connection_kwargs(purpose: str, *, statement_timeout: bool) -> dict[str, Any]:
    """What every connection to PostgreSQL is opened with (on top of its conninfo)."""
    kwargs: dict[str, Any] = {
        "connect_timeout": CONNECT_TIMEOUT,
        "application_name": application_name(purpose),
        **KEEPALIVES,
    }
    if statement_timeout:
        kwargs["options"] = f"-c statement_timeout={STATEMENT_TIMEOUT_MS}"
    return kwargs


def cut(conn: psycopg.Connection[Any]) -> None:
    """Shut the connection's socket down (from any thread): whoever waits on it gets an error
    at once. The descriptor stays the connection's: it is closed with the connection."""
    with contextlib.suppress(OSError, psycopg.Error, ValueError):
        fd = conn.pgconn.socket
        duplicate = socket.socket(fileno=os.dup(fd))
        try:
            duplicate.shutdown(socket.SHUT_RDWR)
        finally:
            duplicate.close()


def retryable(error: BaseException) -> bool:
    """Worth one more try at once: a pooled connection found broken (the database restarted,
    or the watch cut it), not a database that gave no connection or ran out of time."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, (PoolTimeout, psycopg.errors.QueryCanceled)):
            return False
        seen = seen.__cause__
    return True


def retried(func: Callable[P, R]) -> Callable[P, R]:
    """A read retried at once, up to twice, on a broken connection (see `retryable`); the
    library's own retry waits 0.2 s ten times over, which an outage turned into 50 s."""

    @wraps(func)
    def attempt(*args: P.args, **kwargs: P.kwargs) -> R:
        for tries_left in (2, 1, 0):
            try:
                return func(*args, **kwargs)
            except (InterfaceError, OperationalError, psycopg.OperationalError) as error:
                if tries_left == 0 or not retryable(error):
                    raise
        raise AssertionError  # unreachable

    return attempt


class Watch:
    """One database server as this process sees it: reachable or not (see the module)."""

    def __init__(self, conninfo: str) -> None:
        self.conninfo = conninfo
        self.down = False
        self.generation = 0  # how many outages this process has seen
        self.since = 0.0  # when the last change was seen (time.monotonic)
        self._connections: weakref.WeakKeyDictionary[psycopg.Connection[Any], int] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()
        self._users = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- users -------------------------------------------------------------------------------

    def acquire(self) -> None:
        """One more pool relies on the probe: it runs while any does."""
        with self._lock:
            self._users += 1
            if self._thread is None:
                self._stop = threading.Event()
                self._thread = threading.Thread(
                    target=self._run, args=(self._stop,), name="tongjie-db-watch", daemon=True
                )
                self._thread.start()

    def release(self) -> None:
        with self._lock:
            self._users -= 1
            if self._users > 0 or self._thread is None:
                return
            self._stop.set()
            self._thread = None

    # -- connections -----------------------------------------------------------------------

    def register(self, conn: psycopg.Connection[Any]) -> None:
        """A connection to cut when the database is found away."""
        with self._lock:
            self._connections[conn] = self.generation

    def stale(self, conn: psycopg.Connection[Any]) -> bool:
        """Opened before the last outage (cut then, or as good as)."""
        with self._lock:
            return self._connections.get(conn, self.generation) < self.generation

    def refuse_if_down(self) -> None:
        if self.down:
            raise DatabaseUnreachableError("the database does not answer (probed)")

    # -- the probe -------------------------------------------------------------------------

    def _run(self, stop: threading.Event) -> None:
        conn: psycopg.Connection[Any] | None = None
        try:
            while not stop.is_set():
                started = time.monotonic()
                try:
                    if conn is None or conn.closed:
                        conn = psycopg.connect(
                            self.conninfo,
                            autocommit=True,
                            **connection_kwargs("watch", statement_timeout=False),
                        )
                    self._select_one(conn)
                except psycopg.Error as error:
                    if conn is not None:
                        conn.close()
                        conn = None
                    self._went_down(str(error).strip().splitlines()[0] if str(error) else "")
                else:
                    self._came_back()
                stop.wait(max(0.0, PROBE_INTERVAL - (time.monotonic() - started)))
        finally:
            if conn is not None:
                conn.close()

    def _select_one(self, conn: psycopg.Connection[Any]) -> None:
        def no_answer() -> None:
            self._went_down(f"no answer within {PROBE_TIMEOUT:.1f} s")
            cut(conn)

        timer = threading.Timer(PROBE_TIMEOUT, no_answer)
        timer.daemon = True
        timer.start()
        try:
            conn.execute("SELECT 1")
        finally:
            timer.cancel()

    def _went_down(self, reason: str) -> None:
        with self._lock:
            if self.down:
                return
            self.down = True
            self.generation += 1
            self.since = time.monotonic()
            opened = list(self._connections)
        log.warning("database_unreachable", reason=reason[:200], cut=len(opened))
        for conn in opened:
            cut(conn)

    def _came_back(self) -> None:
        with self._lock:
            if not self.down:
                return
            self.down = False
            away = time.monotonic() - self.since
            self.since = time.monotonic()
        log.info("database_reachable", after_seconds=round(away, 2))


_watches: dict[tuple[tuple[str, str], ...], Watch] = {}
_watches_lock = threading.Lock()


def watch(conninfo: str) -> Watch:
    """The one watch of this process for the server and database `conninfo` names."""
    params = conninfo_to_dict(conninfo)
    key = tuple(
        sorted(
            (name, str(value))
            for name, value in params.items()
            if name in ("host", "hostaddr", "port", "dbname", "user", "password") and value
        )
    )
    with _watches_lock:
        found = _watches.get(key)
        if found is None:
            found = _watches[key] = Watch(conninfo)
        return found


def connect(conninfo: str, purpose: str, **kwargs: Any) -> psycopg.Connection[Any]:
    """A connection of its own (a view worker's, a listener's), bounded and watched."""
    watched = watch(conninfo)
    watched.refuse_if_down()
    conn = psycopg.connect(
        conninfo, **{**connection_kwargs(purpose, statement_timeout=False), **kwargs}
    )
    watched.register(conn)
    return conn


class GuardedPool(ConnectionPool[Any]):
    """A pool whose connections are bounded and watched: while the watch finds the database
    away it lends nothing (at once), and it throws away what was opened before an outage."""

    def __init__(
        self,
        conninfo: str,
        *,
        purpose: str,
        kwargs: dict[str, Any] | None = None,
        configure: Callable[[psycopg.Connection[Any]], None] | None = None,
        **options: Any,
    ) -> None:
        self.watch = watch(conninfo)
        self._configure_further = configure
        self._watching = False
        options.setdefault("timeout", POOL_TIMEOUT)
        options.setdefault("reconnect_timeout", RECONNECT_TIMEOUT)
        super().__init__(
            conninfo,
            kwargs={**connection_kwargs(purpose, statement_timeout=True), **(kwargs or {})},
            configure=self._configured,
            **options,
        )

    def _configured(self, conn: psycopg.Connection[Any]) -> None:
        if self._configure_further is not None:
            self._configure_further(conn)
        self.watch.register(conn)

    def open(self, wait: bool = False, timeout: float = 30.0) -> None:
        if not self._watching:
            self._watching = True
            self.watch.acquire()
        super().open(wait, timeout)

    def getconn(self, timeout: float | None = None) -> Any:
        while True:
            self.watch.refuse_if_down()
            conn = super().getconn(timeout)
            if not self.watch.stale(conn):
                return conn
            conn.close()  # its socket was cut in an outage: the pool makes a new one
            self.putconn(conn)

    def close(self, timeout: float = 5.0) -> None:
        super().close(timeout)
        if self._watching:
            self._watching = False
            self.watch.release()
