"""All-day and multi-day events end to end: the form, the stored midnights, the agenda and
calendar grids, the feeds (VALUE=DATE, exclusive end, read so by ical.js and vobject), the
event page, registration and the per-event report."""

import re
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from events.db import utcnow
from events.extensions import db
from events.planning.models import Event
from tests.calendar.parsers import read_with_icaljs, read_with_vobject
from tests.conftest import login
from tests.factories import make_event, make_user
from tests.planning.test_views import form_data


def expo(world, **overrides) -> Event:
    first = (utcnow() + timedelta(days=20)).date()
    values = {"starts_at": datetime(first.year, first.month, first.day, tzinfo=UTC)
              - timedelta(hours=3),  # Moscow midnight
              "ends_at": datetime(first.year, first.month, first.day, tzinfo=UTC)
              + timedelta(days=3) - timedelta(hours=3),
              "is_all_day": True, "title": "Biotech expo", "venue": world.room}
    return make_event(world.a, **(values | overrides))


def test_the_form_stores_whole_days_with_an_exclusive_end(client, world):
    db.session.commit()
    login(client, world.staff_a)
    day = (utcnow() + timedelta(days=12)).date()
    last = day + timedelta(days=2)
    response = client.post("/events/new", data=form_data(
        world, is_all_day="y", starts_at=f"{day}T15:45", ends_at=f"{last}T09:00",
        timezone="Asia/Novosibirsk"))
    assert response.status_code == 302
    event = db.session.scalar(sa.select(Event).where(Event.title == "Pitch training"))
    assert event.is_all_day
    midnight = datetime.min.time()
    assert event.local_starts_at.replace(tzinfo=None) == datetime.combine(day, midnight)
    after = last + timedelta(days=1)
    assert event.local_ends_at.replace(tzinfo=None) == datetime.combine(after, midnight)
    assert (event.first_day, event.last_day) == (day, last)
    edit = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert f'value="{last}T00:00"' in edit  # the last day, not the exclusive end
    checkbox = re.search(r'<input[^>]*name="is_all_day"[^>]*>', edit).group(0)
    assert " checked" in checkbox


def test_pages_show_days_not_times(client, world):
    event = expo(world)
    db.session.commit()
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "00:00" not in page
    assert event.first_day.strftime("%Y") in page
    agenda = client.get("/").get_data(as_text=True)
    assert "All day" in agenda
    month = client.get("/calendar", query_string={
        "month": event.first_day.strftime("%Y-%m")}).get_data(as_text=True)
    assert month.count("Biotech expo") >= 1


def test_month_grid_puts_it_on_each_of_its_days_only(world):
    from events.planning.calendar_grid import week_grid

    event = expo(world)
    db.session.commit()
    monday = event.first_day - timedelta(days=event.first_day.weekday())
    shown = set()
    for start in (monday, monday + timedelta(days=7)):
        grid = week_grid(None, start, zone="America/New_York")  # another zone than the event's
        shown |= {d.date for d in grid.days if any(i.event.id == event.id for i in d.events)}
    assert shown == {event.first_day + timedelta(days=n) for n in range(3)}


def test_feeds_publish_dates_with_an_exclusive_end(client, world):
    event = expo(world)
    timed = make_event(world.a, timezone="Europe/Berlin")
    db.session.commit()
    for path in ("/calendar.ics", f"/events/{event.id}.ics"):
        data = client.get(path).data
        assert f"DTSTART;VALUE=DATE:{event.first_day:%Y%m%d}".encode() in data
        after = event.last_day + timedelta(days=1)
        assert f"DTEND;VALUE=DATE:{after:%Y%m%d}".encode() in data
        for parsed in (read_with_icaljs(data), read_with_vobject(data)):
            item = next(i for i in parsed["events"] if i["uid"].startswith(event.uid))
            assert (item["start"], item["end"]) == (event.first_day, after)
    feed = client.get("/calendar.ics").data
    assert b"TZID:Europe/Berlin" in feed
    assert b"TZID:Europe/Moscow" not in feed  # the all-day event needs no zone
    assert timed.id


def test_residents_register_for_an_all_day_event(client, world):
    event = expo(world, capacity=5)
    resident = make_user()
    db.session.commit()
    login(client, resident)
    response = client.post(f"/events/{event.id}/register", follow_redirects=True)
    assert response.status_code == 200
    mine = client.get("/my/events").get_data(as_text=True)
    assert "Biotech expo" in mine


def test_report_csv_dates_an_all_day_event_by_its_own_day(client, world):
    from events.contributions.report_view import report_day

    event = expo(world, timezone="Asia/Novosibirsk",
                 starts_at=datetime(2031, 1, 14, 17, 0, tzinfo=UTC),  # midnight at UTC+7
                 ends_at=datetime(2031, 1, 15, 17, 0, tzinfo=UTC))
    from zoneinfo import ZoneInfo

    # In Moscow that is still 14 January; the event is on the 15th.
    assert report_day(event, ZoneInfo("Europe/Moscow")) == date(2031, 1, 15).isoformat()
