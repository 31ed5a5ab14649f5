"""A view worker process that SIGKILLs itself inside the transaction of a chosen batch.

    python -m tests.integration.projections.dying_worker URL DIE_AT PAGE_SIZE [VIEW]

The batch of VIEW (default: the board) whose last position reaches DIE_AT has written its rows
and moved its tracking position, uncommitted, when the process dies.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

from api.bootstrap import build_application, build_views
from infrastructure.settings import Settings


def main() -> None:
    url, die_at, page_size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    view = sys.argv[4] if len(sys.argv) > 4 else "board"
    settings = Settings(database_url=url)
    app = build_application(settings)

    def fault(stage: str, position: int) -> None:
        worker = threading.current_thread().name == f"tongjie-view-{view}"
        if stage == "before_commit" and position >= die_at and worker:
            os.kill(os.getpid(), signal.SIGKILL)

    views = build_views(settings, app, page_size=page_size, fault=fault)
    views.start(workers=True)
    time.sleep(60)


if __name__ == "__main__":
    main()
