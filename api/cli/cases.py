"""`tongjie cases`: one case's current state and history, read from the event store.

Each takes the case's number (`2026-000123`, as people say it) or its id (a UUID).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from api.cli.context import case_id, case_ref, opened, print_json, settings
from api.cli.history import COLUMNS, rows
from api.cli.tables import print_table

cases = typer.Typer(help="Read one case from the event store.", no_args_is_help=True)

CASE = typer.Argument(help="the case's number (2026-000123) or its id (a UUID)")


@cases.command("show")
def show(case: Annotated[str, CASE]) -> None:
    """The case's current state as JSON."""
    ref = case_ref(case)
    with opened(existing=True) as app:
        print_json(app.reads.current(case_id(app, ref)))


@cases.command("history")
def history(
    case: Annotated[str, CASE],
    as_json: Annotated[
        bool, typer.Option("--json", help="every event whole, with its hashes, as JSON")
    ] = False,
) -> None:
    """Every event of the case, in order: when it happened, who, what (a table; --json: all)."""
    ref = case_ref(case)
    with opened(existing=True) as app:
        events = app.reads.history(case_id(app, ref))
    if as_json:
        print_json({"events": events})
        return
    print_table(Console(), COLUMNS, rows(events, settings().zone))


@cases.command("replay")
def replay(
    case: Annotated[str, CASE],
    version: Annotated[int, typer.Option(min=1, help="the version to replay to")],
) -> None:
    """The case as it stood at a version, replayed from its first event."""
    ref = case_ref(case)
    with opened(existing=True) as app:
        print_json(app.reads.at_version(case_id(app, ref), version))
