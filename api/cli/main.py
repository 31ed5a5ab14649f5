"""The `tongjie` command: `--help` everywhere, and a one-line error with exit 2 on bad input."""

from __future__ import annotations

import sys

import typer

from api.cli.audit import audit
from api.cli.cases import cases
from api.cli.context import settings
from api.cli.database import DATABASE_ERRORS, explain
from api.cli.demo import demo
from api.cli.parties import parties
from api.cli.reference import mediators, orgs
from api.cli.reports import reports
from api.cli.rules import rules
from api.cli.serve import serve
from api.cli.stats import stats
from api.cli.users import users
from api.cli.views import project, rebuild
from application.errors import VersionMismatchError
from domain.errors import DomainError
from infrastructure.settings import Settings

app = typer.Typer(
    name="tongjie",
    help="Tongjie (通解): case tracker for people's mediation.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,
)
app.command()(serve)
app.command()(demo)
app.command()(project)
app.command()(rebuild)
app.command()(stats)
app.add_typer(users, name="users")
app.add_typer(orgs, name="orgs")
app.add_typer(mediators, name="mediators")
app.add_typer(rules, name="rules")
app.add_typer(cases, name="cases")
app.add_typer(audit, name="audit")
app.add_typer(parties, name="parties")
app.add_typer(reports, name="reports")


def main() -> None:
    """Run the command; turn usage and domain errors into one line and exit code 2."""
    try:
        code = app(standalone_mode=False)
    except typer.Abort:
        sys.exit(130)
    except typer.TyperException as error:
        ctx = getattr(error, "ctx", None)
        if type(error).__name__ == "NoArgsIsHelpError" and ctx is not None:
            typer.echo(ctx.get_help())
            sys.exit(0)
        format_message = getattr(error, "format_message", None)
        message = format_message() if callable(format_message) else str(error)
        message = message.replace("Value error, ", "")  # pydantic's, through typer's choices
        typer.echo(f"tongjie: error: {message}".replace("\n", " "), err=True)
        sys.exit(2)
    except (DomainError, VersionMismatchError) as error:
        message = error.in_zone(settings().zone) if isinstance(error, DomainError) else error
        typer.echo(f"tongjie: error: {message}", err=True)
        sys.exit(2)
    except DATABASE_ERRORS as error:  # the database went away meanwhile, or was never there
        typer.echo(f"tongjie: error: {explain(Settings(), error)}", err=True)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
