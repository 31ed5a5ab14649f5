"""One process at a time creates or checks a PostgreSQL schema's tables.

Every process that starts (each API worker, `tongjie project`, the command line) runs the
library's and our `CREATE ... IF NOT EXISTS`, `CREATE OR REPLACE FUNCTION` and `ALTER TABLE ...
IF NOT EXISTS` statements. Run at the same moment on the same schema they fail: two creations
of one table race on the catalog (`duplicate key value violates unique constraint
"pg_type_typname_nsp_index"`), and the function's and the table's locks, taken in different
orders by different recorders, deadlock. A session advisory lock per schema, held while the
application is built, makes the starts take turns; the second finds everything made.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import psycopg

_KEY = "tongjie: creating the tables of schema {}"


@contextmanager
def one_at_a_time(env: Mapping[str, str]) -> Iterator[None]:
    """Hold the schema's creation lock meanwhile (PostgreSQL, by the library's environment
    keys); nothing on another store, whose own locks serialise its creation (SQLite)."""
    if "POSTGRES_DBNAME" not in env:
        yield
        return
    schema = env.get("POSTGRES_SCHEMA") or "public"
    with psycopg.connect(
        dbname=env["POSTGRES_DBNAME"],
        host=env.get("POSTGRES_HOST"),
        port=env.get("POSTGRES_PORT"),
        user=env.get("POSTGRES_USER"),
        password=env.get("POSTGRES_PASSWORD") or None,
        connect_timeout=int(env.get("POSTGRES_CONNECT_TIMEOUT") or 5),
        autocommit=True,
    ) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (_KEY.format(schema),))
        yield  # closing the session releases the lock, whatever happened meanwhile
