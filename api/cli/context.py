"""What every command needs: settings read once, the application, and one-line errors."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any, NoReturn
from uuid import UUID

import typer
from pydantic import ValidationError

from api.bootstrap import build_application
from api.cli.database import DATABASE_ERRORS, explain
from api.wording import missing_date
from application.tongjie import Tongjie
from domain.numbering import NUMBER
from infrastructure.eventstore.existing import store_exists
from infrastructure.settings import Settings, describe_invalid

USAGE_ERROR = 2
WILL_HEAL = ("refused", "timeout", "timed out", "does not answer", "translate host name")
"""A database that does not answer yet (a power cut: the API may come up first) is waited
for; one that answers "no such database" or "wrong password" will not mend by itself."""


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
        fail(describe_invalid(error))


def require_store(config: Settings) -> None:
    """A command that only reads never makes a store: it says there is none (exit 2)."""
    try:
        found = store_exists(config)
    except DATABASE_ERRORS as error:
        fail(explain(config, error))
    if not found:
        where = (
            f"in schema {config.postgres_schema!r} of that database"
            if config.is_postgres
            else f"at {config.sqlite_path}"
        )
        fail(
            f"no Tongjie store {where}: set TONGJIE_DATABASE_URL to the store's database "
            "(a new one is made by `tongjie users add`, `tongjie demo` or `tongjie serve`)"
        )


def check_database_to_serve(config: Settings) -> None:
    """A setting that cannot work stops the server at once, with one line; a database that
    does not answer yet is waited for (the server answers 503 meanwhile)."""
    if not config.is_postgres:
        folder = Path(config.sqlite_path).resolve().parent
        if not folder.is_dir() or not os.access(folder, os.W_OK):
            fail(
                f"TONGJIE_DATABASE_URL: the folder {folder} of the SQLite file does not exist "
                "or is not writable: create it, or set TONGJIE_DATABASE_URL=sqlite:///PATH"
            )
    try:
        store_exists(config)
    except DATABASE_ERRORS as error:
        message = explain(config, error)
        if not config.is_postgres or not any(word in message for word in WILL_HEAL):
            fail(message)
        typer.echo(f"tongjie: warning: {message}; serving 503 until it answers", err=True)


@contextmanager
def opened(*, existing: bool = False) -> Iterator[Tongjie]:
    """The application; `existing`: only an existing store (commands that only read)."""
    config = settings()
    if existing:
        require_store(config)
    try:
        app = build_application(config)
    except DATABASE_ERRORS as error:
        fail(explain(config, error))
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
