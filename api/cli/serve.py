"""`tongjie serve`: the HTTP server."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from api.cli.context import check_database_to_serve, fail, settings
from infrastructure.logging import configure_logging


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
    check_database_to_serve(config)
    configure_logging(config)  # the server's own lines too, before the app (and each worker)
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
