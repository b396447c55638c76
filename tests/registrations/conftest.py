"""Registrations fixtures: a host partner, its staff, an event, residents."""

import pytest

from events.extensions import db
from tests.factories import make_event, make_partner, make_user


@pytest.fixture
def host(app):
    return make_partner(slug="host", name="Host partner", short_name="Host")


@pytest.fixture
def staff(host):
    return make_user("staff", host, name="Staff Person")


@pytest.fixture
def event(host):
    return make_event(lead=host, title="Lab tour", capacity=2)


@pytest.fixture
def residents(app):
    return [make_user(name=f"Resident {n}") for n in range(6)]


@pytest.fixture
def committed():
    """Commit factory data so requests and other connections see it."""

    def commit():
        db.session.commit()

    return commit


@pytest.fixture
def in_request(app):
    """Services called as a POST request would: refusals are translated messages, and the
    locale selector reads the request's session (on SQLite the transaction is IMMEDIATE)."""
    with app.test_request_context("/", method="POST"):
        yield


@pytest.fixture
def door_open(event):
    """Move `event` to start within the hour, so check-in (open CHECKIN_OPENS_HOURS before the
    start until the end) is open now."""
    from datetime import timedelta

    from events.db import utcnow

    starts = utcnow().replace(microsecond=0) + timedelta(minutes=45)
    event.starts_at, event.ends_at = starts, starts + timedelta(hours=2)
    db.session.flush()
    return event
