"""The request's one transaction (Indico's request handler does the same once for every view):
a state-changing request that answers below 400 commits once, after its view returns; a refusal,
an error page or an exception rolls back, and the mail it queued in the outbox goes with it.
Views call the service and redirect; they never commit."""

import logging
from collections.abc import Callable

from flask import Response, g, request
from sqlalchemy.exc import IntegrityError

from events.db import is_unique_violation
from events.extensions import db

log = logging.getLogger(__name__)

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def roll_back() -> None:
    """The view answers a refusal: drop what this request changed (and the mail it queued) now,
    so that the page it renders reads the database as it was, and never commit it."""
    db.session.rollback()
    g.transaction_refused = True


def after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` once this request's transaction has committed (a job for the worker that
    reads what the request wrote); never if it rolls back."""
    g.setdefault("after_commit", []).append(callback)


def run_in_transaction(view: Callable[[], object],
                       make_response: Callable[[object], Response]) -> Response:
    """Run the view and end its transaction. A POST that lost a race on a UNIQUE constraint
    (two clicks committing at once) is rolled back and run once more: the second run sees the
    winner's row and answers as the first submit did (`events.db.just_created`)."""
    for attempt in (1, 2):
        try:
            response = make_response(view())
            if request.method in WRITES:
                _end(response)
            return response
        except IntegrityError as error:
            db.session.rollback()
            if attempt == 2 or request.method != "POST" or not is_unique_violation(error):
                raise
            log.info("%s lost a race on a unique constraint; running it again", request.path)
            g.pop("transaction_refused", None)
            g.pop("after_commit", None)
        except BaseException:
            if request.method in WRITES:
                db.session.rollback()
            raise
    raise AssertionError("unreachable")


def _end(response: Response) -> None:
    if response.status_code >= 400 or g.pop("transaction_refused", False):
        db.session.rollback()
        return
    db.session.commit()
    for callback in g.pop("after_commit", []):
        callback()
