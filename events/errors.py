"""Domain errors raised by services, and the friendly pages every error ends in (never a 500)."""

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException


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


class CapacityReached(Conflict):
    pass


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
}


def _page(status: int, message: str | None, **extra):
    title = str(TITLES.get(status, _l("Error")))
    if request.accept_mimetypes.best == "application/json":
        return {"error": title, "message": message}, status
    return render_template("errors/error.html", status=status, title=title, message=message,
                           **extra), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        return _page(error.status, error.message, sign_in_next=getattr(error, "next_url", None))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        description = error.description if error.code not in (404, 500) else None
        return _page(error.code, description)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("unhandled error")
        from events.extensions import db

        db.session.rollback()
        return _page(500, None)
