"""Request guards and response headers for every page: NUL bytes refused, a strict CSP, HSTS
behind HTTPS, no caching of signed-in pages."""

from flask import Flask, abort, current_app, request
from flask_babel import gettext as _
from flask_login import current_user

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def csp_framed_by(origins: list[str]) -> str:
    """The same policy for a page other websites may frame (the agenda widget): only these
    origins, already checked (events.partners.origins); none listed → 'none' as usual."""
    if not origins:
        return CSP
    return CSP.replace("frame-ancestors 'none'", "frame-ancestors " + " ".join(origins))


def _has_nul(values) -> bool:
    if isinstance(values, str):
        return "\x00" in values
    return any("\x00" in value for value in values)


def register_security_headers(app: Flask) -> None:
    @app.before_request
    def _refuse_nul_bytes():
        # PostgreSQL cannot store NUL in text; refuse it at the door with a 400, not a 500.
        if _has_nul(request.args.values()) or _has_nul(request.path) or (
            request.method == "POST" and _has_nul(request.form.values())
        ):
            abort(400, _("Text may not contain NUL characters."))

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]:
            # Older browsers' twin of frame-ancestors; a page listing who may frame it has none.
            response.headers.setdefault("X-Frame-Options", "DENY")
        if current_app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if (request.endpoint != "static" and "Cache-Control" not in response.headers
                and _has_signed_in_session()):
            # Pages for a signed-in person never land in a shared or back-button cache (feeds
            # and downloads set their own, conditional-request-friendly, private caching).
            response.headers["Cache-Control"] = "no-store"
        return response


# Pages that take larger uploads than MAX_CONTENT_LENGTH — from signed-in people only, so an
# anonymous body is still refused before it is read.
LARGE_UPLOADS = {"calendar.import_events_page": "IMPORT_MAX_CONTENT_LENGTH",
                 "agreements.upload_document": "AGREEMENT_MAX_CONTENT_LENGTH"}


def register_upload_limits(app: Flask) -> None:
    """Call before CSRF is set up: its check reads the body, under the limit set here."""

    @app.before_request
    def _larger_uploads():
        setting = LARGE_UPLOADS.get(request.endpoint)
        if setting and _has_signed_in_session():
            request.max_content_length = app.config[setting]


def _has_signed_in_session() -> bool:
    """Does this request carry a signed-in session? Read from the cookie, not by loading the
    account: the database may be what just failed (the 503 page must still go out)."""
    from flask import session

    remember = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    return bool(session.get("_user_id")) or remember in request.cookies


def user_limit_key() -> str:
    """Rate-limit bucket of the signed-in account (the client address for visitors)."""
    from flask_limiter.util import get_remote_address

    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


has_signed_in_session = _has_signed_in_session  # for the JSON API, which reads no session
