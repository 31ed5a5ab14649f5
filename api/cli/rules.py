"""`tongjie rules show|set`: the routing rules (分流规则) from the command line on the server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from api.cli.context import fail, opened, print_json
from api.cli.reference import OPERATOR
from api.problems import field_path
from api.schemas.routing import RulesReplaceRequest

rules = typer.Typer(help="The routing rules (分流规则): the first a case matches decides.")


@rules.command("show")
def show() -> None:
    """Print the rules as JSON, `{version, rules}`: a file `rules set` takes back."""
    with opened(existing=True) as app:
        info = app.routing_rules.current()
    print_json({"version": info.version, "rules": [rule.to_plain() for rule in info.rules]})


@rules.command("set")
def set_rules(
    file: Annotated[Path, typer.Argument(help='a JSON file: {"rules": [{name, match, target}]}')],
    if_version: Annotated[
        int | None,
        typer.Option(help="replace only the list of this version (as `rules show` printed)"),
    ] = None,
) -> None:
    """Replace the whole list of routing rules with the file's (recorded as the operator's)."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        fail(f"{file}: {error}")
    if isinstance(data, dict):
        data.pop("version", None)  # a file `rules show` printed
    try:
        request = RulesReplaceRequest.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        fail(f"{file}: {field_path(('body', *first['loc']))}: {first['msg']}")
    with opened() as app:
        version = app.routing_rules.current().version if if_version is None else if_version
        info = app.routing_rules.replace(
            request.routing_rules(), actor=OPERATOR, expected_version=version
        )
    typer.echo(f"routing rules set: version {info.version}, {len(info.rules)} rules")
