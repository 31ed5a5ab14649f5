"""The event store's write path: group commit, hash chains, idempotency records.

Use it as the library's persistence module: PERSISTENCE_MODULE=infrastructure.eventstore.sqlite
or infrastructure.eventstore.postgres. Nothing here connects to a database at import time.
"""

from infrastructure.eventstore.chain import ChainRow
from infrastructure.eventstore.hashing import chain_hash, event_hash
from infrastructure.eventstore.idempotency import (
    IdempotencyKeyExistsError,
    IdempotencyRecord,
    StoredAnswer,
)

__all__ = [
    "ChainRow",
    "IdempotencyKeyExistsError",
    "IdempotencyRecord",
    "StoredAnswer",
    "chain_hash",
    "event_hash",
]
