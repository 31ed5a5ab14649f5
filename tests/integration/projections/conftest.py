"""Views wired to the test's store (SQLite file or a fresh PostgreSQL schema)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.bootstrap import build_views
from application.tongjie import Tongjie
from infrastructure.settings import Settings
from projections.views import Views
from tests.world import World, make_world


@pytest.fixture
def world(tongjie: Tongjie) -> World:
    return make_world(tongjie)


@pytest.fixture
def views(settings: Settings, tongjie: Tongjie) -> Iterator[Views]:
    built = build_views(settings, tongjie, page_size=50)
    try:
        yield built
    finally:
        built.close()
