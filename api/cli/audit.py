"""`tongjie audit`: the store's digest, verification of a case or of the whole store, and of
an archive's ZIP offline.

`verify` and `verify-archive` exit 0 only when everything checked is intact, 1 when something
fails (listed on stdout, one a row), and 2 on a usage error; the progress bar goes to stderr.
Events a view set aside (poisoned) are listed after `verify`'s verdict: not tampering, no change
of exit code.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

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

from api.archive.verify import ArchiveCheck, verify_archive
from api.cli.context import case_id, case_ref, fail, opened, print_json, settings
from api.cli.tables import Column, print_table
from application.audit_dto import CaseVerification, InvalidEvent, StoreVerification

if TYPE_CHECKING:
    from application.tongjie import Tongjie

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
    case: Annotated[
        str | None, typer.Option(help="verify this case only (its number or id)")
    ] = None,
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
    ref = None if case is None else case_ref(case)
    poisoned: list[dict[str, Any]] = []
    with opened(existing=True) as app:
        if ref is not None:
            result: CaseVerification | StoreVerification = app.audit.verify_case(
                case_id(app, ref), version=version, head_hash=head_hash
            )
        else:
            with _progress() as (bar, task):
                result = app.audit.verify_store(
                    position,
                    digest,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
            poisoned = _poisoned(app)
    if as_json:
        found = {f.name: getattr(result, f.name) for f in fields(result)}
        print_json(found if ref is not None else {**found, "poisoned": poisoned})
    else:
        _report(result)
        _report_poisoned(poisoned)
    if not result.valid:  # poisoned events are not tampering: they change no exit code
        raise typer.Exit(INVALID)


@audit.command("verify-archive")
def verify_archive_command(
    archive: Annotated[Path, typer.Argument(help="the archive's ZIP, as the API gave it")],
    as_json: Annotated[bool, typer.Option("--json", help="print the result as JSON")] = False,
) -> None:
    """Check an archive (归档) offline, with no database: every part against its manifest,
    the manifest against its seal, every document against its event's SHA-256.

    Exit code 0: intact; 1: something changed (each named); 2: no such file.
    """
    if not archive.is_file():
        fail(f"{archive}: no such file")
    result = verify_archive(archive)
    if as_json:
        typer.echo(json.dumps(dataclasses.asdict(result), ensure_ascii=False, indent=2))
    else:
        _archive_report(result)
    if not result.valid:
        raise typer.Exit(INVALID)


ARCHIVE_FINDINGS = (
    Column("part"),
    Column("problem"),
    Column("v", number=True),
    Column("detail", fold=True, least=30),
    Column("document", optional=True),
)


def _archive_report(result: ArchiveCheck) -> None:
    console = Console(highlight=False, soft_wrap=True)
    if result.findings:
        rows = [
            [f.part, f.problem, _text(f.version), f.detail, f.document_id or "-"]
            for f in result.findings
        ]
        print_table(console, ARCHIVE_FINDINGS, rows)
    verdict = "VALID" if result.valid else f"INVALID: {len(result.findings)} failing"
    console.print(f"{verdict}: {result.parts_checked} parts checked, case {result.number or '-'}")
    if result.head is not None:  # a hash a line: a terminal never splits it
        head = result.head
        console.print(f"case head as archived: version {head['version']} hash")
        console.print(head["hash"])
        console.print("compare it with the store:")
        console.print(
            f"tongjie audit verify --case {result.number or result.case_id} "
            f"--version {head['version']} --hash {head['hash']}"
        )


def _pair(first: str, first_value: object, second: str, second_value: object) -> None:
    if (first_value is None) != (second_value is None):
        given, missing = (first, second) if second_value is None else (second, first)
        fail(f"{given} needs {missing}")


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


FAILURES = (
    Column("case"),
    Column("v", number=True),
    Column("reason"),
    Column("position", number=True),
    Column("detail", fold=True, least=30),
    Column("id", optional=True),
)
"""A failure a row: the case's number (or what else the event belongs to), the version, why,
where in the store, and the detail in words; the id only where the terminal has room."""


def _report(result: CaseVerification | StoreVerification) -> None:
    console = Console(highlight=False, soft_wrap=False)
    if result.invalid:
        print_table(console, FAILURES, [_row(invalid) for invalid in result.invalid])
    if isinstance(result, CaseVerification):  # a hash a line: a terminal never splits it
        verdict = "VALID" if result.valid else "INVALID"
        console.print(f"{verdict}: case {result.number or result.case_id}, {result.events} events")
        console.print(f"head version {result.events} hash {result.head_hash or '-'}")
        return
    verdict = "VALID" if result.valid else f"INVALID: {len(result.invalid)} failing"
    console.print(
        f"{verdict}: {result.events_checked} events checked up to position "
        f"{result.head.position}; {result.reads_checked} lines of the access log of reads checked"
    )
    console.print(f"digest there: {result.head.digest or '-'}")
    if result.checked_against is not None:
        against = result.checked_against
        console.print(f"checked against the saved digest at position {against.position}")
    console.print(f"{result.documents_checked} documents' bytes checked")
    for address in result.orphan_blobs:
        console.print(f"orphan (bytes no event names, not a failure): {address}")


def _poisoned(app: Tongjie) -> list[dict[str, Any]]:
    """The events the views set aside (docs/projections.md): listed, not tampering."""
    from api.bootstrap import build_views
    from api.routes.audit import views_poisoned

    config = settings()
    views = build_views(config, app)
    try:
        return views_poisoned(views, config.zone)
    finally:
        views.close()


POISONED = (
    Column("view"),
    Column("position", number=True),
    Column("v", number=True),
    Column("type"),
    Column("error", fold=True, least=30),
    Column("case", optional=True),
)


def _report_poisoned(poisoned: list[dict[str, Any]]) -> None:
    if not poisoned:
        return
    console = Console(highlight=False, soft_wrap=False)
    rows = [
        [
            item["view"],
            str(item["position"]),
            str(item["version"]),
            item["type"],
            f"{item['error']}: {item['message']}",
            str(item["case_id"]),
        ]
        for item in poisoned
    ]
    title = "set aside by a view: not tampering (docs/projections.md)"
    print_table(console, POISONED, rows, title=title)
    console.print(f"POISONED: {len(poisoned)} events set aside by the views (not tampering)")


def _text(value: object) -> str:
    return "-" if value is None else str(value)


def _row(invalid: InvalidEvent) -> list[str]:
    text = _text

    belongs = invalid.number or invalid.aggregate or "-"
    return [
        belongs,
        text(invalid.version),
        invalid.reason.value,
        text(invalid.position),
        invalid.detail,
        text(invalid.case_id),
    ]
