"""The feeds' change counter survives two first writers: with no `calendar_state` row (a
database emptied by hand), two transactions that commit at once both count, and neither fails
on the row's unique key."""

import threading

import pytest
import sqlalchemy as sa

from events.calendar.models import CalendarState
from events.extensions import db
from tests.conftest import USE_PG
from tests.factories import make_partner

pytestmark = [
    pytest.mark.concurrency,
    # SQLite takes its write lock at the first write, so two first writers cannot meet there
    # (the second waits for the first's commit); the race exists only on PostgreSQL.
    pytest.mark.skipif(not USE_PG, reason="SQLite serialises writers"),
]


def test_two_first_writers_both_bump_the_counter(app):
    make_partner()
    db.session.commit()
    db.session.execute(sa.delete(CalendarState))
    db.session.commit()
    db.session.execute(sa.delete(CalendarState))  # the commit above bumped it again
    db.session.commit()
    start, errors = threading.Barrier(2), []

    def write(n: int) -> None:
        with app.app_context():
            try:
                make_partner(slug=f"writer-{n}")
                start.wait(timeout=10)
                db.session.commit()
            except Exception as error:
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    db.session.expire_all()
    assert db.session.scalar(sa.select(CalendarState.version)) >= 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CalendarState)) == 1
