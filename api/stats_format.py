"""The statistics as JSON rows and as CSV (UTF-8 with a byte-order mark, so spreadsheets show
Chinese), shared by the HTTP API and the command line."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from projections.stats.figures import FIGURES
from projections.stats.query import StatsRow

BOM = "\ufeff"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


def row_json(row: StatsRow) -> dict[str, Any]:
    return {"key": row.key, **row.figures}


def rows_csv(rows: Sequence[StatsRow], key: str | None) -> bytes:
    """One line per row; the first column is the dimension (`key` names it), if any."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(([key] if key else []) + list(FIGURES))
    for row in rows:
        values = [_cell(row.figures[name]) for name in FIGURES]
        writer.writerow(([_cell(row.key)] if key else []) + values)
    return out.getvalue().encode("utf-8")


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def prefers_csv(accept: str) -> bool:
    """Whether the client ranks text/csv above JSON (`Accept: text/csv`; curl's */* does not)."""
    best_csv = best_json = 0.0
    for part in accept.split(","):
        kind, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        kind = kind.strip().lower()
        if kind == "text/csv":
            best_csv = max(best_csv, quality)
        elif kind in ("application/json", "application/*", "*/*"):
            best_json = max(best_json, quality)
    return best_csv > 0 and best_csv > best_json
