"""Backups and point-in-time recovery, done as docs/deployment.md tells the bureau to do them.

A PostgreSQL cluster of the test's own stands for the production server (the shared server of
this machine allows no replication connection, and must not be restarted or reconfigured): its
WAL is streamed by `pg_receivewal` into an archive, a base backup is taken by `pg_basebackup`,
cases are written after it, then more cases and a mistake (a case deleted by hand). The backup
and the archive are restored into a second cluster up to a time between the two, and there
`tongjie audit verify` passes against the digest saved before the backup, the store's digest
is the one saved at the recovery target (every event up to it, none after), and the mistake
is undone.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from api.bootstrap import build_application
from application.tongjie import Tongjie
from domain.errors import CaseNotFoundError
from infrastructure.settings import Settings
from tests.integration.audit.tamper import RawEvents
from tests.pgcluster import PG_BIN, Cluster, as_server_user, free_port, run
from tests.world import World, make_world, registration

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

TONGJIE = shutil.which("tongjie", path=str(Path(sys.executable).parent)) or "tongjie"
SLOT = "tongjie_archive"


def tongjie(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TONGJIE_DATABASE_URL": url, "TONGJIE_POOL_SIZE": "3", "COLUMNS": "200"}
    return subprocess.run(
        [TONGJIE, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def verify_against(url: str, saved: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    position, digest = str(saved["position"]), saved["digest"]
    return tongjie(url, "audit", "verify", "--position", position, "--digest", digest)


def receive(app: Tongjie, world: World, count: int, summary: str) -> list[UUID]:
    return [
        app.cases.receive(
            actor=world.mediator, registration=registration(summary=f"{summary} {index}")
        ).id
        for index in range(count)
    ]


def digest_of(app: Tongjie) -> dict[str, Any]:
    saved = app.audit.digest()
    return {"position": saved.position, "digest": saved.digest}


def test_a_base_backup_and_its_wal_restore_to_a_point_in_time_that_verifies(
    workspace: Path, primary: Cluster
) -> None:
    archive = workspace / "wal"
    backup = workspace / "base"
    run(["mkdir", "-m", "700", archive])
    connect = ["-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres"]
    settings = Settings(database_url=primary.url, pool_size=3)
    app = build_application(settings)
    receiver: subprocess.Popen[bytes] | None = None
    try:
        world = make_world(app)
        before = receive(app, world, 12, "备份之前")
        before_backup = digest_of(app)  # saved outside the database, as the auditor keeps it

        # The WAL archive: a slot keeps the server's WAL until pg_receivewal has it.
        run([PG_BIN / "pg_receivewal", *connect, "--slot", SLOT, "--create-slot"])
        receiver = subprocess.Popen(
            as_server_user(
                [PG_BIN / "pg_receivewal", *connect, "-D", archive, "--slot", SLOT, "--no-loop"]
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        primary.wait_for(
            "SELECT count(*) FROM pg_stat_replication WHERE application_name = 'pg_receivewal' "
            "AND state = 'streaming'",
            1,
            30,
        )
        run(
            [
                PG_BIN / "pg_basebackup",
                *connect,
                "-D",
                backup,
                "--checkpoint=fast",
                "--wal-method=stream",
                "--label=tongjie-nightly",
                "--no-sync",
            ]
        )

        after_backup = receive(app, world, 8, "备份之后")
        at_target = digest_of(app)
        time.sleep(0.2)
        target = str(primary.query("SELECT clock_timestamp()::text")[0][0])
        time.sleep(0.2)

        too_late = receive(app, world, 3, "恢复点之后")
        RawEvents(settings, app).delete_case(before[3])  # the mistake the recovery undoes
        damaged = verify_against(primary.url, before_backup)
        assert damaged.returncode == 1, damaged.stdout + damaged.stderr  # the primary's is broken

        # Close the segment holding the target and wait until the archive holds it whole.
        segment = primary.query("SELECT pg_walfile_name(pg_switch_wal())")[0][0]
        deadline = time.monotonic() + 30
        while not (archive / str(segment)).exists():
            assert receiver.poll() is None, receiver.stderr.read() if receiver.stderr else ""
            assert time.monotonic() < deadline, f"{segment} not archived within 30 s"
            time.sleep(0.1)
    finally:
        app.close()
        if receiver is not None:
            stop(receiver)
    primary.stop()  # the primary is gone: only the backup and the archive are left

    restored = Cluster(workspace / "restored", free_port())
    run(["cp", "-a", backup, restored.data])
    restored.configure(
        {
            **restored.own_settings(),
            "restore_command": f"cp {archive}/%f %p",
            "recovery_target_time": target,
            "recovery_target_action": "promote",
        }
    )
    run(["touch", restored.data / "recovery.signal"])
    try:
        restored.start()
        restored.wait_for("SELECT pg_is_in_recovery()", False, 60)
        assert "recovery stopping before commit" in restored.log(), restored.log()

        verified = verify_against(restored.url, before_backup)
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert verified.stdout.startswith("VALID"), verified.stdout
        assert "checked against the saved digest" in verified.stdout

        head = tongjie(restored.url, "audit", "digest")
        assert head.returncode == 0, head.stderr
        assert json.loads(head.stdout) == at_target  # up to the target: all, and nothing after
        assert found(restored, [*before, *after_backup, *too_late]) == [
            *([True] * (len(before) + len(after_backup))),  # the case deleted by mistake too
            *([False] * len(too_late)),
        ]
    finally:
        restored.stop()


def stop(receiver: subprocess.Popen[bytes]) -> None:
    receiver.send_signal(signal.SIGTERM)  # runuser hands it on; pg_receivewal ends cleanly
    try:
        receiver.wait(30)
    except subprocess.TimeoutExpired:
        receiver.kill()
        receiver.wait(10)


def found(cluster: Cluster, case_ids: list[UUID]) -> list[bool]:
    app = build_application(Settings(database_url=cluster.url, pool_size=3))
    try:
        return [_exists(app, case_id) for case_id in case_ids]
    finally:
        app.close()


def _exists(app: Tongjie, case_id: UUID) -> bool:
    try:
        app.reads.current(case_id)
    except CaseNotFoundError:
        return False
    return True
