"""Reading the notification log a page ahead of the view that applies it.

The next page is fetched on another thread while this one is decoded and applied, so database
time and Python time overlap. Reads go through the recorder's `select_notifications`.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from eventsourcing.persistence import ApplicationRecorder, Notification


class PageReader:
    def __init__(self, recorder: ApplicationRecorder, page_size: int, name: str) -> None:
        self._recorder = recorder
        self.page_size = page_size
        self._executor = ThreadPoolExecutor(1, thread_name_prefix=f"tongjie-read-{name}")
        self._ahead: tuple[int, Future[Sequence[Notification]]] | None = None

    def read(self, after: int) -> Sequence[Notification]:
        """The notifications with ids above `after`, at most one page, in id order."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead[0] == after:
            page = ahead[1].result()
        else:
            if ahead is not None:
                ahead[1].cancel()
            page = self._select(after)
        if len(page) == self.page_size:
            last = page[-1].id
            self._ahead = (last, self._executor.submit(self._select, last))
        return page

    def _select(self, after: int) -> Sequence[Notification]:
        return self._recorder.select_notifications(
            start=after, limit=self.page_size, inclusive_of_start=False
        )

    def close(self) -> None:
        self._ahead = None
        self._executor.shutdown(wait=True, cancel_futures=True)
