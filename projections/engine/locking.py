"""One active worker per view: a PostgreSQL session advisory lock on the worker's connection.

The lock lives on the same connection that writes the view, so a worker that loses its
connection loses the lock and cannot write either. A standby polls for the lock and takes over
when the holder's session ends (its process died, its host went away). SQLite runs the views
inside the one serving process and needs no lock. Either way the tracking row's conditional
update keeps a second writer from applying anything twice.
"""

from __future__ import annotations

import hashlib
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from projections.engine.ports import Connection


def lock_key(schema: str, view: str) -> int:
    """A stable signed 64-bit key for this view in this schema."""
    digest = hashlib.blake2b(f"tongjie.view:{schema}:{view}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def try_lock(conn: Connection, key: int) -> bool:
    if conn.dialect != "postgres":
        return True
    return bool(conn.execute("SELECT pg_try_advisory_lock(%s)", (key,))[0][0])


def wait_for_lock(
    conn: Connection, key: int, stopping: threading.Event, poll_interval: float
) -> bool:
    """Hold the lock (True), or give up because we are stopping (False)."""
    while not stopping.is_set():
        if try_lock(conn, key):
            return True
        stopping.wait(poll_interval)
    return False
