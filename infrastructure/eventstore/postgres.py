"""PERSISTENCE_MODULE=infrastructure.eventstore.postgres: the library's PostgreSQL, our recorder.

Leave POSTGRES_ENABLE_DB_FUNCTIONS off: our recorder never uses the library's insert function.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import eventsourcing.postgres as library  # as a module: the library wants one factory here

from infrastructure.eventstore.postgres_recorder import TongjiePostgresRecorder

if TYPE_CHECKING:
    from eventsourcing.persistence import ApplicationRecorder
    from eventsourcing.utils import Environment, EnvType


class Factory(library.PostgresFactory):
    """Snapshots and tracking stay on the library's recorders; events go through ours."""

    application_recorder_class = TongjiePostgresRecorder

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        self._recorders: list[TongjiePostgresRecorder] = []

    def application_recorder(self) -> ApplicationRecorder:
        recorder = super().application_recorder()
        if isinstance(recorder, TongjiePostgresRecorder):
            self._recorders.append(recorder)
        return recorder

    def close(self) -> None:
        for recorder in self._recorders:
            recorder.close()
        super().close()


__all__ = ["Factory", "TongjiePostgresRecorder"]
