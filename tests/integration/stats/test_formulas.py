"""Each figure's one definition gives the same value rendered to Python and to PostgreSQL's SQL.

The SQL forms are evaluated by the server over a row named as a query of the cells names a
group's sums (from_cells.CELL_TERMS); the Python forms by `figures_of`. Every figure but the
clock's (overdue and due soon are counted apart) must be equal, to the bit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projections.stats.cells import pack
from projections.stats.figures import COUNTERS, DEFINITIONS, figures_of
from projections.stats.formulas import DAY_US, Clock
from projections.stats.from_cells import CELL_TERMS
from tests.conftest import POSTGRES_URL, require_postgres

pytestmark = pytest.mark.postgres

DURATIONS = st.lists(st.integers(0, 400 * DAY_US), max_size=40).map(sorted)


@pytest.fixture(scope="module")
def server() -> Iterator[psycopg.Connection[Any]]:
    require_postgres()
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        yield conn


def on_the_server(
    conn: psycopg.Connection[Any],
    counts: list[int],
    amount: int,
    durations: list[int],
    cohort: list[int],
) -> dict[str, Any]:
    names = [name for name, expr in DEFINITIONS.items() if not isinstance(expr, Clock)]
    figures = ", ".join(DEFINITIONS[name].sql(CELL_TERMS) for name in names)
    columns = [*(f"s_n_{name}" for name in COUNTERS), "s_amount", "blob0", "blob1"]
    row = ", ".join(["%s::bigint"] * len(COUNTERS) + ["%s::numeric", "%s::bytea", "%s::bytea"])
    statement = f"SELECT {figures} FROM (SELECT {row}) AS g({', '.join(columns)})"
    values = [*counts, amount, pack(durations), pack(cohort) if cohort else None]
    found = conn.execute(statement.encode(), values).fetchone()
    assert found is not None
    return dict(zip(names, found, strict=True))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    counts=st.lists(st.integers(0, 50_000), min_size=len(COUNTERS), max_size=len(COUNTERS)),
    zeros=st.sets(st.sampled_from(COUNTERS)),
    amount=st.integers(-(10**12), 10**12),
    durations=DURATIONS,
    cohort=DURATIONS,
)
def test_every_figure_is_the_same_in_python_and_on_the_server(
    server: psycopg.Connection[Any],
    counts: list[int],
    zeros: set[str],
    amount: int,
    durations: list[int],
    cohort: list[int],
) -> None:
    counts = [0 if name in zeros else n for name, n in zip(COUNTERS, counts, strict=True)]
    here = figures_of(counts, amount, durations, 0, 0, cohort)
    there = on_the_server(server, counts, amount, durations, cohort)
    assert there == {name: here[name] for name in there}
    for name, value in there.items():  # the same type too: no Decimal, no int for a rate
        assert type(value) is type(here[name]), name
