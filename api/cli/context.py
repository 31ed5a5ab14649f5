"""What every command needs: settings read once, the application, and one-line errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import typer

from api.bootstrap import build_application
from application.tongjie import Tongjie
from infrastructure.settings import Settings

USAGE_ERROR = 2


def fail(message: str, code: int = USAGE_ERROR) -> NoReturn:
    """One line on stderr, and the exit code scripts can test."""
    typer.echo(f"tongjie: error: {message}", err=True)
    raise typer.Exit(code)


def settings() -> Settings:
    try:
        return Settings()
    except ValueError as error:
        fail(f"bad setting: {error}".replace("\n", " "))


@contextmanager
def opened() -> Iterator[Tongjie]:
    app = build_application(settings())
    try:
        yield app
    finally:
        app.close()


def print_json(data: Any) -> None:
    from api.encoding import jsonable

    encoded = jsonable(data, settings().zone)
    sys.stdout.write(json.dumps(encoded, ensure_ascii=False, indent=2) + "\n")
