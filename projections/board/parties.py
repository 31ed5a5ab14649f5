"""The board's index of parties (keyed hashes only) and its repeat parties (重复当事人).

`parties`: one row per case and distinct normalised identifier of its current parties (name,
phone, ID number), holding the identifier's keyed hash (`ViewKeys.token`), never its value,
with the case's receipt time. `repeats`: the cases that share a phone or ID number with
another case received within REPEAT_WINDOW of it, either way.

A case's flag depends on the other cases too: when a receipt or a correction changes a case's
parties, the flags of every case holding one of its old or new phone or ID tokens, received
within the window of it, are computed again. While a rebuild loads the board (not indexed yet)
only `parties` is written; `repeats` is made from it in one statement once caught up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.identity import PartyKey, identifiers
from projections.engine.values import unwrap

if TYPE_CHECKING:
    from projections.engine.ports import Connection, ViewKeys
    from projections.engine.view import Tables

PARTIES = "parties"
REPEATS = "repeats"
REPEAT_WINDOW = timedelta(days=365)
"""Two cases sharing a phone or ID number are repeats if received within 12 months (365 days)."""
WINDOW_US = REPEAT_WINDOW // timedelta(microseconds=1)
_CHUNK = 500
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


Token = tuple[bytes, bool]
"""A keyed hash and whether it identifies a person (phone, ID number) or not (name)."""


def tokens_of(keys: ViewKeys, registration: Any) -> set[Token]:
    """The tokens of a registration's parties, as the event stored them."""
    found: set[Token] = set()
    for wrapped in unwrap(registration)["parties"]:
        party = unwrap(wrapped)
        for kind, value in identifiers(party["name"], party.get("phone"), party.get("id_number")):
            found.add((keys.token(kind.value, value), kind.identifies))
    return found


def search_tokens(keys: ViewKeys, keys_of_value: Iterable[tuple[PartyKey, str]]) -> list[bytes]:
    return sorted({keys.token(kind.value, value) for kind, value in keys_of_value})


def create_tables(conn: Connection, tables: Tables) -> None:
    postgres = conn.dialect == "postgres"
    case, blob, flag = ("uuid", "bytea", "boolean") if postgres else ("TEXT", "BLOB", "INTEGER")
    big = "bigint" if postgres else "INTEGER"
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {tables.name(PARTIES)} (case_id {case} NOT NULL, "
        f"token {blob} NOT NULL, identifies {flag} NOT NULL, received_us {big} NOT NULL)"
    )
    rowid = "" if postgres else " WITHOUT ROWID"
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {tables.name(REPEATS)} (case_id {case} PRIMARY KEY){rowid}"
    )


def create_indexes(conn: Connection, tables: Tables) -> None:
    """The lookups by token (a search, a repeat) and by case; then the repeats of all."""
    parties = tables.name(PARTIES)
    conn.execute(
        f"CREATE INDEX IF NOT EXISTS {parties}_token ON {parties} (token, received_us, case_id)"
    )
    conn.execute(f"CREATE INDEX IF NOT EXISTS {parties}_case ON {parties} (case_id)")
    repeats = tables.name(REPEATS)
    conn.execute(f"DELETE FROM {repeats}")
    conn.execute(f"INSERT INTO {repeats} (case_id) {_flagged(parties, None)}", _flag_params(conn))


def _flag_params(conn: Connection) -> list[Any]:
    return [True if conn.dialect == "postgres" else 1, WINDOW_US, WINDOW_US]


def _flagged(parties: str, candidates: str | None) -> str:
    """The cases (of `candidates`, a condition on a.case_id, or all) that are repeats."""
    among = f" AND {candidates}" if candidates else ""
    return (
        f"SELECT DISTINCT a.case_id FROM {parties} a WHERE a.identifies = %s{among} "
        f"AND EXISTS (SELECT 1 FROM {parties} b WHERE b.token = a.token "
        "AND b.received_us BETWEEN a.received_us - %s AND a.received_us + %s "
        "AND b.case_id <> a.case_id)"
    )


def _key(conn: Connection, case_id: UUID) -> Any:
    return case_id if conn.dialect == "postgres" else str(case_id)


def _in(conn: Connection, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
    if conn.dialect == "postgres":
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN ({', '.join('%s' for _ in values)})", list(values)


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def update(
    conn: Connection,
    tables: Tables,
    changed: dict[UUID, tuple[int, set[Token]]],
    born: set[UUID],
    live: bool,
) -> None:
    """Replace the tokens of the `changed` cases (received_us, tokens; `born` ones are new),
    then, when `live`, the repeat flags of every case that may have changed with them."""
    if not changed:
        return
    parties = tables.name(PARTIES)
    known = [_key(conn, case_id) for case_id in changed if case_id not in born]
    old: set[bytes] = set()
    for chunk in _chunks(known):
        where, params = _in(conn, "case_id", chunk)
        rows = conn.execute(
            f"SELECT token FROM {parties} WHERE {where} AND identifies = %s",
            [*params, _flag_params(conn)[0]],
        )
        old.update(bytes(row[0]) for row in rows)
        conn.execute(f"DELETE FROM {parties} WHERE {where}", params)
    flag = conn.dialect == "postgres"
    rows_in = [
        (_key(conn, case_id), token, identifies if flag else int(identifies), received_us)
        for case_id, (received_us, tokens) in changed.items()
        for token, identifies in sorted(tokens)
    ]
    conn.copy(parties, ("case_id", "token", "identifies", "received_us"), rows_in)
    if live:
        identifying = old | {t for _, tokens in changed.values() for t, ids in tokens if ids}
        _reflag(conn, tables, changed, sorted(identifying))


def _reflag(
    conn: Connection,
    tables: Tables,
    changed: dict[UUID, tuple[int, set[Token]]],
    tokens: list[bytes],
) -> None:
    parties, repeats = tables.name(PARTIES), tables.name(REPEATS)
    times = [received_us for received_us, _ in changed.values()]
    low, high = min(times) - WINDOW_US, max(times) + WINDOW_US
    candidates = {_key(conn, case_id) for case_id in changed}
    for chunk in _chunks(tokens):
        where, params = _in(conn, "token", chunk)
        rows = conn.execute(
            f"SELECT DISTINCT case_id FROM {parties} WHERE {where} "
            "AND received_us BETWEEN %s AND %s",
            [*params, low, high],
        )
        candidates.update(row[0] for row in rows)
    ordered = sorted(candidates, key=str)
    for chunk in _chunks(ordered):
        where, params = _in(conn, "case_id", chunk)
        conn.execute(f"DELETE FROM {repeats} WHERE {where}", params)
        among, among_params = _in(conn, "a.case_id", chunk)
        conn.execute(
            f"INSERT INTO {repeats} (case_id) {_flagged(parties, among)}",
            [_flag_params(conn)[0], *among_params, WINDOW_US, WINDOW_US],
        )
