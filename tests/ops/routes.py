"""Access rows for health checks and metrics (see tests/routes.py)."""

ROUTES = {
    "ops.healthz": "anyone",
    "ops.readyz": "anyone",
    # loopback without METRICS_TOKEN, else the bearer token: tests/ops/test_health.py
    "ops.metrics": "monitoring",
}
