"""Each event store test runs once on a SQLite file and once on a fresh PostgreSQL schema."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.eventstore.support import (
    StoreSpec,
    in_ci,
    postgres_env,
    postgres_missing_reason,
    postgres_schema,
    sqlite_spec,
)


def require_postgres() -> None:
    reason = postgres_missing_reason()
    if reason is None:
        return
    if in_ci():
        pytest.fail(f"{reason} (CI=true: not skipping)")
    pytest.skip(reason)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def spec(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreSpec]:
    if request.param == "sqlite":
        store = sqlite_spec(str(tmp_path / "events.db"))
        yield store
        store.close()
        return
    require_postgres()
    with postgres_schema() as schema:
        store = StoreSpec("postgres", postgres_env(schema))
        try:
            yield store
        finally:
            store.close()


@pytest.fixture
def recorder(spec: StoreSpec) -> Any:
    return spec.recorder()


@pytest.fixture
def postgres_spec() -> Iterator[StoreSpec]:
    """For the few tests that need a server: killing its connections, rejecting a NUL."""
    require_postgres()
    with postgres_schema() as schema:
        store = StoreSpec("postgres", postgres_env(schema))
        try:
            yield store
        finally:
            store.close()


@pytest.fixture
def postgres_recorder(postgres_spec: StoreSpec) -> Any:
    return postgres_spec.recorder()
