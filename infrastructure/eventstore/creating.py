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

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import psycopg

from infrastructure.reachability import connection_kwargs

if TYPE_CHECKING:
    from infrastructure.settings import Settings

_KEY = "tongjie: creating the tables of schema {}"


@contextmanager
def one_at_a_time(settings: Settings) -> Iterator[None]:
    """Hold the schema's creation lock meanwhile (PostgreSQL); nothing on SQLite, whose own
    locks serialise its creation."""
    if not settings.is_postgres:
        yield
        return
    with psycopg.connect(
        settings.postgres_conninfo,
        autocommit=True,
        **connection_kwargs("start", statement_timeout=False),
    ) as conn:
        key = _KEY.format(settings.postgres_schema)
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (key,))
        yield  # closing the session releases the lock, whatever happened meanwhile
