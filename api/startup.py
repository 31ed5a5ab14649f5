"""Connecting to the store at start-up, and again until it answers if it does not at first.

A server whose database cannot be reached when it starts still starts: it answers 503 with
`Retry-After` (`/readyz` too, `/healthz` 200) and tries again every few seconds in a thread of
its own; once the database answers it builds the application and the views exactly as a
server that found it at once, and serves. Nothing is half built: a failed attempt closes
whatever it opened.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import psycopg
import structlog

from api.bootstrap import (
    access_log,
    build_application,
    build_reports,
    build_views,
    database_down,
)
from api.problems import DATABASE_DOWN

if TYPE_CHECKING:
    from fastapi import FastAPI

    from application.tongjie import Tongjie
    from infrastructure.settings import Settings
    from projections.views import Views

RETRY_SECONDS = 1.0
PROBE_TIMEOUT_SECONDS = 2  # psycopg's least
LOG_EVERY = 30  # failed attempts between two warnings (about a minute)

log = structlog.get_logger("tongjie.api")


class Startup:
    """Builds the application and views onto `app.state`, now or as soon as the store answers."""

    def __init__(self, app: FastAPI, settings: Settings, retry_seconds: float = RETRY_SECONDS):
        self.app = app
        self.settings = settings
        app.state.database_down = database_down(settings)
        self.retry_seconds = retry_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # an attempt and `close` never overlap
        self.failures = 0
        self.tongjie: Tongjie | None = None
        self.views: Views | None = None

    def start(self) -> None:
        """Connect now; if the database cannot be reached, keep trying in the background."""
        if self.attempt():
            return
        self._thread = threading.Thread(target=self._retry, name="tongjie-startup", daemon=True)
        self._thread.start()

    def attempt(self) -> bool:
        """One try: True once the application and the views are up."""
        with self._lock:
            if self._stop.is_set():
                return False
            try:
                self._probe()
                tongjie = build_application(self.settings)
            except DATABASE_DOWN as error:
                self._failed(error)
                return False
            try:
                views = build_views(self.settings, tongjie)
                # PostgreSQL: `tongjie project` keeps the views; SQLite: this process does.
                views.start(workers=not self.settings.is_postgres)
            except DATABASE_DOWN as error:
                self._failed(error)
                tongjie.close()
                return False
            self._publish(tongjie, views)
            return True

    def _failed(self, error: Exception) -> None:
        """Logged at the first failure, then about once a minute while it lasts."""
        self.failures += 1
        if self.failures % LOG_EVERY == 1:
            log.warning(
                "database_unreachable_at_start", attempts=self.failures, error=str(error)[:200]
            )

    def _probe(self) -> None:
        """A PostgreSQL that does not answer fails here, before a pool is made for it (a pool
        made in a constructor that then fails could not be closed)."""
        if self.settings.is_postgres:
            with psycopg.connect(
                self.settings.postgres_conninfo, connect_timeout=PROBE_TIMEOUT_SECONDS
            ):
                pass

    def _publish(self, tongjie: Tongjie, views: Views) -> None:
        self.tongjie, self.views = tongjie, views
        shared = access_log(tongjie)
        if shared is not None:  # failed authentications counted by every process alike
            self.app.state.limiter.share(shared)
        if tongjie.answers is None:
            log.warning("idempotency_unsupported", recorder=type(tongjie.store.recorder).__name__)
        self.app.state.views = views
        self.app.state.reports = build_reports(tongjie, views)
        self.app.state.tongjie = tongjie  # last: requests are served from here on
        log.info("store_connected", attempts=self.failures + 1)

    def _retry(self) -> None:
        while not self._stop.wait(self.retry_seconds):
            if self.attempt():
                return

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            if self.views is not None:
                self.views.close()
            if self.tongjie is not None:
                self.tongjie.close()
        if self._thread is not None:
            self._thread.join(timeout=10)
