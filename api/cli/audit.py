"""`tongjie audit`: the store's digest, and verification of a case or of the whole store.

`verify` exits 0 only when everything checked is intact, 1 when something fails (listed on
stdout, one event a row), and 2 on a usage error; the progress bar goes to stderr.
"""

from __future__ import annotations

import re
from typing import Annotated
from uuid import UUID

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from api.cli.context import fail, opened, print_json
from application.audit_dto import CaseVerification, InvalidEvent, StoreVerification

INVALID = 1
HEX_HASH = re.compile(r"^[0-9a-f]{64}$")

audit = typer.Typer(
    help="Prove the stored history unchanged: digests and verification.", no_args_is_help=True
)


@audit.command("digest")
def digest() -> None:
    """Print the store's digest {position, digest}: save it, verify against it later."""
    with opened(existing=True) as app:
        print_json(app.audit.digest())


@audit.command("verify")
def verify(
    case: Annotated[str | None, typer.Option(help="verify this case only (its UUID)")] = None,
    version: Annotated[
        int | None, typer.Option(min=1, help="with --case: a version saved earlier")
    ] = None,
    head_hash: Annotated[
        str | None, typer.Option("--hash", help="with --case: that version's saved hash")
    ] = None,
    position: Annotated[
        int | None, typer.Option(min=0, help="a saved digest's position (from `audit digest`)")
    ] = None,
    digest: Annotated[str | None, typer.Option(help="the saved digest at that position")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the result as JSON")] = False,
) -> None:
    """Verify one case's chain, or every chain of the store (against a saved digest if given).

    Exit code 0: everything checked is intact; 1: something fails (listed); 2: usage error.
    """
    _pair("--version", version, "--hash", head_hash)
    if position != 0:
        _pair("--position", position, "--digest", digest)
    for name, value in (("--hash", head_hash), ("--digest", digest)):
        if value is not None and not HEX_HASH.match(value):
            fail(f"{name} must be 64 lowercase hex digits, as the API gave it")
    if case is None and (version is not None or head_hash is not None):
        fail("--version and --hash go with --case")
    if case is not None and (position is not None or digest is not None):
        fail("--position and --digest check the whole store: leave out --case")
    case_id = _case_id(case) if case is not None else None
    with opened(existing=True) as app:
        if case_id is not None:
            result: CaseVerification | StoreVerification = app.audit.verify_case(
                case_id, version=version, head_hash=head_hash
            )
        else:
            with _progress() as (bar, task):
                result = app.audit.verify_store(
                    position,
                    digest,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
    if as_json:
        print_json(result)
    else:
        _report(result)
    if not result.valid:
        raise typer.Exit(INVALID)


def _pair(first: str, first_value: object, second: str, second_value: object) -> None:
    if (first_value is None) != (second_value is None):
        given, missing = (first, second) if second_value is None else (second, first)
        fail(f"{given} needs {missing}")


def _case_id(text: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        fail(f"{text!r} is not a case id (a UUID)")


class _progress:  # noqa: N801 - used as a context manager, like a function
    """A progress bar on stderr (drawn only on a terminal)."""

    def __enter__(self) -> tuple[Progress, TaskID]:
        self.bar = Progress(
            TextColumn("verifying"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("positions"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.bar.start()
        return self.bar, self.bar.add_task("verify", total=None)

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()


def _report(result: CaseVerification | StoreVerification) -> None:
    console = Console(highlight=False, soft_wrap=True)
    if result.invalid:
        table = Table()
        table.add_column("case", no_wrap=True, min_width=36)
        for name in ("number", "version", "reason", "position"):
            table.add_column(name, no_wrap=True)
        table.add_column("detail", ratio=1)
        for invalid in result.invalid:
            table.add_row(*_row(invalid))
        console.print(table)
    if isinstance(result, CaseVerification):
        verdict = "VALID" if result.valid else "INVALID"
        console.print(
            f"{verdict}: case {result.number or result.case_id}, {result.events} events; "
            f"head version {result.events} hash {result.head_hash or '-'}"
        )
        return
    verdict = "VALID" if result.valid else f"INVALID: {len(result.invalid)} failing"
    console.print(
        f"{verdict}: {result.events_checked} events checked up to position "
        f"{result.head.position} (digest there: {result.head.digest or '-'}); "
        f"{result.reads_checked} lines of the access log of reads checked"
    )
    if result.checked_against is not None:
        against = result.checked_against
        console.print(f"checked against the saved digest at position {against.position}")


def _row(invalid: InvalidEvent) -> list[str]:
    def text(value: object) -> str:
        return "-" if value is None else str(value)

    return [
        text(invalid.case_id),
        text(invalid.number),
        text(invalid.version),
        invalid.reason.value,
        text(invalid.position),
        invalid.detail,
    ]
