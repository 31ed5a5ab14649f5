"""Fault tests: real `tongjie` processes killed, databases taken away, limits hit.

Every test module here marks its tests `faults` (`pytest -m faults`, `make test-faults`). Each
server is a real `tongjie serve` in a process group of its own, on a port of its own, killed
with its group when the test ends whatever happened.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

TONGJIE = shutil.which("tongjie", path=str(Path(sys.executable).parent)) or "tongjie"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(condition: object, timeout: float, what: str, every: float = 0.05) -> None:
    """Poll `condition()` until it is true; fail naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout:.0f} s")
        time.sleep(every)


@dataclass
class Process:
    """A `tongjie` command in its own process group, its output in a log file."""

    args: list[str]
    env: dict[str, str]
    log: Path
    popen: subprocess.Popen[bytes] | None = None
    port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Process:
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(
                [TONGJIE, *self.args],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: killed whole at the end
            )
        return self

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def ready(self) -> bool:
        assert self.popen is not None
        if self.popen.poll() is not None:
            pytest.fail(f"{self.args[0]} exited with {self.popen.returncode}:\n{self.output()}")
        try:
            return httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    def wait_ready(self, timeout: float = 60) -> Process:
        wait_until(self.ready, timeout, f"{' '.join(self.args)} ready")
        return self

    def kill(self, sig: int = signal.SIGKILL) -> None:
        assert self.popen is not None
        os.kill(self.pid, sig)
        self.popen.wait(30)

    def stop_group(self) -> None:
        """End the whole group (master and workers alike), whatever state it is in."""
        if self.popen is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(30)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[list[Process]]:
    """The processes a test starts; each group is killed at the end."""
    started: list[Process] = []
    yield started
    for process in started:
        process.stop_group()


def tongjie(
    processes: list[Process],
    tmp_path: Path,
    database_url: str,
    *args: str,
    port: int | None = None,
    **env: str,
) -> Process:
    """`tongjie ARGS` on `database_url` (a server: `serve` with its --port added)."""
    settings = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TONGJIE_")},
        "TONGJIE_DATABASE_URL": database_url,
        "TONGJIE_LOG_FORMAT": "json",
        **env,
    }
    process = Process(list(args), settings, tmp_path / f"{args[0]}-{len(processes)}.log")
    if port is not None:
        process.port = port
    if args[0] == "serve":
        process.args += ["--host", "127.0.0.1", "--port", str(process.port)]
    processes.append(process)
    return process.start()
