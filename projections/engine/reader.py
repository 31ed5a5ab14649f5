"""Reading and decoding the notification log a page ahead of the view that applies it.

The next page is fetched and decoded on another thread while this one is applied, so the
database's time, the decoding and the applying overlap. Reads go through the recorder's
`select_notifications`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from projections.engine.gcpause import gc_paused
from projections.engine.view import ViewEvent

if TYPE_CHECKING:
    from eventsourcing.persistence import ApplicationRecorder, Notification

Decode = Callable[[Sequence["Notification"]], list[ViewEvent]]


@dataclass(frozen=True)
class Page:
    """Up to a page of notifications after some position: how many, the last id, the events
    the view reads among them."""

    count: int
    last: int
    events: list[ViewEvent]


EMPTY = Page(0, 0, [])


class PageReader:
    def __init__(
        self, recorder: ApplicationRecorder, page_size: int, name: str, decode: Decode
    ) -> None:
        self._recorder = recorder
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
        notifications = self._recorder.select_notifications(
            start=after, limit=self.page_size, inclusive_of_start=False
        )
        if not notifications:
            return EMPTY
        with gc_paused():
            events = self._decode(notifications)
        return Page(len(notifications), notifications[-1].id, events)

    def close(self) -> None:
        self._ahead = None
        self._executor.shutdown(wait=True, cancel_futures=True)
