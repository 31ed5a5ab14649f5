"""structlog: one JSON line per event in production, readable lines on a terminal."""

from __future__ import annotations

import logging
import sys

import structlog

from infrastructure.settings import Settings


def _stderr_logger(*_args: object) -> structlog.PrintLogger:
    """Whatever sys.stderr is when a line is written (a test may capture it)."""
    return structlog.PrintLogger(sys.stderr)


def configure_logging(settings: Settings) -> None:
    """JSON unless the output is a terminal (or TONGJIE_LOG_FORMAT says otherwise)."""
    as_json = settings.log_format == "json" or (
        settings.log_format == "auto" and not sys.stderr.isatty()
    )
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if as_json
        else structlog.dev.ConsoleRenderer(exception_formatter=structlog.dev.plain_traceback)
    )
    level = logging.getLevelNamesMapping().get(settings.log_level.upper(), logging.INFO)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )
