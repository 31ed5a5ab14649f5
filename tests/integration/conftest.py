"""PostgreSQL clusters of a test's own (tests/pgcluster.py): a workspace and a primary."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pgcluster import Cluster, free_port, require_clusters
from tests.pgcluster import workspace as make_workspace

# Small and quick: a test's server, not a production one.
PRIMARY = {
    "fsync": "off",
    "shared_buffers": "16MB",
    "max_connections": "40",
    "max_wal_senders": "4",
    "wal_level": "replica",
    "archive_mode": "off",  # as on a server that cannot be restarted to turn it on
}


@pytest.fixture
def workspace() -> Iterator[Path]:
    """A temporary folder the server's OS user owns, removed afterwards."""
    require_clusters()
    folder = make_workspace()
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def primary(workspace: Path) -> Iterator[Cluster]:
    """A running cluster of the test's own that allows replication connections."""
    cluster = Cluster(workspace / "primary", free_port())
    try:
        cluster.initdb({**PRIMARY, **cluster.own_settings()})
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
