"""A worker of `tongjie serve --workers N` leaves when its master process dies.

uvicorn's master forks the workers, which share the listening socket; if the master is killed
outright (SIGKILL, an out-of-memory kill) the workers would go on serving the port, orphaned,
and a new `tongjie serve` could not bind it. Each worker therefore checks every half second that
its parent is still the master that started it; when not, it shuts down as on SIGTERM (finishing
the requests in hand), and leaves at once if that has not ended it within `GRACE` seconds.
"""

from __future__ import annotations

import os
import signal
import threading

import structlog

MASTER_ENV = "TONGJIE_SERVE_MASTER_PID"
POLL_SECONDS = 0.5
GRACE = 10.0

log = structlog.get_logger("tongjie.api")


def watch_master() -> threading.Event | None:
    """Start watching if this process is a worker of a multi-worker `serve`; set the returned
    event to stop watching (at a normal shutdown)."""
    master = os.environ.get(MASTER_ENV, "")
    if not master.isdigit() or int(master) == os.getpid():
        return None
    stop = threading.Event()
    thread = threading.Thread(
        target=_watch, args=(int(master), stop), name="tongjie-master-watch", daemon=True
    )
    thread.start()
    return stop


def _watch(master: int, stop: threading.Event) -> None:
    while os.getppid() == master:
        if stop.wait(POLL_SECONDS):
            return
    log.warning("serve_master_gone", master=master, worker=os.getpid())
    os.kill(os.getpid(), signal.SIGTERM)
    if not stop.wait(GRACE):
        os._exit(1)
