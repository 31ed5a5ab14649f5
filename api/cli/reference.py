"""`tongjie orgs` and `tongjie mediators`: reference data from the command line."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from api.cli.context import opened
from api.cli.tables import Column, print_table
from domain.values import Actor, Category, OrganisationKind, Role

OPERATOR = Actor(id="cli", login="cli", role=Role.ADMIN)
"""Who acts for commands typed on the server itself (recorded in each event)."""

orgs = typer.Typer(help="Mediation organisations.", no_args_is_help=True)
mediators = typer.Typer(help="Mediators (解纷人).", no_args_is_help=True)


@orgs.command("add")
def add_organisation(
    code: Annotated[str, typer.Argument(help="unique code, e.g. donghu-room")],
    name: Annotated[str, typer.Option(help="display name, e.g. 东湖街道通解室")],
    kind: Annotated[OrganisationKind, typer.Option(help="kind of organisation")],
    street: Annotated[str, typer.Option(help="the street (街道) it serves")],
) -> None:
    """Register an organisation."""
    with opened() as app:
        org = app.reference.add_organisation(
            code=code, name=name, kind=kind, street=street, actor=OPERATOR
        )
    typer.echo(f"organisation {org.code} added ({org.name}, {org.kind}, {org.street})")


@orgs.command("list")
def list_organisations() -> None:
    """List organisations."""
    with opened(existing=True) as app:
        found = app.reference.organisations()
    columns = (Column("code"), Column("name", fold=True), Column("kind"), Column("street"))
    rows = [[org.code, org.name, org.kind, org.street] for org in found]
    print_table(Console(), columns, rows, elsewhere=None)


@mediators.command("add")
def add_mediator(
    code: Annotated[str, typer.Argument(help="unique code, e.g. m-0001")],
    name: Annotated[str, typer.Option(help="the mediator's name")],
    organisation: Annotated[str, typer.Option(help="code of their organisation")],
    category: Annotated[
        list[Category] | None,
        typer.Option(help="a category they take (repeat for several); default every one"),
    ] = None,
) -> None:
    """Register a mediator of an organisation."""
    with opened() as app:
        mediator = app.reference.add_mediator(
            code=code,
            name=name,
            organisation=organisation,
            categories=category or None,
            actor=OPERATOR,
        )
    typer.echo(f"mediator {mediator.code} added ({mediator.name}, {mediator.organisation})")


@mediators.command("list")
def list_mediators() -> None:
    """List mediators."""
    with opened(existing=True) as app:
        found = app.reference.mediators()
    columns = (
        Column("code"),
        Column("name", fold=True),
        Column("organisation"),
        Column("active"),
        Column("categories", fold=True),
    )
    every = len(Category)
    rows = [
        [
            m.code,
            m.name,
            m.organisation,
            "yes" if m.active else "no",
            "all" if len(m.categories) == every else " ".join(m.categories),
        ]
        for m in found
    ]
    print_table(Console(), columns, rows, elsewhere=None)
