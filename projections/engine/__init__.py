"""The projection engine: views fed from the event store in batches, exactly once.

A view subclasses `View` (see `projections.engine.view` for the contract); the engine owns the
transactions, the tracking table, waking, locking and rebuilds.
"""

from projections.engine.engine import Engine, UnknownViewError
from projections.engine.ports import Connection, Database
from projections.engine.status import ProjectionsStatus, ViewStatus
from projections.engine.view import Tables, View, ViewEvent

__all__ = [
    "Connection",
    "Database",
    "Engine",
    "ProjectionsStatus",
    "Tables",
    "UnknownViewError",
    "View",
    "ViewEvent",
    "ViewStatus",
]
