"""What every command needs: settings read once, the application, and one-line errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, tzinfo
from typing import Any, NoReturn
from uuid import UUID

import typer
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from api.bootstrap import build_application
from api.wording import missing_date, plain
from application.tongjie import Tongjie
from domain.numbering import NUMBER
from infrastructure.settings import Settings

USAGE_ERROR = 2


def fail(message: str, code: int = USAGE_ERROR) -> NoReturn:
    """One line on stderr, and the exit code scripts can test."""
    typer.echo(f"tongjie: error: {message}", err=True)
    raise typer.Exit(code)


def parse_date(option: str, text: str) -> date:
    """A day typed as YYYY-MM-DD; else one line saying why not (a date that does not exist)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{option}: {missing_date(text) or f'a date as YYYY-MM-DD, not {text!r}'}")


def settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        fail("; ".join(_setting_error(found) for found in error.errors(include_url=False)))
    except ValueError as error:
        fail(f"bad setting: {error}".replace("\n", " "))


def _setting_error(error: ErrorDetails) -> str:
    """`TONGJIE_POOL_SIZE='x': input should be a valid integer...`: the variable, its value and
    why, without pydantic's preamble and link."""
    if not error["loc"]:  # a rule between settings: its message names them
        return f"bad settings: {plain(error['msg'])}"
    name = "TONGJIE_" + "_".join(str(part) for part in error["loc"]).upper()
    return f"bad setting {name}={error['input']!r}: {plain(error['msg'])}"


@contextmanager
def opened() -> Iterator[Tongjie]:
    app = build_application(settings())
    try:
        yield app
    finally:
        app.close()


def minute(at: datetime, zone: tzinfo) -> str:
    """A time to the minute in the bureau's zone, as a table shows it: `2026-03-02 09:30`."""
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def case_ref(text: str) -> UUID | str:
    """The case a person named: its id (a UUID), or its number (`2026-000123`) to look up
    with `case_id`; checked before any store is opened."""
    try:
        return UUID(text)
    except ValueError:
        pass
    if NUMBER.fullmatch(text) is None:
        fail(f"{text!r} is neither a case number (2026-000123) nor a case id (a UUID)")
    return text


def case_id(app: Tongjie, ref: UUID | str) -> UUID:
    return ref if isinstance(ref, UUID) else app.reads.case_id_of(ref)


def print_json(data: Any) -> None:
    from api.encoding import jsonable

    encoded = jsonable(data, settings().zone)
    sys.stdout.write(json.dumps(encoded, ensure_ascii=False, indent=2) + "\n")
