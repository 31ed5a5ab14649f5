"""Hashes that make the store tamper-evident.

Every field is length-prefixed and a missing previous hash has its own marker, so no two
different inputs encode to the same bytes (no ambiguity between e.g. topic and state).
A domain tag in front of each encoding keeps an event hash from ever equalling a chain hash.
"""

from __future__ import annotations

import hashlib
import struct
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from uuid import UUID

_EVENT_TAG = b"tongjie/event-hash/v1"
_CHAIN_TAG = b"tongjie/chain-hash/v1"
_ABSENT = b"\x00"
_PRESENT = b"\x01"


def _field(data: bytes) -> bytes:
    return struct.pack(">Q", len(data)) + data


def _optional(text: str | None) -> bytes:
    if text is None:
        return _ABSENT
    return _PRESENT + _field(text.encode("utf-8"))


def event_hash(
    originator_id: UUID,
    originator_version: int,
    topic: str,
    state: bytes,
    prev_hash: str | None,
) -> str:
    """Hex SHA-256 of one stored event, linked to its case's previous event."""
    digest = hashlib.sha256(_field(_EVENT_TAG))
    digest.update(_field(originator_id.bytes))
    digest.update(struct.pack(">q", originator_version))
    digest.update(_field(topic.encode("utf-8")))
    digest.update(_field(bytes(state)))
    digest.update(_optional(prev_hash))
    return digest.hexdigest()


def chain_hash(prev_chain_hash: str | None, event_hash: str) -> str:
    """Hex SHA-256 linking an event's hash to the store chain before it (genesis if None)."""
    digest = hashlib.sha256(_field(_CHAIN_TAG))
    digest.update(_optional(prev_chain_hash))
    digest.update(_field(event_hash.encode("utf-8")))
    return digest.hexdigest()
