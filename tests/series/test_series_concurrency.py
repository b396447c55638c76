"""Several residents registering for the whole series at once, for the last seats: no date
ever holds more confirmed people than its capacity."""

import threading

import pytest
import sqlalchemy as sa

from events.auth.models import User
from events.enums import RegistrationStatus, Role
from events.extensions import db
from events.planning.models import Series
from events.planning.series import create_series, propose_series, schedule_series
from events.registrations.models import Registration
from events.registrations.series import register_for_series
from events.registrations.services import register
from tests.factories import make_user


@pytest.mark.concurrency
def test_concurrent_series_registrations_never_exceed_capacity(app, world, values, weekly):
    series = create_series(world.staff_a, values, weekly, allow_series_registration=True)
    propose_series(world.staff_a, series)
    schedule_series(world.coord_a, series)
    register(make_user(), series.occurrences[0])  # one seat left there, two on the others
    people = [make_user(Role.RESIDENT).id for _ in range(4)]
    series_id = series.id
    db.session.commit()
    barrier = threading.Barrier(len(people))
    errors: list[BaseException] = []

    def register_all(user_id: int) -> None:
        with app.app_context():
            actor = db.session.get(User, user_id)
            one = db.session.get(Series, series_id)
            list(one.occurrences)
            db.session.rollback()
            barrier.wait(timeout=10)
            try:
                register_for_series(actor, db.session.get(Series, series_id))
                db.session.commit()
            except BaseException as error:
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=register_all, args=(uid,)) for uid in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(Registration.event_id, Registration.status, sa.func.count())
        .where(Registration.user_id.in_(people))
        .group_by(Registration.event_id, Registration.status)).all()
    confirmed = {event_id: n for event_id, status, n in rows
                 if status == RegistrationStatus.CONFIRMED}
    waitlisted = {event_id: n for event_id, status, n in rows
                  if status == RegistrationStatus.WAITLISTED}
    first, second, third = (e.id for e in db.session.get(Series, series_id).occurrences)
    assert confirmed == {first: 1, second: 2, third: 2}
    assert waitlisted == {first: 3, second: 2, third: 2}
