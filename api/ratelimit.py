"""Failed authentications from one client address: guessing is limited, a good token is not.

Two limits, each over a minute:

- one token that fails more than 20 times from one address (a client retrying a revoked or
  mistyped token) is answered 429 from that address until its minute ends: that token only,
  so the other people behind the same address (an office behind one NAT) keep working;
- more than 20 *different* failing tokens from one address (guessing) lock the address out:
  every request from it is answered 429 until the oldest of those failures is a minute old.

Failures are counted where every server process sees them: in a small table of the store's
database (infrastructure/access.py), keyed by the address and a short hash of the token (never
the token), touched only by a failed authentication, never by a request that authenticates.
The failure that crosses a limit, and every later one, is a 429 on whichever process gets it;
the process that answered it also remembers the lock-out in memory, so a locked request costs
no query. Without a store that can keep the count (tests), this process counts in memory.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable
from typing import NamedTuple, Protocol

MAX_FAILURES = 20
WINDOW_SECONDS = 60.0


class Failures(NamedTuple):
    """One failure counted: this token's failures from the address in its window, the seconds
    left in that window, the different tokens failing from the address within a window, and
    the seconds until the oldest of those is out of it."""

    token_failures: int
    token_left: float
    tokens: int
    tokens_left: float


class FailureCounter(Protocol):
    def count_failure(
        self, address: str, token: str, window: float
    ) -> tuple[int, float, int, float]:
        """Count one failure of `token` (a short hash of it) from `address`: `Failures`."""
        ...

    def clear_failures(self) -> None: ...


def token_key(token: str) -> str:
    """What is kept of a failing token: enough to tell tokens apart, useless to anyone."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


class MemoryFailures:
    """This process's own count (each process counts its own)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._windows: dict[tuple[str, str], tuple[float, int]] = {}  # -> (started, failures)
        self._lock = threading.Lock()

    def count_failure(self, address: str, token: str, window: float) -> Failures:
        now = self.clock()
        with self._lock:
            started, failures = self._windows.get((address, token), (now, 0))
            if now - started >= window:
                started, failures = now, 0
            self._windows[address, token] = (started, failures + 1)
            if len(self._windows) > 10_000:
                self._windows = {k: w for k, w in self._windows.items() if now - w[0] < window}
            live = [s for (a, _), (s, _) in self._windows.items() if a == address]
            live = [s for s in live if now - s < window]
        return Failures(failures + 1, started + window - now, len(live), min(live) + window - now)

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
        # when each lock-out ends (self.clock): an address's, or one token's from an address
        self._locked: dict[tuple[str, str | None], float] = {}
        self._lock = threading.Lock()

    def share(self, counter: FailureCounter) -> None:
        """Count in `counter` from now on (the store's table, shared by every process)."""
        self.counter = counter

    def retry_after(self, address: str, token: str | None = None) -> int | None:
        """Seconds until this request may be tried again, or None when this process has not
        locked out its address or its token from that address (no I/O: asked on every
        request)."""
        if not self._locked:  # nothing locked out: no token to hash (the usual request)
            return None
        keys: list[tuple[str, str | None]] = [(address, None)]
        if token is not None:
            keys.append((address, token_key(token)))
        now = self.clock()
        with self._lock:
            left = 0.0
            for key in keys:
                until = self._locked.get(key)
                if until is None:
                    continue
                if until <= now:
                    del self._locked[key]
                else:
                    left = max(left, until - now)
        return max(1, math.ceil(left)) if left > 0 else None

    def fail(self, address: str, token: str) -> int | None:
        """Count a failure; the Retry-After seconds if the token or the address is now over."""
        key = token_key(token)
        counted = Failures(*self.counter.count_failure(address, key, self.window))
        locks: list[tuple[tuple[str, str | None], float]] = []
        if counted.token_failures > self.max_failures:
            locks.append(((address, key), counted.token_left))
        if counted.tokens > self.max_failures:
            locks.append(((address, None), counted.tokens_left))
        if not locks:
            return None
        now = self.clock()
        with self._lock:
            for lock, left in locks:
                self._locked[lock] = now + left
            if len(self._locked) > 10_000:
                self._locked = {k: t for k, t in self._locked.items() if t > now}
        return max(1, math.ceil(max(left for _, left in locks)))

    def reset(self) -> None:
        """Forget every failure and lock-out (an operator's unlock; tests start clean)."""
        self.counter.clear_failures()
        with self._lock:
            self._locked.clear()
