"""An imported series becomes a series here: Google's weekly seminar (COUNT=8, one date
deleted with EXDATE, one cancelled, one moved and renamed) is previewed, confirmed and created
as one series of 6 dates; a rule that is no pattern here (yearly) imports its first date."""

from datetime import UTC, datetime
from pathlib import Path

import recurring_ical_events
import sqlalchemy as sa
from icalendar import Calendar

from events.extensions import db
from events.planning.models import Event, Series
from tests.calendar.test_importer import confirm, ics, in_person_room, last_job, preview
from tests.conftest import login

WRITTEN = Path(__file__).resolve().parents[1] / "calendar" / "corpus" / "written"


def test_a_google_weekly_series_with_exceptions_is_imported_as_one_series(app, client, world):
    venue = in_person_room(world.staff_a)
    login(client, world.staff_a)
    data = (WRITTEN / "google_overrides_exdate.ics").read_bytes()
    page = preview(client, data)
    assert "Imported as a series of 6 dates" in page.get_data(as_text=True)
    job = last_job()
    seminar = next(row for row in job.preview if row["title"].startswith("Python seminar"))
    response = confirm(client, job, picks=[seminar["index"]],
                       **{f"venue-{seminar['index']}": str(venue.id)})
    assert response.status_code == 303
    (series,) = db.session.scalars(sa.select(Series)).all()
    assert series.title == "Python seminar"
    assert series.frequency == "weekly"
    dates = db.session.scalars(sa.select(Event).where(Event.series_id == series.id)
                               .order_by(Event.starts_at)).all()
    # What an independent reader of the file says the dates are: instants and titles.
    calendar = Calendar.from_ical(data)
    expected = [(o.decoded("dtstart").astimezone(UTC), str(o["SUMMARY"]))
                for o in recurring_ical_events.of(calendar).between(
                    (2027, 1, 1), (2027, 3, 1))
                if str(o.get("UID")) == "0a1b2c3d4e5f6g7h8i9j0k1l2m@google.com"
                and str(o.get("STATUS", "")) != "CANCELLED"]
    assert [(e.starts_at, e.title) for e in dates] == expected
    assert len(dates) == 6
    assert dates[0].title == "Python seminar (afternoon)"  # 11 Jan, moved to 14:00
    assert dates[0].starts_at == datetime(2027, 1, 11, 13, 0, tzinfo=UTC)
    assert dates[0].uid == "0a1b2c3d4e5f6g7h8i9j0k1l2m@google.com"
    assert {e.venue_id for e in dates} == {venue.id}


def test_a_rule_that_is_no_pattern_here_imports_the_first_date(app, client, world):
    login(client, world.staff_a)
    data = ics("""UID:yearly@example.org
DTSTAMP:20260101T000000Z
DTSTART;TZID=Europe/Moscow:20270310T100000
DTEND;TZID=Europe/Moscow:20270310T120000
RRULE:FREQ=YEARLY;COUNT=3
SUMMARY:Annual partners' day
LOCATION:https://meet.example/annual""")
    page = preview(client, data).get_data(as_text=True)
    assert "no series pattern here; only the first is imported" in page
    job = last_job()
    confirm(client, job, picks=[0])
    assert db.session.scalar(sa.select(sa.func.count(Series.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Event.id))) == 1
