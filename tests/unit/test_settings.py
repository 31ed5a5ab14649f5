"""Settings refused at start: a views replica is a PostgreSQL standby of a PostgreSQL store."""

from __future__ import annotations

import pytest

from infrastructure.settings import Settings


def test_a_views_replica_needs_postgresql_on_both_sides() -> None:
    with pytest.raises(ValueError, match="hot standby"):
        Settings(database_url="postgresql://p@db1/t", views_replica_url="sqlite:///x.db")
    with pytest.raises(ValueError, match="needs TONGJIE_DATABASE_URL on PostgreSQL"):
        Settings(database_url="sqlite:///x.db", views_replica_url="postgresql://p@db2/t")
    settings = Settings(
        database_url="postgresql://p@db1/t?schema=s1", views_replica_url="postgresql://p@db2/t"
    )
    assert settings.replica_conninfo == "postgresql://p@db2/t"
    assert settings.postgres_schema == "s1"  # the replica's tables are the primary's
