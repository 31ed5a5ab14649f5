"""`tongjie serve`: the HTTP server.

It takes its port before anything else (a busy port is one line and exit 3, before the
database is opened or the demo loads), and once the server answers it prints what it serves,
with the instance that its `/healthz` names, so that a script knows the server it talks to is
the one it started.
"""

from __future__ import annotations

import errno
import os
import socket
import threading
import time
from typing import Annotated

import structlog
import typer

from api.cli.context import check_database_to_serve, fail, settings
from infrastructure.logging import configure_logging
from infrastructure.settings import Settings

CANNOT_LISTEN = 3
"""The exit code when the port cannot be had (busy, or not ours to take)."""
PAGES = (("workbench", "/workbench"), ("dashboard", "/dashboard"), ("API docs", "/docs"))
EVERY_ADDRESS = ("0.0.0.0", "::", "")  # noqa: S104 - what a host option may say
READY_WAIT = 0.1


def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=65535,
            help="port to listen on [default: TONGJIE_PORT, else 8000; 0: any free port]",
            show_default=False,
        ),
    ] = None,
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
    """Serve the HTTP API and the dashboard; print their addresses once ready."""
    config = settings()
    if workers > 1 and not config.is_postgres:
        fail(
            "--workers above 1 needs PostgreSQL: SQLite allows one writer process "
            "(set TONGJIE_DATABASE_URL=postgresql://...)"
        )
    sock = _listen(host, config.port if port is None else port)
    bound = int(sock.getsockname()[1])
    os.environ["TONGJIE_INSTANCE"] = config.instance  # the workers' settings name the same
    check_database_to_serve(config)
    configure_logging(config)  # the server's own lines too, before the app (and each worker)
    if demo:
        from api.cli.demo_loader import load_demo_if_empty

        load_demo_if_empty(config)
    import uvicorn  # here: the other commands do without the server

    from api.http import PROTOCOL

    _announce_when_ready(host, bound, config)
    if workers > 1:  # uvicorn's supervisor binds its own socket: hand the port over to it
        sock.close()
        os.environ["TONGJIE_SERVE_MASTER_PID"] = str(os.getpid())  # see api/parent.py
        uvicorn.run(
            "api.app:create_app",
            factory=True,
            host=host,
            port=bound,
            workers=workers,
            log_config=None,
            access_log=False,
            forwarded_allow_ips=forwarded_allow_ips,
            http=PROTOCOL,
        )
        return
    server = uvicorn.Server(
        uvicorn.Config(
            "api.app:create_app",
            factory=True,
            host=host,
            port=bound,
            log_config=None,
            access_log=False,
            forwarded_allow_ips=forwarded_allow_ips,
            http=PROTOCOL,
        )
    )
    server.run(sockets=[sock])
    if not server.started:
        raise typer.Exit(1)


def _listen(host: str, port: int) -> socket.socket:
    """The port, bound now; a port that cannot be had is one line and exit 3."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        choose = "choose another with --port N or TONGJIE_PORT=N (make run PORT=N)"
        if error.errno == errno.EADDRINUSE:
            fail(
                f"port {port} on {host} is in use (another Tongjie, `make run`, or another "
                f"program): {choose}",
                CANNOT_LISTEN,
            )
        if error.errno == errno.EACCES:
            fail(f"port {port} needs privileges this user lacks: {choose}", CANNOT_LISTEN)
        fail(f"cannot listen on {host} port {port}: {error.strerror}", CANNOT_LISTEN)
    sock.set_inheritable(True)
    return sock


def _announce_when_ready(host: str, port: int, config: Settings) -> None:
    """Print the addresses once the server takes connections (it listens only once the app
    has started), from a thread: the server runs on this one. With `TONGJIE_LOG_FORMAT=json`,
    as a log line like every other."""
    local = "127.0.0.1" if host in EVERY_ADDRESS else host
    base = "http://" + (f"[{local}]" if ":" in local else local) + f":{port}"

    def wait_then_print() -> None:
        while not _listening(local, port):
            time.sleep(READY_WAIT)
        pages = {name: f"{base}{path}" for name, path in PAGES}
        if config.log_format == "json":
            log = structlog.get_logger("tongjie.serve")
            log.info("serving", url=base, instance=config.instance, **pages)
            return
        where = "PostgreSQL" if config.is_postgres else f"SQLite {config.sqlite_path}"
        lines = [f"Tongjie serves {base} as instance {config.instance} ({where})"]
        lines += [f"  {name:<10} {url}" for name, url in pages.items()]
        if host in EVERY_ADDRESS:
            lines.append(f"  and on every address of this machine, port {port}")
        typer.echo("\n".join(lines))

    threading.Thread(target=wait_then_print, name="announce", daemon=True).start()


def _listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False
