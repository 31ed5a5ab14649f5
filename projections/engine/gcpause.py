"""No cyclic garbage collection while batches are decoded and applied.

A batch creates thousands of dicts that live until it commits, and the collector would scan
them again and again (it halves the speed of decoding). Decoded events hold no reference
cycles, so nothing is lost: the collector runs again as soon as no thread of this process is
inside a batch.

A rebuild holds the pause across all its batches, not batch by batch: else each batch's
survivors (the memo of facts, the next decoded page) are scanned again by the collections
between batches, and by the older generations' later (3.5 s of a 22 s rebuild of 1,000,000
events, 2026-11-30). A rebuild of that store leaves no cyclic garbage (`gc.collect()` after it
finds none) and its peak memory is the same; other threads' cyclic garbage waits for the
rebuild's end (some 20 s per 1,000,000 events).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_was_enabled = True


@contextmanager
def gc_paused() -> Iterator[None]:
    global _holders, _was_enabled
    with _lock:
        _holders += 1
        if _holders == 1:
            _was_enabled = gc.isenabled()
            gc.disable()
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _was_enabled:
                gc.enable()
