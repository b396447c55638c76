"""What every API request and answer goes through: who is asking (a personal API token, or
nobody: the API never reads the session cookie, so no other site can act through it and no
CSRF token is needed), opaque cursors, ETag/304, CORS for reads, and the rate-limit key."""

import hashlib
from datetime import UTC, datetime

from flask import current_app, g, request
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from events.api.tokens import owner_of
from events.errors import ValidationFailed, problem
from events.extensions import csrf, login_manager
from events.security import has_signed_in_session
from events.transaction import WRITES

READS = frozenset({"GET", "HEAD"})
# Pages that are not the JSON API: the docs page reads the visitor's session as every page.
NOT_JSON = frozenset({"api.docs"})


def bearer_secret() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, secret = header.partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else None


def limit_key() -> str:
    """A token's requests count together from wherever they come; others per address."""
    from flask_limiter.util import get_remote_address

    secret = bearer_secret()
    if secret:
        return "api-token:" + hashlib.sha256(secret.encode()).hexdigest()[:32]
    return "api:" + get_remote_address()


def authenticate():
    """Before each API view: the token's owner is the request's user; without a token the
    request is a visitor's, whatever cookies it carries. Writes need a token."""
    if request.endpoint in NOT_JSON:
        return None
    if "Authorization" in request.headers:
        user = owner_of(bearer_secret() or "")
        if user is None:
            return problem(401, _("The API token is wrong, revoked or malformed."),
                           headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        g._login_user = user
        g.api_token_user = user
        return None
    g._login_user = login_manager.anonymous_user()
    if request.method in WRITES and has_signed_in_session():
        # A browser's session is no key to the API; a forged cross-site request still meets
        # the CSRF check first, as on every page.
        if current_app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()
        return problem(403, _("The API does not act on a signed-in session; send a personal "
                              "API token (Authorization: Bearer …) instead."))
    if request.method in WRITES:
        return problem(401, _("Changes through the API need a personal API token "
                              "(Authorization: Bearer …); make one on your account page."),
                       headers={"WWW-Authenticate": "Bearer"})
    return None


def finish(response):
    """After each API view: CORS for reads (no credentials), ETag/304, caching words."""
    if request.endpoint in NOT_JSON:
        return response
    if request.method == "OPTIONS" and request.headers.get(
            "Access-Control-Request-Method") in READS:
        # A preflight for a read (a token in Authorization is no ambient credential); none
        # for writes, so browsers never send one from another site.
        response.headers.update({
            "Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, HEAD",
            "Access-Control-Allow-Headers": "Authorization, If-None-Match",
            "Access-Control-Max-Age": "600"})
    if request.method in READS:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = "ETag, Link, Retry-After"
        if response.status_code == 200 and not response.direct_passthrough:
            response.add_etag()
            response.make_conditional(request)
    response.vary.add("Authorization")
    if "Cache-Control" not in response.headers or request.method in READS:
        signed = g.get("api_token_user") is not None
        response.headers["Cache-Control"] = ("private, no-cache" if signed
                                             else "public, no-cache")
    if response.status_code >= 400 or request.method in WRITES:
        response.headers["Cache-Control"] = "no-store"
    return response


# ---- cursors --------------------------------------------------------------------------------

def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="api.events.cursor")


def make_cursor(starts_at: datetime, event_id: int) -> str:
    return _serializer().dumps([starts_at.astimezone(UTC).isoformat(), event_id])


def read_cursor(cursor: str) -> tuple[datetime, int]:
    """The position a cursor stands for; a made-up or damaged one is a 400 on `cursor`."""
    try:
        stamp, event_id = _serializer().loads(cursor)
        return datetime.fromisoformat(stamp), int(event_id)
    except (BadSignature, ValueError, TypeError):
        raise ValidationFailed(_("This cursor is not one the API gave out."),
                               field="cursor") from None
