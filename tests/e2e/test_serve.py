"""`tongjie serve` as a newcomer runs it: it says where it serves once ready, on the port they
chose (`--port`, `TONGJIE_PORT`, `make run PORT=`), and a busy port is one line and exit 3."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.e2e.api.server import free_port

ROOT = Path(__file__).resolve().parents[2]
TONGJIE = shutil.which("tongjie", path=str(Path(sys.executable).parent)) or "tongjie"
READY = "Tongjie serves "
PAGES = (("workbench", "/workbench"), ("dashboard", "/dashboard"), ("API docs", "/docs"))


@contextmanager
def serving(url: str, *args: str, **env: str) -> Iterator[tuple[str, list[str]]]:
    """`tongjie serve ARGS` until the block ends; yields its base URL and what it printed."""
    process = subprocess.Popen(
        [TONGJIE, "serve", *args],
        env={**os.environ, "TONGJIE_DATABASE_URL": url, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines: list[str] = []
        deadline = time.monotonic() + 60
        while not lines or not lines[0].startswith(READY):
            line = process.stdout.readline()
            assert line or process.poll() is None, f"serve exited {process.poll()}: {lines}"
            assert time.monotonic() < deadline, lines
            if line.startswith(READY) or lines:
                lines.append(line.rstrip("\n"))
        for _ in range(3):  # the pages it serves follow the first line
            lines.append(process.stdout.readline().rstrip("\n"))
        yield lines[0].split()[2], lines
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_serve_says_what_it_serves_once_ready_and_healthz_names_it(sqlite_url: str) -> None:
    with serving(sqlite_url, "--port", "0") as (base, lines):
        instance = lines[0].split()[5]  # Tongjie serves URL as instance NAME (...)
        health = httpx.get(f"{base}/healthz")
        assert health.json() == {"status": "ok", "instance": instance}
        for name, path in (
            ("workbench", "/workbench"),
            ("dashboard", "/dashboard"),
            ("API docs", "/docs"),
        ):
            assert f"  {name:<10} {base}{path}" in lines
            assert httpx.get(f"{base}{path}").status_code == 200
        home = httpx.get(f"{base}/")
        assert (home.status_code, home.headers["location"]) == (307, "/workbench")


def test_the_port_comes_from_tongjie_port(sqlite_url: str) -> None:
    port = free_port()
    with serving(sqlite_url, TONGJIE_PORT=str(port)) as (base, _):
        assert base == f"http://127.0.0.1:{port}"


def test_a_busy_port_is_one_line_naming_it_and_exit_3(sqlite_url: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run(
            [TONGJIE, "serve", "--port", str(port), "--demo"],
            env={**os.environ, "TONGJIE_DATABASE_URL": sqlite_url},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert run.returncode == 3
    assert run.stderr.count("\n") == 1, run.stderr
    assert run.stderr.startswith(f"tongjie: error: port {port} on 127.0.0.1 is in use")
    assert "--port N or TONGJIE_PORT=N (make run PORT=N)" in run.stderr
    assert "Errno" not in run.stderr
    assert run.stdout == ""  # the demo did not load: the port is taken first


@pytest.mark.parametrize(
    ("args", "expected"), [([], "serve --demo"), (["PORT=8100"], "--port 8100")]
)
def test_make_run_takes_the_port(args: list[str], expected: str) -> None:
    dry = subprocess.run(
        ["make", "-n", "-o", ".venv/.installed", "run", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    command = dry.stdout.strip().splitlines()[-1]
    assert command.endswith(expected), command
    if not args:
        assert "--port" not in command  # TONGJIE_PORT, else 8000


def test_a_raw_utf8_query_is_a_problem_that_says_how_to_send_it(sqlite_url: str) -> None:
    with serving(sqlite_url, "--port", "0") as (base, _):
        host, port = base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as raw:
            raw.sendall("GET /api/v1/cases?street=东湖街道 HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            answer = b""
            while chunk := raw.recv(65536):
                answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert b"content-type: application/problem+json" in head.lower()
    problem = json.loads(body)
    assert problem["status"] == 400
    assert "--data-urlencode" in problem["detail"]
