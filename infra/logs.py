"""Logging for the command line and the server: readable lines, or one JSON object a line."""

from __future__ import annotations

import logging
import re
import sys

from pythonjsonlogger.json import JsonFormatter

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


_SECRET_IN_URL = re.compile(r"(?<=[?&]token=)[^&\s]+")


class RedactLinkTokens(logging.Filter):
    """A supervisor's link carries its secret in the URL (`/verify-hours?token=…`): the
    access log writes the path but never the token."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _SECRET_IN_URL.sub("…", a) if isinstance(a, str) else a for a in record.args
            )
        return True


def configure_logging(log_format: str, level: str = "INFO") -> None:
    """`text` (the default) or `json` on standard error, for this process and uvicorn's."""
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(
            JsonFormatter(JSON_FIELDS, rename_fields={"levelname": "level", "asctime": "time"})
        )
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("pgserver").setLevel(logging.WARNING)  # it narrates every pg_ctl call
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_log = logging.getLogger(name)
        uvicorn_log.handlers[:] = []  # through the root handler, in the same format
        uvicorn_log.propagate = True
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactLinkTokens) for f in access.filters):
        access.addFilter(RedactLinkTokens())
