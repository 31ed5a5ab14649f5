"""The event store's write path: group commit, hash chains, idempotency records.

Use it as the library's persistence module: PERSISTENCE_MODULE=infrastructure.eventstore.sqlite
or infrastructure.eventstore.postgres. Nothing here connects to a database at import time.
The values and errors that cross to the application are its ports (application/ports.py).
"""

from infrastructure.eventstore.chain import ChainRow
from infrastructure.eventstore.hashing import chain_hash, event_hash

__all__ = ["ChainRow", "chain_hash", "event_hash"]
