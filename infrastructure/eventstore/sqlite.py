"""PERSISTENCE_MODULE=infrastructure.eventstore.sqlite: the library's SQLite, our recorder."""

from __future__ import annotations

from typing import TYPE_CHECKING

import eventsourcing.sqlite as library  # as a module: the library wants one factory here

from infrastructure.eventstore.sqlite_recorder import TongjieSQLiteRecorder

if TYPE_CHECKING:
    from eventsourcing.persistence import ApplicationRecorder
    from eventsourcing.utils import Environment, EnvType


class Factory(library.SQLiteFactory):
    """Snapshots and tracking stay on the library's recorders; events go through ours."""

    application_recorder_class = TongjieSQLiteRecorder

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        self._recorders: list[TongjieSQLiteRecorder] = []

    def application_recorder(self) -> ApplicationRecorder:
        recorder = super().application_recorder()
        if isinstance(recorder, TongjieSQLiteRecorder):
            self._recorders.append(recorder)
        return recorder

    def close(self) -> None:
        for recorder in self._recorders:
            recorder.close()
        super().close()


__all__ = ["Factory", "TongjieSQLiteRecorder"]
