"""`tongjie demo`: a year in a district like the one in the bureau's report (docs/demo.md)."""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from api.cli.context import fail, opened
from application.tongjie import Tongjie
from demo import (
    DEFAULT_CASES,
    DEFAULT_SEED,
    DemoOptions,
    DemoResult,
    load_demo,
)
from domain.times import EARLIEST_DATE


def demo(
    cases: Annotated[
        int, typer.Option(min=1, help="cases received from 1 January to 30 September")
    ] = DEFAULT_CASES,
    year: Annotated[
        int | None,
        typer.Option(
            min=EARLIEST_DATE.year,
            help="the year [default: the latest whose September has ended]",
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="the same seed gives the same data")] = DEFAULT_SEED,
    tokens_file: Annotated[
        Path | None,
        typer.Option(help="also write every user's token to this file (mode 600)"),
    ] = None,
    as_of: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="the demo's day: the open cases stand as on this date [default: today]",
        ),
    ] = None,
) -> None:
    """Load demo data into an empty store; print the users' tokens once."""
    if as_of is not None and as_of.date() < EARLIEST_DATE:
        fail(
            f"--as-of: must not be before {EARLIEST_DATE.isoformat()}, "
            "the earliest time Tongjie takes"
        )
    if tokens_file is not None:
        _check_writable(tokens_file)
    options = DemoOptions(cases=cases, year=year, seed=seed, as_of=as_of.date() if as_of else None)
    with opened() as app:
        load_and_report(app, options, tokens_file)


def load_and_report(app: Tongjie, options: DemoOptions, tokens_file: Path | None = None) -> None:
    """Load the demo with a progress bar (on stderr), then print what it made and the tokens."""
    started = time.perf_counter()
    bar = _Bar()
    try:
        result = load_demo(app, options, bar)
    finally:
        bar.close()
    seconds = time.perf_counter() - started
    if tokens_file is not None:
        _write_tokens(tokens_file, result)
    _report(result, seconds, tokens_file)


class _Bar:
    """A progress bar on stderr, shown from the first saved batch (a refused load shows none)."""

    def __init__(self) -> None:
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def __call__(self, done: int, total: int) -> None:
        if self._progress is None or self._task is None:
            self._progress = Progress(
                TextColumn("demo cases"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task("cases", total=total)
        self._progress.update(self._task, completed=done, total=total)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()


def _report(result: DemoResult, seconds: float, tokens_file: Path | None) -> None:
    """Plain lines, never wrapped or cut: a token must survive copying from the terminal."""
    run = result.run
    typer.echo(
        f"demo loaded in {seconds:.1f} s: {result.organisations} organisations, "
        f"{result.mediators} mediators, {len(result.users)} users, {result.cases:,} cases "
        f"({run.cases:,} received 1 January-30 September {run.year}, "
        f"{result.open_cases:,} open on {run.as_of.isoformat()}), {result.events:,} events, "
        f"seed {run.seed}"
    )
    typer.echo("sign in with one of these tokens (shown once):")
    users = {user.login: user for user in result.users}
    for login in result.featured:
        user = users[login]
        who = f"{user.role} {user.name}"
        typer.echo(f"  {user.login:<18} {user.token}  ({who})")
    others = len(result.users) - len(result.featured)
    where = (
        f"written to {tokens_file}"
        if tokens_file
        else "not kept (use --tokens-file PATH, or `tongjie users rotate LOGIN`)"
    )
    typer.echo(f"tokens of the other {others} users (every mediator has one): {where}")


def _check_writable(path: Path) -> None:
    """Before loading: the tokens are shown once, so a file that cannot be written loses them."""
    folder = path.parent if str(path.parent) else Path()
    if path.is_dir() or not folder.is_dir() or not os.access(folder, os.W_OK):
        fail(f"--tokens-file {path}: cannot write a file there")


def _write_tokens(path: Path, result: DemoResult) -> None:
    lines = ["login\trole\tmediator\tname\ttoken"]
    lines += [f"{u.login}\t{u.role}\t{u.mediator or ''}\t{u.name}\t{u.token}" for u in result.users]
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write("\n".join(lines) + "\n")
    path.chmod(0o600)
