"""Calendar test helpers: fetch a feed and parse it back with the icalendar library."""

import gzip

import icalendar
import pytest

from events.extensions import db


def parse_feed(response) -> icalendar.Calendar:
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    data = response.data
    if response.headers.get("Content-Encoding") == "gzip":
        data = gzip.decompress(data)
    return icalendar.Calendar.from_ical(data)


def uids(cal: icalendar.Calendar) -> set[str]:
    return {str(e["UID"]).split("@")[0] for e in cal.walk("VEVENT")}


def by_uid(cal: icalendar.Calendar, event) -> icalendar.Event:
    return next(e for e in cal.walk("VEVENT") if str(e["UID"]).startswith(event.uid + "@"))


@pytest.fixture
def commit():
    """Commit the factory data so requests (their own transactions) see it."""
    def done(*objects):
        db.session.commit()
        return objects[0] if len(objects) == 1 else objects
    return done


@pytest.fixture
def lead(app):
    from tests.factories import make_partner

    return make_partner(slug="bpc", name="BioPharmCluster Northern", short_name="BPC")
