"""Throwaway PostgreSQL clusters of our own, beside the shared server: for the tests of backups
and recovery, which need a server whose WAL they may stream and which they may stop.

Each cluster lives under a temporary folder owned by the `postgres` OS user (the server refuses
to run as root: as root every server command goes through `runuser -u postgres`), listens on
127.0.0.1 on a free port of its own and is stopped and removed by the test that made it. The
shared server on port 5432 is never touched.
"""

from __future__ import annotations

import os
import pwd
import random
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import psycopg
import pytest

PG_BIN = Path(os.environ.get("TONGJIE_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
SERVER_USER = "postgres"

# Replication connections are matched only by the word `replication` in pg_hba.conf (`all`
# does not cover them): pg_basebackup and pg_receivewal need that line on the server they copy.
HBA = """\
local all all trust
host all all 127.0.0.1/32 trust
host replication all 127.0.0.1/32 trust
"""


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def why_no_clusters() -> str | None:
    """What keeps this machine from running clusters of our own, or None."""
    missing = [name for name in ("initdb", "pg_ctl") if not (PG_BIN / name).exists()]
    if missing:
        return f"{', '.join(missing)} not found in {PG_BIN} (set TONGJIE_TEST_PG_BIN)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            return f"running as root and there is no {SERVER_USER!r} OS user to run a server as"
        if shutil.which("runuser") is None:
            return "running as root and `runuser` is missing"
    return None


def require_clusters() -> None:
    """Skip locally when clusters cannot be made here; under CI=true fail, naming why."""
    reason = why_no_clusters()
    if reason is None:
        return
    if in_ci():
        pytest.fail(f"cannot run a PostgreSQL cluster of the test's own: {reason} (CI=true)")
    pytest.skip(reason)


def as_server_user(args: Sequence[str | Path]) -> list[str]:
    command = [str(arg) for arg in args]
    if os.geteuid() == 0:
        return ["runuser", "-u", SERVER_USER, "--", *command]
    return command


def run(args: Sequence[str | Path], timeout: float = 60, log: Path | None = None) -> str:
    """Run a server tool as the server's user; its output, or a failure naming it (and
    showing the server's `log`, if given)."""
    done = subprocess.run(
        as_server_user(args), capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        shown = log.read_text(errors="replace") if log is not None and log.exists() else ""
        pytest.fail(f"{' '.join(map(str, args))} exited {done.returncode}:\n{done.stderr}{shown}")
    return done.stdout


def free_port() -> int:
    """A port in 20000-60000 that nothing listens on now (the team's range for own servers)."""
    for _ in range(200):
        port = random.randint(20000, 60000)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 20000-60000")


def workspace() -> Path:
    """A temporary folder the server's user owns (pytest's tmp_path is root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="tongjie-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, SERVER_USER, SERVER_USER)
    return folder


class Cluster:
    """One PostgreSQL server on a data folder: made by initdb, or restored from a backup."""

    def __init__(self, data: Path, port: int) -> None:
        self.data = data
        self.port = port
        self.started = False

    @property
    def url(self) -> str:
        return f"postgresql://{SERVER_USER}@127.0.0.1:{self.port}/postgres"

    def initdb(self, settings: dict[str, str]) -> None:
        options = ["--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"]
        run([PG_BIN / "initdb", "-D", self.data, "-U", SERVER_USER, *options])
        (self.data / "pg_hba.conf").write_text(HBA)
        self.configure(settings)

    def configure(self, settings: dict[str, str]) -> None:
        """Settings appended to postgresql.auto.conf, read after postgresql.conf: they win."""
        lines = "".join(f"{name} = '{value}'\n" for name, value in settings.items())
        with (self.data / "postgresql.auto.conf").open("a") as conf:
            conf.write(lines)

    def own_settings(self) -> dict[str, str]:
        """Where this cluster listens: its own port, its own socket folder."""
        return {
            "port": str(self.port),
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": str(self.data.parent),
        }

    @property
    def log_file(self) -> Path:
        return self.data.parent / f"{self.data.name}.log"

    def start(self) -> None:
        self.started = True
        start = [
            PG_BIN / "pg_ctl",
            "-D",
            self.data,
            "-l",
            self.log_file,
            "-w",
            "-t",
            "120",
            "start",
        ]
        run(start, 150, log=self.log_file)

    def stop(self) -> None:
        if not self.started:
            return
        self.started = False
        subprocess.run(
            as_server_user([PG_BIN / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop"]),
            capture_output=True,
            timeout=60,
            check=False,
        )

    def log(self) -> str:
        return self.log_file.read_text(errors="replace") if self.log_file.exists() else ""

    def query(self, statement: str) -> list[tuple[object, ...]]:
        with psycopg.connect(self.url, autocommit=True, connect_timeout=5) as conn:
            return conn.execute(statement.encode()).fetchall()

    def wait_for(self, statement: str, expected: object, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self.query(statement)[0][0] == expected:
                    return
            except psycopg.OperationalError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"{statement} not {expected!r} within {timeout} s:\n{self.log()}")
            time.sleep(0.1)
