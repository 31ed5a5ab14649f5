"""PERSISTENCE_MODULE=infrastructure.eventstore.postgres: the library's PostgreSQL, our recorder.

Leave POSTGRES_ENABLE_DB_FUNCTIONS off: our recorder never uses the library's insert function.
"""

from __future__ import annotations

import eventsourcing.postgres as library  # as a module: the library wants one factory here

from infrastructure.eventstore.factory import ClosesOurRecorders
from infrastructure.eventstore.postgres_recorder import TongjiePostgresRecorder


class Factory(ClosesOurRecorders[library.PostgresTrackingRecorder], library.PostgresFactory):
    application_recorder_class = TongjiePostgresRecorder


__all__ = ["Factory", "TongjiePostgresRecorder"]
