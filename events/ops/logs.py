"""Structured logs: one line per request on the `events.requests` logger, and a request id.

The id is the request's `X-Request-ID` when that is sane (a proxy or load balancer set it),
else a new one; it goes back in the response's `X-Request-ID`, is shown on error pages, is
stored on the outbox mail the request queued (the worker logs it when it delivers that mail)
and is on every log line written during the request.

LOG_FORMAT picks how lines look: `json` (one JSON object per line, for a log collector; the
production recipe sets it) or `text` (the default, for a person reading `make run`). The
handler goes on the root logger unless something else (gunicorn --log-config, pytest) already
configured it; then only the level of the app's loggers is set and the records carry the same
fields for whichever handler is there."""

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

REQUEST_LOG = logging.getLogger("events.requests")
# Letters, digits and a few separators, up to 128: what proxies send (UUIDs, hex, base64).
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+=/-]{0,127}")
FORMATS = ("json", "text")
# Fields of a record that are its own, not ours (logging.LogRecord's attributes).
_RECORD_ATTRIBUTES = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message", "asctime", "request_id"}


def new_request_id() -> str:
    return uuid.uuid4().hex


def incoming_request_id(value: str | None) -> str:
    """The caller's id if it is sane, else a new one (never trust it into a log verbatim)."""
    if value and _SANE_ID.fullmatch(value):
        return value
    return new_request_id()


def current_request_id() -> str | None:
    """The id of the request being answered, or None outside a request."""
    if not has_request_context():
        return None
    return g.get("request_id")


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record written during a request (a record that
    already carries one, such as the worker's delivery line, keeps its own)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request id and whatever
    the caller passed in `extra`."""

    def format(self, record: logging.LogRecord) -> str:
        data = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id:
            data["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and not key.startswith("_"):
                data[key] = value
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        request_id = getattr(record, "request_id", None)
        if not request_id:
            return text
        first, newline, rest = text.partition("\n")  # a printed mail keeps its last line
        return f"{first} [request {request_id}]{newline}{rest}"


class StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the moment (it may be replaced after start)."""

    def __init__(self):
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


def formatter_for(name: str) -> logging.Formatter:
    return JsonFormatter() if name == "json" else TextFormatter()


def configure_logging(log_format: str) -> None:
    """The root handler in the chosen format (added once, its format updated by later
    calls), INFO for the app's loggers, and the request id on every record."""
    if log_format not in FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, not {log_format!r}")
    root = logging.getLogger()
    ours = [h for h in root.handlers if isinstance(h, StderrHandler)]
    if ours:
        ours[0].setFormatter(formatter_for(log_format))
    elif not root.handlers:
        handler = StderrHandler()
        handler.setFormatter(formatter_for(log_format))
        root.addHandler(handler)
        if root.level > logging.INFO or root.level == logging.NOTSET:
            root.setLevel(logging.INFO)
    for handler in root.handlers:
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            handler.addFilter(RequestIdFilter())
    for name in ("events", "app"):
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.INFO)


def init_request_logging(app: Flask) -> None:
    from events.ops import PROBE_PATHS

    configure_logging(app.config["LOG_FORMAT"])

    def _request_id():
        g.request_id = incoming_request_id(request.headers.get("X-Request-ID"))
        g.request_log_started = time.perf_counter()

    # First of all: a request refused by an earlier hook (CSRF, a body too large) has its id.
    app.before_request_funcs.setdefault(None, []).insert(0, _request_id)

    @app.after_request
    def _log_request(response):
        request_id = g.get("request_id")
        if request_id is None:  # a response made before our before_request ran
            request_id = g.request_id = new_request_id()
        response.headers["X-Request-ID"] = request_id
        started = g.pop("request_log_started", None)
        if request.path in PROBE_PATHS and response.status_code == 200:
            return response  # a load balancer asks every few seconds
        duration = (time.perf_counter() - started) * 1000 if started is not None else None
        user = g.get("_login_user")  # only if the request loaded it: never a query for this
        user_id = user.id if user is not None and getattr(user, "is_authenticated", False) \
            else None
        REQUEST_LOG.info(
            "%s %s %s", request.method, request.path, response.status_code,
            extra={"method": request.method, "path": request.path,
                   "endpoint": request.endpoint, "status": response.status_code,
                   "duration_ms": round(duration, 1) if duration is not None else None,
                   "user_id": user_id, "request_id": request_id})
        return response
