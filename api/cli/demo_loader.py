"""`tongjie serve --demo`: load the demo on the first start, when the store is empty."""

from __future__ import annotations

import time
from contextlib import suppress

import typer

from api.bootstrap import build_application, build_views
from api.cli.demo import load_and_report
from application.tongjie import Tongjie
from demo import DemoOptions, store_is_empty
from infrastructure.settings import Settings


def load_demo_if_empty(config: Settings, options: DemoOptions | None = None) -> bool:
    """Load the demo (default: the bureau's year) into an empty store, and bring the views up
    to it before the server answers; leave a store with data as it is."""
    app = build_application(config)
    try:
        if not store_is_empty(app.store):
            typer.echo("the store holds data already: serving it without loading the demo")
            return False
        load_and_report(app, options or DemoOptions())
        views_caught_up(config, app)
        return True
    finally:
        app.close()


def views_caught_up(config: Settings, app: Tongjie) -> None:
    """Every view made from everything stored, here and now. Else the server's first answers,
    while its views still read the demo in, would count part of it (a newcomer's first `curl`
    of the year's figures would show 4,623 cases received, not 7,514)."""
    from projections.engine.catalog import PositionMovedError

    started = time.perf_counter()
    views = build_views(config, app)
    try:
        with suppress(PositionMovedError):  # a worker elsewhere keeps them current meanwhile
            reached = views.engine.catch_up()
    finally:
        views.close()
    seconds = time.perf_counter() - started
    where = ", ".join(f"{name} at {position:,}" for name, position in sorted(reached.items()))
    typer.echo(f"views up to date in {seconds:.1f} s: {where}")
