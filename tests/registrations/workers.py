"""Code run by the concurrency tests in other threads and processes: each registration is one
real transaction in its own app context (its own session and connection), then committed."""

from events.auth.models import User
from events.extensions import db
from events.outbox.worker import wake_worker
from events.planning.models import Event
from events.registrations.services import register


def register_and_commit(app, user_id: int, event_id: int) -> tuple[int, str]:
    with app.app_context():
        try:
            user = db.session.get(User, user_id)
            event = db.session.get(Event, event_id)
            registration = register(user, event).registration
            db.session.commit()
            wake_worker()
            return registration.id, registration.status.value
        finally:
            db.session.remove()


def process_main(database_url: str, user_ids: list[int], event_id: int, start, results) -> None:
    """One process: its own app on the same database, registering its share of people."""
    from app import create_app
    from tests.conftest import BASE_CONFIG

    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        db.engine.connect().close()  # connect before the start signal, as a warm worker would
    start.wait(timeout=60)
    for user_id in user_ids:
        results.put((user_id, *register_and_commit(app, user_id, event_id)))
    with app.app_context():
        db.engine.dispose()


def cancel_and_commit(app, registration_id: int) -> str:
    from events.registrations.models import Registration
    from events.registrations.services import cancel_registration

    with app.app_context():
        try:
            registration = db.session.get(Registration, registration_id)
            cancel_registration(registration.user, registration)
            db.session.commit()
            wake_worker()
            return registration.status.value
        finally:
            db.session.remove()
