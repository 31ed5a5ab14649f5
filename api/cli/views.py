"""`tongjie project` (the view workers as a process) and `tongjie rebuild [VIEW]`."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from api.bootstrap import build_views
from api.cli.context import fail, opened, settings
from infrastructure.logging import configure_logging

if TYPE_CHECKING:  # the projections are imported where used: other commands do without them
    from projections.views import Views


@contextmanager
def _views(only: list[str] | None = None, *, existing: bool = False) -> Iterator[Views]:
    from projections.engine import UnknownViewError

    with opened(existing=existing) as app:
        try:
            views = build_views(settings(), app, only)
        except UnknownViewError as error:
            fail(str(error))
        try:
            yield views
        finally:
            views.close()


def _stop_on_signals() -> threading.Event:
    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    return stopping


def project(
    view: Annotated[
        list[str] | None,
        typer.Option("--view", help="run only this view's worker (repeat for several)"),
    ] = None,
) -> None:
    """Keep the views current: run this beside `tongjie serve` on PostgreSQL.

    Run several (on several hosts if you like): per view one works and the others stand by,
    taking over when it stops. On SQLite `tongjie serve` runs the views itself.
    """
    config = settings()
    configure_logging(config)
    stopping = _stop_on_signals()
    with _views(view or None) as views:
        views.start(workers=True)
        names = ", ".join(views.engine.views)
        typer.echo(f"tongjie: projecting {names} (Ctrl-C stops)", err=True)
        if not config.is_postgres:
            typer.echo("tongjie: note: on SQLite `tongjie serve` runs the views itself", err=True)
        while not stopping.wait(1.0):
            pass
        typer.echo("tongjie: stopping the view workers", err=True)


class _Rate(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} events/s" if speed else "… events/s", style="cyan")


def rebuild(
    view: Annotated[
        str | None, typer.Argument(help="the view to rebuild (default: every view)")
    ] = None,
) -> None:
    """Rebuild a view from the first event beside the old one; switch over when caught up.

    Readers keep reading the old version until then; running workers carry on with the new.
    """
    from projections.engine import UnknownViewError

    stopping = _stop_on_signals()
    with _views(existing=True) as views:
        names = [view] if view is not None else list(views.engine.views)
        for name in names:
            try:
                views.engine.view(name)
            except UnknownViewError as error:
                fail(str(error))
        for name in names:
            _rebuild_one(views, name, stopping)


def _rebuild_one(views: Views, name: str, stopping: threading.Event) -> None:
    recorder = views.engine.recorder
    head = int(recorder.max_notification_id() or 0)
    columns = (
        TextColumn(f"rebuilding {name}"),
        BarColumn(),
        TaskProgressColumn(),
        _Rate(),
        TimeRemainingColumn(),
    )
    started = time.monotonic()
    with Progress(*columns, transient=False) as progress:
        task = progress.add_task(name, total=max(head, 1))

        def advanced(position: int, count: int) -> None:
            nonlocal head
            if position > head:
                head = int(recorder.max_notification_id() or position)
                progress.update(task, total=head)
            progress.update(task, completed=position)

        built = views.engine.rebuild(name, advanced, stopping)
        if built is not None:
            progress.update(task, total=max(built.position, 1), completed=max(built.position, 1))
    if built is None:
        fail(f"rebuild of {name} stopped before it caught up; the old version stays active", 1)
    elapsed = time.monotonic() - started
    typer.echo(
        f"tongjie: {name} rebuilt as generation {built.generation} up to position "
        f"{built.position} in {elapsed:.1f} s; it is now the active version"
    )
