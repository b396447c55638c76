"""Code run by the door's concurrency tests in other threads and processes: each scan is one
real transaction in its own app context (its own session and connection), then committed."""

from events.auth.models import User
from events.extensions import db
from events.planning.models import Event
from events.registrations.door import check_in_by_ticket


def scan_and_commit(app, staff_id: int, event_id: int, token: str) -> str:
    with app.app_context():
        try:
            result = check_in_by_ticket(db.session.get(User, staff_id),
                                        db.session.get(Event, event_id), token)
            db.session.commit()
            return result.outcome.value
        finally:
            db.session.remove()


def process_main(database_url: str, staff_id: int, event_id: int, token: str, start,
                 results) -> None:
    """One phone as its own process: its own app on the same database."""
    from app import create_app
    from tests.conftest import BASE_CONFIG

    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        db.engine.connect().close()
    start.wait(timeout=60)
    results.put(scan_and_commit(app, staff_id, event_id, token))
    with app.app_context():
        db.engine.dispose()


def add_and_commit(app, staff_id: int, event_id: int, email: str) -> str:
    from events.registrations.staff import add_person

    with app.app_context():
        try:
            registration = add_person(db.session.get(User, staff_id),
                                      db.session.get(Event, event_id), email=email)
            db.session.commit()
            return registration.status.value
        finally:
            db.session.remove()
