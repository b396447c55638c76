"""The request's one transaction (events/transaction.py): a POST that answers below 400
commits once after its view; a refusal, an error page or an exception commits nothing, and the
mail it queued goes with it; work handed to `after_commit` runs only after a commit."""

import pytest
import sqlalchemy as sa
from flask import redirect

from events.errors import Conflict
from events.extensions import db
from events.outbox.models import OutboxMessage
from events.outbox.services import add_message
from events.transaction import after_commit, roll_back


@pytest.fixture
def probe(make_app):
    """An app with one extra POST route whose outcome the test chooses."""
    app = make_app(WTF_CSRF_ENABLED=False)
    ran: list[str] = []

    @app.post("/probe/<outcome>")
    def probe_view(outcome: str):
        add_message(kind="probe", recipient="someone@example.org", subject=outcome,
                    body="text", html="")
        after_commit(lambda: ran.append(outcome))
        if outcome == "refused":
            roll_back()
            return redirect("/")
        if outcome == "unprocessable":
            return "try again", 422
        if outcome == "raises":
            raise Conflict("taken")
        return redirect("/")

    with app.app_context():
        yield app, ran


def _queued(app) -> list[str]:
    with app.app_context():
        db.session.remove()
        return list(db.session.scalars(sa.select(OutboxMessage.subject)))


@pytest.mark.parametrize(("outcome", "status"), [
    ("refused", 302), ("unprocessable", 422), ("raises", 409),
])
def test_a_refused_post_commits_nothing_and_drops_its_mail(probe, outcome, status):
    app, ran = probe
    assert app.test_client().post(f"/probe/{outcome}").status_code == status
    assert _queued(app) == []
    assert ran == []


def test_a_successful_post_commits_once_then_runs_after_commit_work(probe):
    app, ran = probe
    assert app.test_client().post("/probe/done").status_code == 302
    assert _queued(app) == ["done"]
    assert ran == ["done"]


def test_views_never_commit():
    """The commit point is the only one: no view module commits or rolls back by hand."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "events"
    offenders = [str(path.relative_to(root)) for path in root.glob("*/*views.py")
                 if "db.session.commit()" in path.read_text()
                 or "db.session.rollback()" in path.read_text()]
    assert offenders == []
