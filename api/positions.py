"""`?min_position=n` names a store position; one the store has not reached is a client's error.

Waiting for a view to reach a position nobody has written yet could only end in a 504 five
seconds later; so a position beyond the store's last one is a 422 at once (one query for the
head, made only when the view has not reached the position already).
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool

from api.problems import InvalidFieldsError
from projections.views import Views


async def refuse_beyond_head(views: Views, min_position: int | None) -> None:
    if min_position is None or views.feed.position() >= min_position:
        return
    found: int | None = await run_in_threadpool(views.engine.recorder.max_notification_id)
    head = found or 0
    if min_position > head:
        raise InvalidFieldsError(
            "min_position",
            f"beyond the store's last position ({head}): use the X-Position of a write",
        )
