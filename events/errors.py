"""Domain errors raised by services, and the friendly pages every error ends in (never a 500)."""

from flask import Flask, render_template, request
from flask_babel import gettext as _
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


class Conflict(DomainError):
    status = 409


class CapacityReached(Conflict):
    pass


TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Too large",
    422: "Cannot accept this",
    429: "Too many requests",
    500: "Something went wrong",
}


def _page(status: int, message: str | None):
    title = _(TITLES.get(status, "Error"))
    if request.accept_mimetypes.best == "application/json":
        return {"error": title, "message": message}, status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        return _page(error.status, error.message)

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
