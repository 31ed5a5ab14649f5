"""The page's own modules, run in Chromium: the event-stream parser and the percentage format."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser

from projections.stats.figures import display_rate
from tests.e2e.browser.conftest import Server
from tests.e2e.browser.pages import visit

pytestmark = pytest.mark.browser

PARSE = """async ([chunks]) => {
  const src = [...document.scripts].find((s) => s.src.endsWith("/js/main.js")).src;
  const { EventParser } = await import(src.replace("main.js", "stream.js"));
  const parser = new EventParser();
  return chunks.flatMap((chunk) => parser.push(chunk));
}"""

FORMAT = """async ([ratios, mode]) => {
  const src = [...document.scripts].find((s) => s.src.endsWith("/js/main.js")).src;
  const { percent } = await import(src.replace("main.js", "format.js"));
  return ratios.map((ratio) => (mode ? percent(ratio, mode) : percent(ratio)));
}"""


def run(browser: Browser, server: Server, script: str, *arguments: Any) -> Any:
    with visit(browser, server) as v:
        v.page.goto(f"{server.url}/dashboard")
        return v.page.evaluate(script, list(arguments))


def test_the_stream_parser_reassembles_events_split_anywhere(
    browser: Browser, server: Server
) -> None:
    text = (
        ": ping\r\n\r\n"
        'event: update\r\ndata: {"position": 7}\r\n\r\n'
        "data: first line\ndata: second line\n\n"
        'event:update\rdata:{"position": 8}\r\r'
        "event: update\ndata: unfinished"
    )
    chunks = [text[i : i + 5] for i in range(0, len(text), 5)]
    events = run(browser, server, PARSE, chunks)
    assert events == [
        {"type": "update", "data": '{"position": 7}'},
        {"type": "message", "data": "first line\nsecond line"},
        {"type": "update", "data": '{"position": 8}'},
    ]


RATIOS = [7498 / 7514, 0.12345, 0.00005, 0.99995, 1.0, 0, 2 / 3, 0.1, 0.285, 0.29, 1.1, None]


def test_percentages_have_two_decimals_truncated_as_the_bureau_prints_them(
    browser: Browser, server: Server
) -> None:
    shown = run(browser, server, FORMAT, RATIOS, None)
    assert shown == [display_rate(r) for r in RATIOS]
    assert shown[0] == "99.78%"
    assert run(browser, server, FORMAT, RATIOS, "half_up") == [
        display_rate(r, "half_up") for r in RATIOS
    ]
