"""PERSISTENCE_MODULE=infrastructure.eventstore.sqlite: the library's SQLite, our recorder."""

from __future__ import annotations

import eventsourcing.sqlite as library  # as a module: the library wants one factory here

from infrastructure.eventstore.factory import ClosesOurRecorders
from infrastructure.eventstore.sqlite_recorder import TongjieSQLiteRecorder


class Factory(ClosesOurRecorders[library.SQLiteTrackingRecorder], library.SQLiteFactory):
    application_recorder_class = TongjieSQLiteRecorder


__all__ = ["Factory", "TongjieSQLiteRecorder"]
