"""Structured logs (docs/operations.md "Logs"): one JSON object a line, with the request's trace id.

What is logged is only what the code writes in its messages — routes as templates, statuses, durations, counts,
error class names — never a body, a query, a header or an address (INT-1). Exception tracebacks are left out (their
text may quote values); the exception's class name is kept.
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

# The trace id of the request being answered (set by app/api/middleware.py's TraceAndAccessLog), else None.
TRACE_ID: ContextVar[str | None] = ContextVar("withu_trace_id", default=None)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "trace_id": TRACE_ID.get(),
        }
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = record.exc_info[0].__name__
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    logging.basicConfig(level=level, handlers=[handler], force=True)
