"""A monthly report as files for people: CSV, and an Excel workbook of one sheet per dimension.

Chinese headers (the statistics' own labels), categories in words, organisations and mediators
by name; numbers stay numbers, rates are shown as the bureau publishes them (truncated to two
decimals of a percentage by default: `TONGJIE_RATE_DISPLAY`), as numbers formatted `0.00%`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import tzinfo
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from api.stats_format import BOM, DAYS, RATES, ZH_DIMENSIONS, ZH_FIGURES, key_zh
from application.reports import DIMENSIONS, IssuedReport
from projections.stats.figures import RateDisplay, display_days, display_rate, shown_rate

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEETS = {"summary": "总计", **{d: ZH_DIMENSIONS[d] for d in DIMENSIONS if d != "summary"}}
NAMED = ("organisation", "mediator")
"""Dimensions whose keys are codes: shown by name, with the code beside it."""
CODE = "代码"
ABOUT = "说明"
MONEY = "agreement_amount"
FORMATS = {"rate": "0.00%", "days": "0.00", "money": "#,##0.00", "count": "0"}
ROUNDING = {
    "truncate": "比率截断至两位小数（与通报一致）",
    "half_up": "比率四舍五入至两位小数",
}
RATES_NOTE = (
    "调处成功率＝月内调解成功÷月内受理（通报口径；二者不一定是同一批案件，可超过100%）；"
    "受理案件成功率＝月内受理的案件中已调解成功的÷月内受理（不超过100%）。"
)
NOTE = (
    "数字为签发时记录，此后不再改变；在办、超期、72小时内到期及预警为签发时的在办情况。"
    + RATES_NOTE
)

Names = Mapping[str, Mapping[str, str]]
"""Display names by dimension and code (organisations and mediators)."""


def kind_of(name: str) -> str:
    if name in RATES:
        return "rate"
    if name in DAYS:
        return "days"
    return "money" if name == MONEY else "count"


def headers(dimension: str, names: list[str]) -> list[str]:
    """A dimension's columns: its key (and a code's name beside it), then the figures."""
    keys = [] if dimension == "summary" else [ZH_DIMENSIONS.get(dimension, dimension)]
    if dimension in NAMED:
        keys.append(CODE)
    return keys + [ZH_FIGURES.get(name, name) for name in names]


def key_cells(dimension: str, key: str | None, names: Names) -> list[str]:
    if dimension == "summary":
        return []
    if dimension in NAMED:
        said = key_zh(dimension, key) if key is None else names.get(dimension, {}).get(key, key)
        return [said, key or ""]
    return [key_zh(dimension, key)]


def value(name: str, figure: Any, mode: RateDisplay) -> int | float | Decimal | None:
    """A figure as a number a spreadsheet keeps: a rate as shown (0.9978 for 99.78%)."""
    if figure is None:
        return None
    kind = kind_of(name)
    if kind == "rate":
        return shown_rate(figure, mode)
    if kind == "money":
        return Decimal(figure)
    return figure  # type: ignore[no-any-return]


def report_workbook(report: IssuedReport, names: Names, mode: RateDisplay, zone: tzinfo) -> bytes:
    book = Workbook()
    about = book.active
    assert about is not None
    about.title = ABOUT
    for line in about_lines(report, mode, zone):
        about.append(line)
    about.column_dimensions["A"].width = 14
    about.column_dimensions["B"].width = 40
    for dimension, rows in report.rows.items():
        sheet = book.create_sheet(SHEETS.get(dimension, dimension))
        heads = headers(dimension, report.names)
        sheet.append(heads)
        keys = len(heads) - len(report.names)
        for row in rows:
            values = [value(n, f, mode) for n, f in zip(report.names, row[1:], strict=True)]
            sheet.append([*key_cells(dimension, row[0], names), *values])
        sheet.append([])
        sheet.append([RATES_NOTE])  # no rate above 100% without the line that explains it
        for offset, name in enumerate(report.names, start=keys + 1):
            letter = get_column_letter(offset)
            sheet.column_dimensions[letter].width = 12
            for (cell,) in sheet.iter_rows(
                min_row=2, max_row=len(rows) + 1, min_col=offset, max_col=offset
            ):
                cell.number_format = FORMATS[kind_of(name)]
        if keys:
            sheet.column_dimensions["A"].width = 24
        sheet.freeze_panes = sheet.cell(row=2, column=keys + 1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def about_lines(report: IssuedReport, mode: RateDisplay, zone: tzinfo) -> list[list[Any]]:
    """The workbook's first sheet: which month, when issued, by whom, at which position."""
    start, end = (t.astimezone(zone).isoformat() for t in (report.start, report.end))
    return [
        ["月度通报", report.month],
        ["统计期间", f"{start} 至 {end}（不含）"],
        ["签发时间", report.issued_at.astimezone(zone).isoformat(timespec="seconds")],
        ["签发人", report.issued_by.login],
        ["数据位置", report.position],
        ["比率", ROUNDING[mode]],
        ["说明", NOTE],
    ]


def report_csv(report: IssuedReport, names: Names, mode: RateDisplay) -> bytes:
    """Every dimension in one table: 维度, 项目, 代码, then the figures as displayed."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["维度", "项目", CODE, *(ZH_FIGURES.get(n, n) for n in report.names)])
    for dimension, rows in report.rows.items():
        for row in rows:
            key = row[0]
            said = key_cells(dimension, key, names)[:1] or ["全区"]
            shown = [_shown(n, f, mode) for n, f in zip(report.names, row[1:], strict=True)]
            writer.writerow([SHEETS.get(dimension, dimension), *said, key or "", *shown])
    return out.getvalue().encode("utf-8")


def _shown(name: str, figure: Any, mode: RateDisplay) -> str:
    if figure is None:
        return ""
    kind = kind_of(name)
    if kind == "rate":
        return display_rate(figure, mode)
    if kind == "days":
        return display_days(figure)
    return str(figure)
