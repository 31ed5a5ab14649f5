"""The statistics view alone on an engine of its own, over the test's store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.bootstrap_views import database
from application.tongjie import Tongjie
from infrastructure.settings import Settings
from projections.engine import Engine
from projections.engine.batch import FaultHook
from projections.engine.decoding import Decoder
from projections.engine.waking import Waker
from projections.stats.query import StatsQuery
from projections.stats.view import StatsView
from tests.integration.stats.scripts import District, make_district


@pytest.fixture
def district(tongjie: Tongjie) -> District:
    return make_district(tongjie)


class StatsRig:
    """The view, an engine that feeds it in small pages, and its query."""

    def __init__(self, settings: Settings, tongjie: Tongjie) -> None:
        self.settings = settings
        self.tongjie = tongjie
        self.db = database(settings)
        self.query = StatsQuery(self.db, settings.zone)

    def engine(self, page_size: int = 7, fault: FaultHook | None = None) -> Engine:
        recorder = self.tongjie.store.recorder
        return Engine(
            self.db,
            recorder,
            Decoder(self.tongjie.store.mapper),
            [StatsView(self.settings.zone)],
            Waker(recorder, 0.05),
            page_size=page_size,
            fault=fault,
        )

    def catch_up(self, page_size: int = 7) -> int:
        return self.engine(page_size).catch_up()["stats"]


@pytest.fixture
def rig(settings: Settings, tongjie: Tongjie) -> Iterator[StatsRig]:
    built = StatsRig(settings, tongjie)
    try:
        yield built
    finally:
        built.db.close()
