"""Two people booking the same room for the same time at the same moment: exactly one wins."""

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from events.auth.models import User
from events.db import utcnow
from events.enums import Audience, Category, EventFormat
from events.errors import Conflict
from events.extensions import db
from events.partners.models import Venue
from events.planning.models import Event
from events.planning.services import create_event


@pytest.mark.concurrency
def test_concurrent_bookings_of_one_room_let_exactly_one_through(app, world):
    people = [world.staff_a.id, world.coord_a.id, world.staff_b.id, world.coord_b.id]
    room_id = world.room.id
    db.session.commit()  # and read nothing more in this thread until the others are done
    starts = (utcnow() + timedelta(days=20)).replace(microsecond=0)
    barrier = threading.Barrier(len(people))
    outcomes: list[str] = []

    def book(user_id: int, n: int) -> None:
        with app.app_context():
            actor = db.session.get(User, user_id)
            room = db.session.get(Venue, room_id)
            db.session.rollback()  # start the race from the same point, no transaction held
            barrier.wait(timeout=10)
            try:
                create_event(
                    actor, title=f"Booking {n}", category=Category.SEMINAR,
                    format=EventFormat.IN_PERSON, venue=room, starts_at=starts,
                    ends_at=starts + timedelta(hours=2), timezone="Europe/Moscow",
                    audience=Audience.PUBLIC,
                )
                db.session.commit()
                outcomes.append("booked")
            except Conflict:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=book, args=(uid, n)) for n, uid in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["booked"] + ["refused"] * (len(people) - 1)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)
                             .where(Event.venue_id == room_id)) == 1
