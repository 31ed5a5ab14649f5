"""`tongjie cases`: one case's current state and history, read from the event store."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import typer

from api.cli.context import fail, opened, print_json

cases = typer.Typer(help="Read one case from the event store.", no_args_is_help=True)


def _case_id(text: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        fail(f"{text!r} is not a case id (a UUID)")


@cases.command("show")
def show(case_id: Annotated[str, typer.Argument(help="the case's UUID")]) -> None:
    """The case's current state as JSON."""
    case = _case_id(case_id)
    with opened(existing=True) as app:
        print_json(app.reads.current(case))


@cases.command("history")
def history(case_id: Annotated[str, typer.Argument(help="the case's UUID")]) -> None:
    """Every event of the case, in order, with actor, both times and hashes."""
    case = _case_id(case_id)
    with opened(existing=True) as app:
        print_json({"events": app.reads.history(case)})


@cases.command("replay")
def replay(
    case_id: Annotated[str, typer.Argument(help="the case's UUID")],
    version: Annotated[int, typer.Option(min=1, help="the version to replay to")],
) -> None:
    """The case as it stood at a version, replayed from its first event."""
    case = _case_id(case_id)
    with opened(existing=True) as app:
        print_json(app.reads.at_version(case, version))
