"""The rebuild's set-based statements keep the shape that makes them scale: each built cell
finds its staged durations by key (SQLite scanned all the staged cells for each cell without
the staged table's key: quadratic, minutes at 1,000,000 events; the figures stay exact either
way, so the oracle tests cannot see it)."""

from __future__ import annotations

from pathlib import Path

from infrastructure.views.sqlite import SQLiteConnection
from projections.engine.view import Tables
from projections.stats import build
from projections.stats.sums import GROUPS, expanded
from projections.stats.tables import create


def test_each_built_cell_finds_its_durations_by_key(tmp_path: Path) -> None:
    conn = SQLiteConnection(str(tmp_path / "stats.db"))
    try:
        tables = Tables("stats", 1)
        create(conn, tables)
        cases = tables.name("cases")
        staged = build._stage_durations(conn, cases)
        cells = expanded(build._contributions(cases), GROUPS)
        statement = build.insert_statement(tables.name("cells"), staged, cells)
        plan = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {statement}", (b"", b""))]
    finally:
        conn.close()
    assert any(step.startswith("SEARCH t USING") for step in plan), plan
    assert not any(step.startswith("SCAN t") for step in plan), plan
