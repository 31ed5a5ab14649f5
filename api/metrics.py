"""Prometheus metrics of one server process: requests, latencies, events appended, the store."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CONTENT_TYPE_LATEST as CONTENT_TYPE
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

__all__ = ["CONTENT_TYPE", "Metrics"]


class Metrics:
    """Each app has its own registry, so several apps in one process (tests) do not clash."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "tongjie_http_requests",
            "HTTP requests answered",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "tongjie_http_request_duration_seconds",
            "time to answer an HTTP request",
            ["method", "route"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=self.registry,
        )
        self.events = Counter(
            "tongjie_events_appended",
            "case events this process appended",
            ["type"],
            registry=self.registry,
        )
        self.store_position = Gauge(
            "tongjie_store_position",
            "the store's last position (notification id)",
            registry=self.registry,
        )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def appended(self, event_type: str, count: int = 1) -> None:
        self.events.labels(event_type).inc(count)

    def render(self, store_position: Callable[[], int | None]) -> bytes:
        position = store_position()
        if position is not None:
            self.store_position.set(position)
        return generate_latest(self.registry)
