"""Prometheus gauges of the views: position, lag in events and in seconds, poisoned events.

Read at each scrape from the tracking table (the same figures as `/api/v1/projections`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import structlog
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from projections.views import Views

log = structlog.get_logger(__name__)


class ViewsCollector(Collector):
    def __init__(self, views: Callable[[], Views | None]) -> None:
        self._views = views

    def collect(self) -> Iterator[Metric]:
        views = self._views()
        if views is None:
            return
        try:
            status = views.engine.status()
        except Exception as error:  # a scrape while the database is away shows no view figures
            log.warning("view metrics unavailable", error=str(error)[:200])
            return
        position = GaugeMetricFamily(
            "tongjie_view_position", "the store position the view has applied", labels=["view"]
        )
        lag = GaugeMetricFamily(
            "tongjie_view_lag_events", "events stored after the view's position", labels=["view"]
        )
        seconds = GaugeMetricFamily(
            "tongjie_view_lag_seconds",
            "age of the oldest event the view has not applied (0 when current)",
            labels=["view"],
        )
        poisoned = GaugeMetricFamily(
            "tongjie_view_poisoned_events",
            "events the view set aside because applying them failed (docs/projections.md)",
            labels=["view"],
        )
        for view in status.views:
            position.add_metric([view.name], view.position)
            lag.add_metric([view.name], view.lag_events)
            seconds.add_metric([view.name], view.lag_seconds)
            poisoned.add_metric([view.name], view.poisoned)
        yield position
        yield lag
        yield seconds
        yield poisoned
