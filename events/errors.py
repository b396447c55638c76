"""Domain errors raised by services, and the friendly pages every error ends in (never a 500)."""

from contextlib import suppress

import sqlalchemy.exc as sa_exc
from flask import Flask, current_app, render_template, request, session
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES


class DomainError(Exception):
    """A rule refused the request; `field` names the form field it belongs beside."""

    status = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationFailed(DomainError):
    status = 422


class NotAllowed(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class SignInToSee(NotFound):
    """Not found for a signed-out visitor who might see it after signing in. The page offers
    sign-in and the way back (`next`); it tells nothing of what is there, or whether anything
    is, so it reads the same for an existing event and a made-up address."""

    def __init__(self, message: str, next_url: str):
        super().__init__(message)
        self.next_url = next_url


class Conflict(DomainError):
    status = 409


TITLES = {
    400: _l("Bad request"),
    403: _l("Not allowed"),
    404: _l("Not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    413: _l("Too large"),
    422: _l("Cannot accept this"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
    503: _l("Temporarily unavailable"),
}

# What a lost or refused database connection raises (PostgreSQL down or restarting, a
# connection cut, an exhausted pool, SQLite locked for too long): a 503, try again soon.
DATABASE_UNAVAILABLE = (sa_exc.OperationalError, sa_exc.InterfaceError,
                        sa_exc.DisconnectionError, sa_exc.TimeoutError)
RETRY_AFTER_SECONDS = 30


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


API_PREFIX = "/api/"


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def problem(status: int, detail: str | None = None, *, errors: dict | None = None,
            headers: dict | None = None):
    """An RFC 9457 problem document (application/problem+json), what every JSON API error
    is; `errors` maps the fields of the request body or query to what is wrong with them."""
    # "about:blank": the status says it all, so the title is its HTTP phrase (RFC 9457 4.2.1);
    # the translated words for people are in `detail`.
    body = {"type": "about:blank", "title": HTTP_STATUS_CODES.get(status, "Error"),
            "status": status, "detail": detail or str(TITLES.get(status, _l("Error")))}
    if errors:
        body["errors"] = {str(k): str(v) for k, v in errors.items()}
    response = current_app.json.response(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    response.headers.update(headers or {})
    response.headers["Cache-Control"] = "no-store"
    return response


def _field_errors(error) -> dict | None:
    """Field → message from a domain error (EventInvalid names several) or from webargs'
    422 (flask-smorest's `data["messages"]`: location → field → [messages])."""
    if isinstance(error, DomainError):
        return getattr(error, "errors", None) or ({error.field: error.message}
                                                  if error.field else None)
    messages = (getattr(error, "data", None) or {}).get("messages") or {}
    found = {}
    for fields in messages.values():
        for name, texts in (fields.items() if isinstance(fields, dict) else ()):
            found[name] = " ".join(_flatten(texts))
    return found or None


def _flatten(texts) -> list[str]:
    if isinstance(texts, dict):
        return [f"{k}: {' '.join(_flatten(v))}" for k, v in texts.items()]
    if isinstance(texts, list | tuple):
        return [t for item in texts for t in _flatten(item)]
    return [str(texts)]


def _page(status: int, message: str | None, **extra):
    """The site's error page (with the navigation, which reads the signed-in user). If even
    that fails, the plain page that needs nothing but the request."""
    title = str(TITLES.get(status, _l("Error")))
    if is_api_request():
        return problem(status, message)
    if _wants_json():
        return {"error": title, "message": message}, status
    try:
        return render_template("errors/error.html", status=status, title=title,
                               message=message, **extra), status
    except DATABASE_UNAVAILABLE:
        current_app.logger.exception("database unavailable while showing a %s page", status)
        return database_unavailable_page()
    except Exception:
        current_app.logger.exception("the %s page failed; serving the plain one", status)
        return plain_page(status, message)


def language_without_database() -> str:
    """The visitor's language from what the request itself carries (the session's choice,
    then Accept-Language): a person's saved language would need the database."""
    languages = current_app.config["LANGUAGES"]
    if session.get("language") in languages:
        return session["language"]
    return request.accept_languages.best_match(languages) or languages[0]


def plain_page(status: int, message: str | None = None, headers: dict | None = None):
    """An error page that reads nothing from the database — no signed-in user, no partner
    colours — since the database may be what failed. Rendered without context processors."""
    language = language_without_database()
    with force_locale(language):
        title = str(TITLES.get(status, _l("Error")))
        if is_api_request():
            return problem(status, message, headers=headers)
        if _wants_json():
            return {"error": title, "message": message}, status, headers or {}
        html = current_app.jinja_env.get_template("errors/plain.html").render(
            status=status, title=title, message=message, language=language)
    return html, status, headers or {}


def database_unavailable_page():
    with suppress(Exception):  # the connection may be gone; the pool cleans up after us
        from events.extensions import db

        db.session.rollback()
    return plain_page(503, None, {"Retry-After": str(RETRY_AFTER_SECONDS)})


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        if is_api_request():
            return problem(error.status, error.message, errors=_field_errors(error))
        return _page(error.status, error.message, sign_in_next=getattr(error, "next_url", None))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        description = error.description if error.code not in (404, 500) else None
        if is_api_request():
            headers = dict(error.get_headers()) if error.code in (405, 429) else {}
            headers.pop("Content-Type", None)
            errors = _field_errors(error)
            if errors:
                description = str(_l("Some fields are not right; `errors` says why."))
            return problem(error.code, description, errors=errors, headers=headers)
        return _page(error.code, description)

    @app.errorhandler(sa_exc.SQLAlchemyError)
    def database_error(error: sa_exc.SQLAlchemyError):
        from events.db import is_unique_violation
        from events.extensions import db

        if isinstance(error, DATABASE_UNAVAILABLE):
            app.logger.error("database unavailable: %s", error)
            return database_unavailable_page()
        if is_unique_violation(error):
            # Only when a retry of the request (see app.py) lost the race again.
            app.logger.warning("unique violation answered as a conflict: %s", error.orig)
            with suppress(Exception):
                db.session.rollback()
            return _page(409, str(_l("Someone saved the same thing a moment ago. "
                                     "Reload the page to see it.")))
        return unexpected(error)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("unhandled error")
        from events.extensions import db

        with suppress(Exception):
            db.session.rollback()
        return _page(500, None)
