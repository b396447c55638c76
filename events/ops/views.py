"""/healthz, /readyz and /metrics: for load balancers and Prometheus, not for people. GET
only, no session, no rate limit."""

import hmac
import ipaddress

from flask import Blueprint, Response, abort, current_app, jsonify, request

from events.extensions import limiter
from events.ops import checks
from events.ops.metrics import CONTENT_TYPE, exposition

bp = Blueprint("ops", __name__)


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """The process answers. Touches no database: a slow database must not get healthy
    processes restarted."""
    return _no_store(jsonify(status="ok"))


@bp.get("/readyz")
@limiter.exempt
def readyz():
    """Whether this process should get traffic: 200 when every required check passes, 503
    otherwise; each check with its status and figures (see events/ops/checks.py)."""
    ready, results = checks.readiness()
    body = {"status": "ok" if ready else "failing",
            "checks": {name: check.as_json() for name, check in results.items()}}
    return _no_store(jsonify(body)), 200 if ready else 503


def _is_loopback() -> bool:
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    # Through a proxy on the same host, remote_addr is the proxy's: not the scraper's.
    return address.is_loopback and "X-Forwarded-For" not in request.headers


@bp.get("/metrics")
@limiter.exempt
def metrics():
    """Prometheus text format. With METRICS_TOKEN set, only `Authorization: Bearer <token>`
    (403 otherwise); without, only from loopback (404 otherwise)."""
    token = current_app.config.get("METRICS_TOKEN") or ""
    if token:
        given = request.headers.get("Authorization", "")
        scheme, _, value = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
                value.strip().encode(), token.encode()):
            abort(403)
    elif not _is_loopback():
        abort(404)
    return _no_store(Response(exposition(), content_type=CONTENT_TYPE))
