"""The statistics' CSV for people (`labels=zh`): every figure has its Chinese heading, keys are
words, and rates read as the dashboard shows them, in the bureau's rounding."""

from __future__ import annotations

import csv
import io

import pytest

from api.schemas.stats import Dimension
from api.stats_format import ZH_DIMENSIONS, ZH_FIGURES, rows_csv
from projections.stats.figures import FIGURES
from projections.stats.query import StatsRow


def _table(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_every_figure_and_dimension_has_its_chinese_heading() -> None:
    assert set(ZH_FIGURES) == set(FIGURES)
    assert set(ZH_DIMENSIONS) == {d.value for d in Dimension}
    assert len(set(ZH_FIGURES.values())) == len(ZH_FIGURES)  # no two columns read the same


@pytest.mark.parametrize(("mode", "shown"), [("truncate", "66.66%"), ("half_up", "66.67%")])
def test_rates_read_as_displayed_in_the_bureaus_rounding(mode: str, shown: str) -> None:
    figures = dict.fromkeys(FIGURES, 0) | {"success_rate": 2 / 3, "settlement_rate": None}
    rows = [StatsRow("other", figures)]
    [row] = _table(rows_csv(rows, "category", "zh", mode))  # type: ignore[arg-type]
    assert (row["类别"], row["调处成功率"], row["结案协议率"]) == ("其他纠纷", shown, "")
    [raw] = _table(rows_csv(rows, "category"))
    assert (raw["category"], raw["success_rate"]) == ("other", repr(2 / 3))


def test_a_subcategory_two_categories_share_says_both() -> None:
    figures = dict.fromkeys(FIGURES, 0)
    rows = [StatsRow("labour", figures), StatsRow("traffic", figures), StatsRow(None, figures)]
    keys = [row["子类"] for row in _table(rows_csv(rows, "subcategory", "zh"))]
    assert keys == ["劳务纠纷／劳动争议", "交通事故纠纷", ""]
