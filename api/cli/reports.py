"""`tongjie reports`: issue a month's report (月度通报), show it as issued with what changed since,
write it as a workbook; the same as `/api/v1/reports`."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from api.bootstrap import build_reports, build_views
from api.cli.context import opened, settings
from api.cli.tables import Column, print_table
from domain.values import Actor, Role

if TYPE_CHECKING:
    from application.reports import Reports
    from application.tongjie import Tongjie

reports = typer.Typer(
    help="Monthly reports (月度通报): issued once, never changed.", no_args_is_help=True
)
MONTH = "the month, YYYY-MM in the bureau's time zone (e.g. 2026-03)"


@contextmanager
def _reports() -> Iterator[tuple[Tongjie, Reports]]:
    """The application and its reports, the statistics caught up with the store first."""
    from projections.engine.catalog import PositionMovedError
    from projections.stats.query import VIEW

    with opened(existing=True) as app:
        views = build_views(settings(), app)
        try:
            with suppress(PositionMovedError):  # a worker elsewhere keeps them current
                views.engine.catch_up(VIEW)
            yield app, build_reports(app, views)
        finally:
            views.close()


@reports.command("issue")
def issue(month: Annotated[str, typer.Argument(help=MONTH)]) -> None:
    """Record the month's figures as they are now, for good (a month is issued once)."""
    actor = Actor(id="cli", login=f"cli:{getpass.getuser()}", role=Role.SUPERVISOR)
    with _reports() as (_, found):
        report = found.issue(month, actor=actor)
    (whole,) = report.rows["summary"]
    received = whole[1 + report.names.index("received")]
    typer.echo(f"report {report.month} issued at position {report.position}: {received} received")


@reports.command("show")
def show(
    month: Annotated[str, typer.Argument(help=MONTH)],
    xlsx: Annotated[
        Path | None, typer.Option("--xlsx", help="write the report as an Excel workbook here")
    ] = None,
    csv: Annotated[bool, typer.Option("--csv", help="the report as CSV (UTF-8 with BOM)")] = False,
) -> None:
    """The month's report as issued, and each figure that reads otherwise now."""
    from api.report_files import report_csv, report_workbook

    config = settings()
    with _reports() as (app, found):
        now = found.with_changes(month)
        names = {
            "organisation": {o.code: o.name for o in app.reference.organisations()},
            "mediator": {m.code: m.name for m in app.reference.mediators()},
        }
    report = now.report
    if xlsx is not None:
        xlsx.write_bytes(report_workbook(report, names, config.rate_display, config.zone))
        typer.echo(f"report {report.month} written to {xlsx}")
        return
    if csv:
        sys.stdout.buffer.write(report_csv(report, names, config.rate_display))
        sys.stdout.flush()
        return
    console = Console()
    issued_at = report.issued_at.astimezone(config.zone).isoformat(timespec="seconds")
    console.print(
        f"[bold]Report {report.month}[/bold] issued {issued_at} by {report.issued_by.login} "
        f"at position {report.position}; compared at position {now.position_now}"
    )
    (whole,) = report.rows["summary"]
    values = zip(report.names, whole[1:], strict=True)
    lines = [[name, "—" if value is None else str(value)] for name, value in values]
    print_table(
        console, (Column("figure"), Column("as issued", number=True)), lines, elsewhere="--csv"
    )
    if not now.differences:
        console.print("No figure of the month reads otherwise now.")
        return
    rows = [
        [d.dimension, d.key or "—", d.figure, str(d.reported), str(d.now)] for d in now.differences
    ]
    heads = ("dimension", "key", "figure", "reported", "now")
    columns = tuple(Column(h) for h in heads)
    print_table(console, columns, rows, title="What reads otherwise now", elsewhere="--csv")
