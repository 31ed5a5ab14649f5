"""The statistics as JSON rows and as CSV (UTF-8 with a byte-order mark, so spreadsheets show
Chinese), shared by the HTTP API and the command line."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from api.casefile.labels import subcategory, value
from domain.values import SUBCATEGORIES, Category, Channel
from projections.stats.figures import (
    FIGURES,
    TRUNCATE,
    RateDisplay,
    display_days,
    display_rate,
)
from projections.stats.query import StatsRow

BOM = "\ufeff"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"

ZH_FIGURES: dict[str, str] = {
    "received": "受理",
    "resolved": "结案",
    "agreements": "调解成功",
    "no_agreement": "调解不成",
    "withdrawn": "撤回",
    "success_rate": "调处成功率",
    "settlement_rate": "结案协议率",
    "open": "在办",
    "overdue": "超期",
    "due_soon": "72小时内到期",
    "days_to_resolve_median": "结案天数（中位数）",
    "days_to_resolve_p90": "结案天数（90%）",
    "agreement_amount": "协议金额（元）",
    "follow_up_rate": "回访率",
    "fulfilment_rate": "履行率",
    "judicial_confirmations_applied": "申请司法确认",
    "judicial_confirmations_confirmed": "司法确认有效",
    "escalated_yellow": "黄色预警",
    "escalated_orange": "橙色预警",
    "escalated_red": "红色预警",
    "cohort_received": "期内受理案件",
    "cohort_resolved": "其中已结案",
    "cohort_agreements": "其中调解成功",
    "cohort_open": "其中仍在办",
    "cohort_success_rate": "受理案件成功率",
    "cohort_days_to_resolve_median": "受理案件结案天数（中位数）",
    "satisfaction_mean": "满意度（5分制）",
    "satisfied_rate": "满意率（4–5分）",
}
"""The figures' column names in a CSV for people (`labels=zh`)."""
ZH_DIMENSIONS: dict[str, str] = {
    "category": "类别",
    "street": "街道",
    "organisation": "调解组织",
    "mediator": "调解员",
    "channel": "来源",
    "subcategory": "子类",
    "month": "月份",
    "week": "周",
}
_ENUMS: dict[str, type[Category] | type[Channel]] = {"category": Category, "channel": Channel}
RATES = frozenset(name for name in FIGURES if name.endswith("_rate"))
DAYS = frozenset(name for name in FIGURES if "days_" in name or name == "satisfaction_mean")


def row_json(row: StatsRow) -> dict[str, Any]:
    return {"key": row.key, **row.figures}


def rows_csv(
    rows: Sequence[StatsRow],
    key: str | None,
    labels: str | None = None,
    mode: RateDisplay = TRUNCATE,
) -> bytes:
    """One line per row; the first column is the dimension (`key` names it), if any.

    `labels="zh"`, a table for people: Chinese column names, categories and channels in
    words, rates and days as the dashboard shows them (`99.78%`: truncated or rounded half
    up, `mode`, as `TONGJIE_RATE_DISPLAY` says). Otherwise codes and exact numbers, for
    programs.
    """
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    if labels == "zh":
        heads = [ZH_DIMENSIONS.get(key, key)] if key else []
        writer.writerow(heads + [ZH_FIGURES.get(name, name) for name in FIGURES])
        for row in rows:
            values = [_shown(name, row.figures[name], mode) for name in FIGURES]
            writer.writerow(([key_zh(key, row.key)] if key else []) + values)
        return out.getvalue().encode("utf-8")
    writer.writerow(([key] if key else []) + list(FIGURES))
    for row in rows:
        values = [_cell(row.figures[name]) for name in FIGURES]
        writer.writerow(([_cell(row.key)] if key else []) + values)
    return out.getvalue().encode("utf-8")


def _shown(name: str, figure: Any, mode: RateDisplay) -> str:
    """A figure as a person reads it: rates and days as displayed, the rest as they are."""
    if figure is None:
        return ""
    if name in RATES:
        return display_rate(figure, mode)
    if name in DAYS:
        return display_days(figure)
    return str(figure)


def key_zh(dimension: str, key: str | None) -> str:
    if key is None:
        return "（未分流）" if dimension in ("organisation", "mediator") else ""
    if dimension == "subcategory":
        said = dict.fromkeys(subcategory(key, c)[0] for c in Category if key in SUBCATEGORIES[c])
        return "／".join(said) or key  # `labour`: 劳务纠纷 (commercial), 劳动争议 (other)
    kind = _ENUMS.get(dimension)
    if kind is None:
        return key
    try:
        return value(kind(key))[0]
    except ValueError:
        return key


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def prefers_csv(accept: str) -> bool:
    """Whether the client ranks text/csv above JSON (`Accept: text/csv`; curl's */* does not)."""
    return preferred(accept, ("text/csv",)) == "text/csv"


JSON_TYPES = ("application/json", "application/*", "*/*")


def preferred(accept: str, offered: tuple[str, ...]) -> str | None:
    """The one of `offered` the client ranks highest, if above JSON (which `*/*` means);
    None: JSON."""
    quality: dict[str, float] = {}
    for part in accept.split(","):
        kind, _, params = part.strip().partition(";")
        value = 1.0
        for param in params.split(";"):
            name, _, given = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    value = float(given)
                except ValueError:
                    value = 0.0
        kind = kind.strip().lower()
        quality[kind] = max(quality.get(kind, 0.0), value)
    best_json = max((quality.get(kind, 0.0) for kind in JSON_TYPES), default=0.0)
    ranked = sorted(offered, key=lambda kind: -quality.get(kind, 0.0))
    if ranked and quality.get(ranked[0], 0.0) > max(best_json, 0.0):
        return ranked[0]
    return None
