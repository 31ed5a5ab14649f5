"""Bad settings and commands that only read, as an operator meets them: real processes.

Each bad setting is one line naming it and the fix, exit code 2, never a traceback; a command
that only reads never makes a store where there is none.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import POSTGRES_URL, require_postgres

TONGJIE = shutil.which("tongjie", path=str(Path(sys.executable).parent)) or "tongjie"
READ_ONLY = [
    ["audit", "verify"],
    ["audit", "digest"],
    ["stats"],
    ["users", "list"],
    ["orgs", "list"],
    ["mediators", "list"],
    ["cases", "show", "00000000-0000-0000-0000-000000000001"],
    ["cases", "history", "00000000-0000-0000-0000-000000000001"],
    ["cases", "replay", "00000000-0000-0000-0000-000000000001", "--version", "1"],
    ["rebuild"],
]
A_WRITE = ["users", "add", "root", "--role", "admin"]


def run(folder: Path, args: list[str], **settings: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGJIE_")}
    env.update(settings)
    return subprocess.run(
        [TONGJIE, *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def one_line(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("tongjie: error: ")
    for word in words:
        assert word in lines[0], lines[0]


@pytest.mark.parametrize("args", READ_ONLY, ids=" ".join)
def test_a_read_only_command_in_an_empty_folder_says_there_is_no_store(
    tmp_path: Path, args: list[str]
) -> None:
    one_line(run(tmp_path, args), "no Tongjie store", "TONGJIE_DATABASE_URL")
    assert list(tmp_path.iterdir()) == []  # no tongjie.db, nothing else


def test_a_read_only_command_on_an_empty_postgres_schema_creates_no_table(
    postgres_url: str, tmp_path: Path
) -> None:
    import psycopg

    one_line(run(tmp_path, ["audit", "verify"], TONGJIE_DATABASE_URL=postgres_url), "no Tongjie")
    schema = postgres_url.rsplit("schema=", 1)[1]
    with psycopg.connect(POSTGRES_URL) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = %s", (schema,)
        ).fetchone()
    assert tables == (0,)


BAD_SETTINGS = [
    ({"TONGJIE_TIMEZONE": "Mars/Olympus"}, ["TONGJIE_TIMEZONE", "Asia/Shanghai"]),
    ({"TONGJIE_CIPHER_KEY": "not-base64!"}, ["TONGJIE_CIPHER_KEY", "create_key"]),
    ({"TONGJIE_CIPHER_KEY": "c2hvcnQ="}, ["TONGJIE_CIPHER_KEY", "16, 24 or 32 bytes"]),
    ({"TONGJIE_POOL_SIZE": "many"}, ["TONGJIE_POOL_SIZE"]),
    ({"TONGJIE_DATABASE_URL": "mysql://x"}, ["TONGJIE_DATABASE_URL", "postgresql://"]),
    (
        {"TONGJIE_DATABASE_URL": "sqlite:///no/such/folder/tongjie.db"},
        ["TONGJIE_DATABASE_URL", "folder", "create"],
    ),
]


@pytest.mark.parametrize(("settings", "words"), BAD_SETTINGS, ids=lambda v: str(v)[:40])
@pytest.mark.parametrize("args", [A_WRITE, ["audit", "verify"], ["serve", "--port", "9"]])
def test_a_bad_setting_is_one_line_naming_it_and_exit_2(
    tmp_path: Path, settings: dict[str, str], words: list[str], args: list[str]
) -> None:
    done = run(tmp_path, args, **settings)
    if args[0] == "audit" and "sqlite" in settings.get("TONGJIE_DATABASE_URL", ""):
        words = [words[0], "no Tongjie store"]  # a reader: there is no store there
    one_line(done, *words)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.postgres
def test_a_postgres_that_refuses_or_lacks_the_database_is_one_line(tmp_path: Path) -> None:
    require_postgres()
    refused = "postgresql://postgres@127.0.0.1:1/test"
    for args in (A_WRITE, ["audit", "verify"], ["stats"]):
        one_line(run(tmp_path, args, TONGJIE_DATABASE_URL=refused), "refused", "127.0.0.1:1")
    unknown = POSTGRES_URL.rsplit("/", 1)[0] + "/tongjie_no_such_database"
    for args in (A_WRITE, ["audit", "verify"], ["serve", "--port", "9"]):
        one_line(
            run(tmp_path, args, TONGJIE_DATABASE_URL=unknown),
            "no database",
            "createdb tongjie_no_such_database",
        )
