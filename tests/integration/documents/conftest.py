"""An application per test on SQLite and PostgreSQL, with and without a cipher key."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eventsourcing.cipher import AESCipher

from api.bootstrap import build_application
from application.tongjie import Tongjie
from infrastructure.settings import Settings
from tests.world import World, make_world


@pytest.fixture(params=["plain", "encrypted"])
def doc_settings(request: pytest.FixtureRequest, database_url: str) -> Settings:
    key = AESCipher.create_key(32) if request.param == "encrypted" else None
    return Settings(database_url=database_url, cipher_key=key)


@pytest.fixture
def app(doc_settings: Settings) -> Iterator[Tongjie]:
    tongjie = build_application(doc_settings)
    try:
        yield tongjie
    finally:
        tongjie.close()


@pytest.fixture
def world(app: Tongjie) -> World:
    return make_world(app)
