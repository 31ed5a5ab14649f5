"""How a person is recognised across cases: a party's name, phone number and ID number, each
normalised so that the ways people write them compare equal (当事人身份比对).

- Everything: Unicode NFKC (full-width digits, letters, `＋` and the ideographic space become
  their ASCII forms), and spaces of any kind removed.
- A phone number: digits only (hyphens, dots and brackets dropped); a `+86`, `0086` or bare
  `86` country code in front of an 11-digit mobile number, or `+86`/`0086` in front of a
  landline, is removed; a landline written after the country code gets its trunk `0` back
  (`+86 10 6512 3456` is `01065123456`).
- An ID number (居民身份证号码): 18 characters, 17 digits and a check character that is a digit
  or `X` (upper case), or the old 15 digits; hyphens dropped.
- A name: also case-folded (`Li Lei` = `li lei` = `LiLei`), with the middle dots of minority
  and foreign names (`·`, `•`, `・`, `‧`, `．`) made one.

Only phone and ID numbers identify a person; a name alone does not (two people share it).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from enum import Enum

from domain.values import Party


class PartyKey(Enum):
    """What a normalised value is: a kind of a party's identifier."""

    NAME = "name"
    PHONE = "phone"
    ID_NUMBER = "id"

    @property
    def identifies(self) -> bool:
        """Whether equal values of this kind mean the same person (a name does not)."""
        return self is not PartyKey.NAME


_SPACES = re.compile(r"\s+")
_PHONE_PUNCTUATION = re.compile(r"[-().\s/]")
_DOTS = str.maketrans(dict.fromkeys("•・‧．∙⋅", "·"))
_ID_18 = re.compile(r"^[0-9]{17}[0-9X]$")
_ID_15 = re.compile(r"^[0-9]{15}$")
_MOBILE = re.compile(r"^1[0-9]{10}$")
PHONE_DIGITS = range(5, 16)
"""Digits a normalised phone number may have (service numbers to long landlines)."""


def _compact(value: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", value))


def normal_name(value: str) -> str | None:
    name = _compact(value).translate(_DOTS).casefold()
    return name or None


def normal_phone(value: str) -> str | None:
    """The phone number's digits as one would dial them inside China, or None if it is not
    a phone number."""
    text = _PHONE_PUNCTUATION.sub("", unicodedata.normalize("NFKC", value))
    international = False
    if text.startswith("+"):
        text, international = text[1:], True
    if not text.isascii() or not text.isdigit():
        return None
    if text.startswith("0086"):
        text, international = text[4:], True
    elif text.startswith("86") and (international or _MOBILE.match(text[2:])):
        text, international = text[2:], True
    elif international:
        return None  # another country's number: kept as written would not compare anyway
    if international and not _MOBILE.match(text) and not text.startswith("0"):
        text = "0" + text  # a landline's trunk prefix, dropped after the country code
    return text if len(text) in PHONE_DIGITS else None


def normal_id_number(value: str) -> str | None:
    text = _compact(value).replace("-", "").upper()
    return text if _ID_18.match(text) or _ID_15.match(text) else None


_NORMALISERS = {
    PartyKey.NAME: normal_name,
    PartyKey.PHONE: normal_phone,
    PartyKey.ID_NUMBER: normal_id_number,
}


def party_keys(party: Party) -> set[tuple[PartyKey, str]]:
    """A party's normalised identifiers (a phone or ID number that does not normalise is
    left out: it cannot be matched)."""
    return identifiers(party.name, party.phone, party.id_number)


def identifiers(name: str, phone: str | None, id_number: str | None) -> set[tuple[PartyKey, str]]:
    """`party_keys` of a party given by its three fields."""
    keys: set[tuple[PartyKey, str]] = set()
    for kind, value in (
        (PartyKey.NAME, name),
        (PartyKey.PHONE, phone),
        (PartyKey.ID_NUMBER, id_number),
    ):
        if value:
            normal = _NORMALISERS[kind](value)
            if normal:
                keys.add((kind, normal))
    return keys


def parties_keys(parties: Iterable[Party]) -> set[tuple[PartyKey, str]]:
    return {key for party in parties for key in party_keys(party)}


def search_keys(value: str) -> set[tuple[PartyKey, str]]:
    """What a searched value may be: always a name, and a phone or an ID number if it reads
    as one. A case matches if any of its parties has any of these."""
    keys: set[tuple[PartyKey, str]] = set()
    for kind, normalise in _NORMALISERS.items():
        normal = normalise(value)
        if normal:
            keys.add((kind, normal))
    return keys
