"""The views' keys: derived per purpose from the cipher key, sealing that round-trips and
refuses a changed byte, hashes that differ by kind and by key."""

from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidTag
from eventsourcing.cipher import AESCipher

from infrastructure.keys import ViewKeys


def test_sealing_round_trips_and_detects_a_change() -> None:
    keys = ViewKeys.from_cipher_key(AESCipher.create_key(32))
    sealed = keys.seal("楼上漏水引发邻里纠纷")
    assert "漏水".encode() not in sealed
    assert keys.seal("楼上漏水引发邻里纠纷") != sealed  # a fresh nonce each time
    assert keys.unseal(sealed) == "楼上漏水引发邻里纠纷"
    changed = bytearray(sealed)
    changed[-1] ^= 1
    with pytest.raises(InvalidTag):
        keys.unseal(bytes(changed))


def test_hashes_are_keyed_by_the_cipher_key_and_the_kind() -> None:
    key = AESCipher.create_key(16)
    one, same, other = (ViewKeys.from_cipher_key(k) for k in (key, key, AESCipher.create_key(16)))
    assert one.token("phone", "13800000000") == same.token("phone", "13800000000")
    assert one.token("phone", "13800000000") != other.token("phone", "13800000000")
    assert one.token("phone", "13800000000") != one.token("id", "13800000000")
    assert len(one.token("name", "王小明")) == 16


def test_without_a_cipher_key_nothing_is_sealed() -> None:
    keys = ViewKeys(b"s" * 32, None)
    assert not keys.sealing
    with pytest.raises(RuntimeError):
        keys.seal("x")
