"""`tongjie users`: people who sign in, and their tokens (printed once, stored as a hash)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer
from rich.console import Console

from api.cli.context import minute, opened, settings
from api.cli.tables import Column, print_table
from domain.values import Role

USER_COLUMNS = (
    Column("login"),
    Column("name", fold=True),
    Column("role"),
    Column("revoked"),
    Column("last used (±1 min)"),
    Column("mediator", optional=True),
    Column("created", optional=True),
)
users = typer.Typer(help="Users and their tokens.", no_args_is_help=True)


class UserRole(Enum):
    """The roles a person may have: `system` is Tongjie's own (automatic routing), never a
    user's, so the command line does not offer it (a test holds this to `Role`)."""

    MEDIATOR = Role.MEDIATOR.value
    SUPERVISOR = Role.SUPERVISOR.value
    AUDITOR = Role.AUDITOR.value
    ADMIN = Role.ADMIN.value


@users.command("add")
def add(
    login: Annotated[str, typer.Argument(help="letters, digits, '.', '-' or '_'")],
    role: Annotated[UserRole, typer.Option(help="what the user may do")],
    name: Annotated[str, typer.Option(help="display name")] = "",
    mediator: Annotated[str | None, typer.Option(help="mediator code (mediators only)")] = None,
) -> None:
    """Add a user; the token is printed alone on the last line, and never again."""
    with opened() as app:
        issued = app.users.add(login=login, role=Role(role.value), name=name, mediator=mediator)
    typer.echo(f"user {issued.user.login} added as {issued.user.role}; token (shown once):")
    typer.echo(issued.token)


@users.command("list")
def list_users() -> None:
    """List users (never their tokens)."""
    with opened(existing=True) as app:
        found = app.users.list()
    zone = settings().zone
    rows = [
        [
            user.login,
            user.name,
            user.role,
            "yes" if user.revoked else "",
            minute(user.last_used_at, zone) if user.last_used_at else "never",
            user.mediator or "",
            minute(user.created_at, zone),
        ]
        for user in found
    ]
    print_table(Console(), USER_COLUMNS, rows, elsewhere=None)


@users.command("rotate")
def rotate(login: str) -> None:
    """Issue a new token; the old one stops working at once."""
    with opened(existing=True) as app:
        issued = app.users.rotate(login)
    typer.echo(f"new token for {issued.user.login} (shown once):")
    typer.echo(issued.token)


@users.command("revoke")
def revoke(login: str) -> None:
    """Revoke the user's access at once."""
    with opened(existing=True) as app:
        app.users.revoke(login)
    typer.echo(f"user {login} revoked")
