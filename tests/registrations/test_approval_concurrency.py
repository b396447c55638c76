"""Two staff members approving two pending people for the last seat at the same moment, each
in a transaction of its own: one gets the seat, the other the waitlist (the event's lock, the
one register() takes, decides). PostgreSQL shows the race; SQLite's single writer cannot."""

import threading

import pytest
import sqlalchemy as sa

from events.auth.models import User
from events.enums import RegistrationStatus
from events.extensions import db
from events.outbox.worker import wake_worker
from events.registrations import approval
from events.registrations.models import Registration
from events.registrations.services import register
from tests.conftest import USE_PG
from tests.factories import make_event, make_partner, make_user

pytestmark = [
    pytest.mark.concurrency,
    pytest.mark.skipif(not USE_PG, reason="SQLite lets one writer at a time: no race to see"),
]


def approve_and_commit(app, staff_id: int, registration_id: int, barrier, results) -> None:
    with app.app_context():
        try:
            staff = db.session.get(User, staff_id)
            registration = db.session.get(Registration, registration_id)
            event = registration.event
            list(event.involvements)  # loaded before the start: only the decision races
            barrier.wait(timeout=10)
            approval.approve(staff, registration)
            db.session.commit()
            wake_worker()
            results.append(registration.status)
        except BaseException as error:
            db.session.rollback()
            results.append(error)
        finally:
            db.session.remove()


def test_two_approvals_for_the_last_seat_give_one_seat(app):
    host = make_partner()
    staff = [make_user("staff", host), make_user("coordinator", host)]
    event = make_event(lead=host, capacity=2)
    register(make_user(), event)  # one seat left
    event.registration_needs_approval = True
    pending = [register(make_user(), event).registration for _ in range(2)]
    ids = ([s.id for s in staff], [r.id for r in pending], event.id)
    db.session.commit()
    db.session.close()
    barrier, results = threading.Barrier(2), []
    threads = [threading.Thread(target=approve_and_commit,
                                args=(app, staff_id, registration_id, barrier, results))
               for staff_id, registration_id in zip(*ids[:2], strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == sorted([RegistrationStatus.CONFIRMED,
                                      RegistrationStatus.WAITLISTED])
    confirmed = db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
        Registration.event_id == ids[2], Registration.status == RegistrationStatus.CONFIRMED))
    assert confirmed == 2
