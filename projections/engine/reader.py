"""Reading and decoding the notification log a page ahead of the view that applies it.

The next page is fetched and decoded on another thread while this one is applied, so the
database's time, the decoding and the applying overlap. Reads go through a `LogReader`
(a port: `projections.engine.ports`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from projections.engine.gcpause import gc_paused
from projections.engine.poison import PoisonedEvent
from projections.engine.view import ViewEvent

if TYPE_CHECKING:
    from projections.engine.ports import LogReader, StoredRow

Decode = Callable[[Sequence["StoredRow"]], tuple[list[ViewEvent], list[PoisonedEvent]]]


@dataclass(frozen=True)
class Page:
    """Up to a page of notifications after some position: how many, the last id, the events
    the view reads among them, and those among them that could not be decoded."""

    count: int
    last: int
    events: list[ViewEvent]
    undecodable: list[PoisonedEvent] = field(default_factory=list)


EMPTY = Page(0, 0, [])


class PageReader:
    def __init__(self, log: LogReader, page_size: int, name: str, decode: Decode) -> None:
        self._log = log
        self.page_size = page_size
        self._decode = decode
        self._executor = ThreadPoolExecutor(1, thread_name_prefix=f"tongjie-read-{name}")
        self._ahead: tuple[int, Future[Page]] | None = None

    def read(self, after: int) -> Page:
        """The page of notifications with ids above `after`, decoded."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead[0] == after:
            page = ahead[1].result()
        else:
            if ahead is not None:
                ahead[1].cancel()
            page = self._page(after)
        if page.count == self.page_size:
            self._ahead = (page.last, self._executor.submit(self._page, page.last))
        return page

    def _page(self, after: int) -> Page:
        rows = self._log.read(after, self.page_size)
        if not rows:
            return EMPTY
        with gc_paused():
            events, undecodable = self._decode(rows)
        return Page(len(rows), rows[-1][0], events, undecodable)

    def close(self) -> None:
        self._ahead = None
        self._executor.shutdown(wait=True, cancel_futures=True)
