"""`tongjie serve --demo`: load the demo on the first start, when the store is empty."""

from __future__ import annotations

import typer

from api.bootstrap import build_application
from api.cli.demo import load_and_report
from application.demo import DemoOptions, store_is_empty
from infrastructure.settings import Settings


def load_demo_if_empty(config: Settings) -> bool:
    """Load the default demo into an empty store; leave a store with data as it is."""
    app = build_application(config)
    try:
        if not store_is_empty(app.store):
            typer.echo("the store holds data already: serving it without loading the demo")
            return False
        load_and_report(app, DemoOptions())
        return True
    finally:
        app.close()
