"""`tongjie serve`: the HTTP server."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from api.cli.context import fail, settings
from api.cli.database import DATABASE_ERRORS, explain
from infrastructure.eventstore.existing import store_exists
from infrastructure.settings import Settings

WILL_HEAL = ("refused", "timeout", "timed out", "does not answer", "translate host name")
"""A database that does not answer yet (a power cut: the API may come up first) is waited
for; one that answers "no such database" or "wrong password" will not mend by itself."""


def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="processes (PostgreSQL only)")] = 1,
    demo: Annotated[bool, typer.Option(help="load demo data first if the store is empty")] = False,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            help="behind a reverse proxy: the proxy's addresses (comma-separated, or '*'), whose "
            "X-Forwarded-For names the client (default: 127.0.0.1)"
        ),
    ] = None,
) -> None:
    """Serve the HTTP API and the dashboard."""
    config = settings()
    if workers > 1 and not config.is_postgres:
        fail(
            "--workers above 1 needs PostgreSQL: SQLite allows one writer process "
            "(set TONGJIE_DATABASE_URL=postgresql://...)"
        )
    _check_database(config)
    if demo:
        from api.cli.demo_loader import load_demo_if_empty

        load_demo_if_empty(config)
    import uvicorn  # here: the other commands do without the server

    if workers > 1:  # each worker leaves when this process dies (api/parent.py)
        os.environ["TONGJIE_SERVE_MASTER_PID"] = str(os.getpid())
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        access_log=False,
        forwarded_allow_ips=forwarded_allow_ips,
    )


def _check_database(config: Settings) -> None:
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
