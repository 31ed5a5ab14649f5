"""Failed authentications, counted per client address: more than 20 in a minute locks it out.

Counted in this process's memory (each server process counts its own); the lock lasts until
the minute that began with the address's first failure has passed.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_FAILURES = 20
WINDOW_SECONDS = 60.0


@dataclass
class _Window:
    started: float
    failures: int = 0


class FailedAuthLimiter:
    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window: float = WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window = window
        self.clock = clock
        self._windows: dict[str, _Window] = {}
        self._lock = threading.Lock()

    def retry_after(self, address: str) -> int | None:
        """Seconds until `address` may try again, or None when it is not locked out."""
        now = self.clock()
        with self._lock:
            window = self._current(address, now)
            if window is None or window.failures <= self.max_failures:
                return None
            return max(1, math.ceil(window.started + self.window - now))

    def fail(self, address: str) -> int | None:
        """Count a failure; the Retry-After seconds if this one crossed the limit."""
        now = self.clock()
        with self._lock:
            window = self._current(address, now)
            if window is None:
                window = self._windows[address] = _Window(started=now)
            window.failures += 1
            if len(self._windows) > 10_000:
                self._prune(now)
            if window.failures <= self.max_failures:
                return None
            return max(1, math.ceil(window.started + self.window - now))

    def _current(self, address: str, now: float) -> _Window | None:
        window = self._windows.get(address)
        if window is not None and now - window.started >= self.window:
            del self._windows[address]
            return None
        return window

    def _prune(self, now: float) -> None:
        for address in [a for a, w in self._windows.items() if now - w.started >= self.window]:
            del self._windows[address]
