"""Normalisation of parties' identifiers: the ways people write one phone or ID number compare
equal, and different numbers stay different (hypothesis over the formats)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain.identity import (
    PartyKey,
    normal_id_number,
    normal_name,
    normal_phone,
    search_keys,
)

DIGITS = "0123456789"
WIDE = {d: chr(ord(d) + 0xFEE0) for d in DIGITS}
SPACES = st.sampled_from([" ", "  ", "\u3000", "\t", ""])
mobiles = st.text(DIGITS, min_size=10, max_size=10).map(lambda rest: "1" + rest)
ids = st.tuples(st.text(DIGITS, min_size=17, max_size=17), st.sampled_from([*DIGITS, "X"])).map(
    "".join
)


@st.composite
def written(draw: st.DrawFn, digits: str, prefixes: list[str]) -> str:
    """`digits` as a person might type them: a prefix, spaces, hyphens, full-width digits."""
    prefix = draw(st.sampled_from(prefixes))
    out = [prefix, draw(SPACES)]
    for digit in digits:
        out.append(WIDE[digit] if digit in WIDE and draw(st.booleans()) else digit)
        out.append(draw(st.sampled_from(["", "", "", " ", "-"])))
    return "".join(out).strip("-")


@given(st.data(), mobiles)
def test_a_mobile_number_however_written_is_the_same(data: st.DataObject, mobile: str) -> None:
    text = data.draw(written(mobile, ["", "+86", "+86 ", "0086", "86", "＋８６"]))
    assert normal_phone(text) == mobile, text


@given(st.data(), st.text(DIGITS, min_size=7, max_size=8), st.sampled_from(["10", "21", "571"]))
def test_a_landline_with_or_without_the_country_code(
    data: st.DataObject, local: str, area: str
) -> None:
    domestic = data.draw(written("0" + area + local, [""]))
    international = data.draw(written(area + local, ["+86", "0086"]))
    assert normal_phone(domestic) == normal_phone(international) == "0" + area + local


@given(mobiles, mobiles)
def test_different_numbers_stay_different(one: str, other: str) -> None:
    assert (normal_phone(one) == normal_phone(other)) == (one == other)


@given(st.data(), ids)
def test_an_id_number_however_written_is_the_same(data: st.DataObject, id_number: str) -> None:
    body = data.draw(written(id_number[:-1], [""]))
    check = id_number[-1]
    last = data.draw(st.sampled_from([check, check.lower()])) if check == "X" else check
    assert normal_id_number(f"{body}{last}") == id_number


@given(ids)
def test_an_id_number_reads_as_an_id_not_a_phone(id_number: str) -> None:
    kinds = {kind for kind, _ in search_keys(id_number)}
    assert kinds == {PartyKey.NAME, PartyKey.ID_NUMBER}


def test_malformed_values_are_not_numbers() -> None:
    assert normal_id_number("11010119900101001") is None  # 17 characters
    assert normal_id_number("11010119900101001Y") is None
    assert normal_phone("+1 202 555 0100") is None  # not a Chinese number: never matched
    assert normal_phone("13800000000x") is None


def test_names_compare_without_spaces_case_or_dot_variants() -> None:
    assert normal_name(" 王 小明 ") == normal_name("王小明")
    assert normal_name("Li Lei") == normal_name("lilei")
    assert normal_name("阿卜杜・热合曼") == normal_name("阿卜杜·热合曼")
    assert normal_name("王小明") != normal_name("王晓明")
    assert normal_name("   ") is None
