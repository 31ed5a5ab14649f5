"""The write path's hashes, recomputed fast enough to check a whole store.

Byte for byte the encodings of `infrastructure.eventstore.hashing` (tests hold the two equal),
built with one join and one SHA-256 call per hash instead of a call per field: the check of a
store spends most of its time here.
"""

from __future__ import annotations

import hashlib
import struct
from uuid import UUID

from infrastructure.eventstore import hashing

_pack = struct.Struct(">Q").pack
_pack_version = struct.Struct(">q").pack
_sha256 = hashlib.sha256
_EVENT_HEAD = hashing._field(hashing._EVENT_TAG) + _pack(16)
_CHAIN_HEAD = hashing._field(hashing._CHAIN_TAG)
_ABSENT = hashing._ABSENT
_PRESENT = hashing._PRESENT
_HEX_LENGTH = 64
_PRESENT_HEX = _PRESENT + _pack(_HEX_LENGTH)
_HEX_FIELD = _pack(_HEX_LENGTH)


def _optional(text: str | None) -> bytes:
    if text is None:
        return _ABSENT
    data = text.encode("utf-8")
    if len(data) == _HEX_LENGTH:
        return _PRESENT_HEX + data
    return _PRESENT + _pack(len(data)) + data


class Rehasher:
    """Recomputes event and chain hashes; keeps the encoded topics it has seen."""

    def __init__(self) -> None:
        self._topics: dict[str, bytes] = {}
        self._last_id: tuple[UUID | None, bytes] = (None, b"")
        """The last originator and its bytes (`UUID.bytes` is Python): a case's rows are
        checked one after another, all of the same id."""

    def event_hash(
        self,
        originator_id: UUID,
        originator_version: int,
        topic: str,
        state: bytes,
        prev_hash: str | None,
    ) -> str:
        encoded_topic = self._topics.get(topic)
        if encoded_topic is None:
            data = topic.encode("utf-8")
            encoded_topic = self._topics[topic] = _pack(len(data)) + data
        last, id_bytes = self._last_id
        if originator_id is not last:
            id_bytes = originator_id.bytes
            self._last_id = (originator_id, id_bytes)
        return _sha256(
            b"".join(
                (
                    _EVENT_HEAD,
                    id_bytes,
                    _pack_version(originator_version),
                    encoded_topic,
                    _pack(len(state)),
                    state,
                    _optional(prev_hash),
                )
            )
        ).hexdigest()


def chain_hash(prev_chain_hash: str | None, event_hash: str) -> str:
    data = event_hash.encode("utf-8")
    length = _HEX_FIELD if len(data) == _HEX_LENGTH else _pack(len(data))
    return _sha256(b"".join((_CHAIN_HEAD, _optional(prev_chain_hash), length, data))).hexdigest()
