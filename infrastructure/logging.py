"""Every log line through one pipeline: structlog's, on the standard library's root handler.

Our own lines (structlog), the standard library's (`logging.getLogger(...)`: the write path,
the access tables, the libraries, Python's warnings) and uvicorn's all reach one handler on the
root logger, whose `ProcessorFormatter` adds the level, the logger's name, the time (ISO 8601,
UTC) and whatever is bound in the context (the request id, by the request middleware), then
renders one JSON line or a readable console line, on whatever `sys.stderr` is at that moment
(a test may capture it).

uvicorn's access log stays off, whoever started the server: the middleware's `request` line is
the access log (with the request id, the actor, the case and the route's template), and
uvicorn's would repeat it with the raw path and query string, where a search's text may name a
party.
"""

from __future__ import annotations

import logging
import sys

import structlog

from infrastructure.settings import Settings

SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.asgi")
"""uvicorn's loggers: their own handlers (if it set any) removed, so their lines reach ours."""
SERVER_ACCESS_LOGGER = "uvicorn.access"

_ADDED: list[structlog.typing.Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.processors.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]
"""What every line gets, whichever logger wrote it."""


class _StderrHandler(logging.Handler):
    """One line on the current `sys.stderr` (like `logging.lastResort`, at any level)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
            stream = sys.stderr
            stream.write(line + "\n")
            stream.flush()
        except Exception:  # the stdlib's way: report on stderr, never raise into the caller
            self.handleError(record)


def configure_logging(settings: Settings) -> None:
    """JSON unless the output is a terminal (or TONGJIE_LOG_FORMAT says otherwise).

    Called again (a second app in one process), it replaces its handler rather than adding one.
    """
    as_json = settings.log_format == "json" or (
        settings.log_format == "auto" and not sys.stderr.isatty()
    )
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if as_json
        else structlog.dev.ConsoleRenderer(exception_formatter=structlog.dev.plain_traceback)
    )
    handler = _StderrHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=_ADDED,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _StderrHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.getLevelNamesMapping().get(settings.log_level.upper(), logging.INFO))
    for name in SERVER_LOGGERS:
        server_logger = logging.getLogger(name)
        server_logger.handlers.clear()
        server_logger.propagate = True
    access = logging.getLogger(SERVER_ACCESS_LOGGER)
    access.handlers.clear()  # uvicorn logs access only when this logger has a handler
    access.propagate = False
    logging.captureWarnings(True)  # Python's warnings become log lines too
    # What changes between two calls lives in the handler (stream, renderer) and on the root
    # logger (level): the loggers structlog caches at first use stay right.
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_ADDED,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.NOTSET),
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
