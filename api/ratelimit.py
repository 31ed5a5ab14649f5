"""Failed authentications, counted per client address: more than 20 in a minute locks it out.

The count is kept where every server process sees it: in a small table of the store's
database (infrastructure/access.py), touched only by a failed authentication, never by a
request that authenticates. A window starts at an address's first failure and lasts a minute;
the failure that crosses the limit, and every one after it in that window, is answered 429 by
whichever process gets it. The process that answered a 429 also locks the address out for
good tokens until the window ends (it remembers that in memory: a request whose token is
good is not worth a query). Without a store that can keep the count (tests), this process
counts in memory.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Protocol

MAX_FAILURES = 20
WINDOW_SECONDS = 60.0


class FailureCounter(Protocol):
    def count_failure(self, address: str, window: float) -> tuple[int, float]:
        """Count one failure: the failures in the address's window, and its seconds left."""
        ...

    def clear_failures(self) -> None: ...


class MemoryFailures:
    """This process's own count (each process counts its own)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._windows: dict[str, tuple[float, int]] = {}  # address -> (started, failures)
        self._lock = threading.Lock()

    def count_failure(self, address: str, window: float) -> tuple[int, float]:
        now = self.clock()
        with self._lock:
            started, failures = self._windows.get(address, (now, 0))
            if now - started >= window:
                started, failures = now, 0
            self._windows[address] = (started, failures + 1)
            if len(self._windows) > 10_000:
                self._windows = {a: w for a, w in self._windows.items() if now - w[0] < window}
        return failures + 1, started + window - now

    def clear_failures(self) -> None:
        with self._lock:
            self._windows.clear()


class FailedAuthLimiter:
    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        counter: FailureCounter | None = None,
    ) -> None:
        self.max_failures = max_failures
        self.window = window
        self.clock = clock
        self.counter: FailureCounter = counter or MemoryFailures(clock)
        self._locked: dict[str, float] = {}  # address -> when its lock-out ends (self.clock)
        self._lock = threading.Lock()

    def share(self, counter: FailureCounter) -> None:
        """Count in `counter` from now on (the store's table, shared by every process)."""
        self.counter = counter

    def retry_after(self, address: str) -> int | None:
        """Seconds until `address` may try again, or None when this process has not locked it
        out (no I/O: asked on every request)."""
        with self._lock:
            until = self._locked.get(address)
            if until is None:
                return None
            left = until - self.clock()
            if left <= 0:
                del self._locked[address]
                return None
        return max(1, math.ceil(left))

    def fail(self, address: str) -> int | None:
        """Count a failure; the Retry-After seconds if the address is now over the limit."""
        failures, left = self.counter.count_failure(address, self.window)
        if failures <= self.max_failures:
            return None
        with self._lock:
            self._locked[address] = self.clock() + left
            if len(self._locked) > 10_000:
                now = self.clock()
                self._locked = {a: t for a, t in self._locked.items() if t > now}
        return max(1, math.ceil(left))

    def reset(self) -> None:
        """Forget every failure and lock-out (an operator's unlock; tests start clean)."""
        self.counter.clear_failures()
        with self._lock:
            self._locked.clear()
