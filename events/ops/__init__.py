"""Operations: health checks for load balancers (/healthz, /readyz), Prometheus metrics
(/metrics), the worker's heartbeat, request logs with request ids (logs.py), and
`flask backup` / `flask restore` (backup.py). Checks are plain functions (checks.py); the blueprint
(views.py) only answers them."""

import logging
import os

from flask import Flask

# Settings read from the environment (or given in the app's config, which wins).
DEFAULTS = {
    # /metrics: with a token, only `Authorization: Bearer <token>`; without, only loopback.
    "METRICS_TOKEN": "",
    # /readyz is not ready when the oldest mail waiting to be sent is older than this.
    "OUTBOX_MAX_AGE_SECONDS": 900,
    # ... or when no worker recorded a heartbeat within this long (it beats every minute).
    "WORKER_HEARTBEAT_MAX_AGE_SECONDS": 180,
    # The database and Redis must answer within this long for /readyz.
    "READYZ_TIMEOUT_SECONDS": 2,
    # Log lines as `json` (one object per line: the production recipe) or `text` (make run).
    "LOG_FORMAT": "text",
}
PROBE_PATHS = ("/healthz", "/readyz")


def init_ops(app: Flask) -> None:
    """Settings from the environment, quiet logs for successful probes."""
    for name, default in DEFAULTS.items():
        if name in app.config:
            continue
        raw = os.environ.get(name)
        if raw is None or raw == "":
            app.config[name] = default
        else:
            app.config[name] = raw if isinstance(default, str) else int(raw)
    for logger_name in ("werkzeug", "gunicorn.access"):
        logger = logging.getLogger(logger_name)
        if not any(isinstance(f, QuietProbes) for f in logger.filters):
            logger.addFilter(QuietProbes())
    from events.ops.logs import init_request_logging
    from events.ops.metrics import init_metrics

    init_request_logging(app)
    init_metrics(app)


class QuietProbes(logging.Filter):
    """Drops access-log lines of successful health probes (a load balancer asks every few
    seconds); a probe that fails (503) is still logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            text = record.getMessage()
        except Exception:  # a record whose arguments do not format: keep it
            return True
        for path in PROBE_PATHS:
            if f"GET {path} " in text or f"GET {path}?" in text:
                return '" 200 ' not in text and " 200 " not in text
        return True
