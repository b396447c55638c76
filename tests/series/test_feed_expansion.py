"""A series in the public feed is one recurring VEVENT; two independent parsers expanding the
served feed (Python's recurring_ical_events and Mozilla's ical.js) must give exactly the
dates the database shows: their UTC start and end and their status, across clock changes,
months without the date, and dates moved, cancelled, deleted or not yet published."""

import os
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from events.enums import EventStatus
from events.extensions import db
from events.planning import services
from events.planning.models import Event
from events.planning.recurrence import MONTHLY, WEEKLY, Pattern
from events.planning.series import create_series, propose_series, update_series
from tests.calendar.parsers import expand_with_icaljs, icaljs_available

BERLIN = ZoneInfo("Europe/Berlin")
STATUS = {EventStatus.SCHEDULED: "CONFIRMED", EventStatus.CANCELLED: "CANCELLED"}


def make_series(world, values, zone: str, starts: tuple, hours: float, pattern: Pattern):
    """A series proposed and then scheduled date by date (so a test can hold some back)."""
    tz = ZoneInfo(zone)
    start = datetime(*starts, tzinfo=tz)
    one = dict(values, timezone=zone, starts_at=start,
               ends_at=(start.replace(tzinfo=None) + timedelta(hours=hours)).replace(tzinfo=tz))
    series = create_series(world.staff_a, one, pattern)
    propose_series(world.staff_a, series)
    return series


def schedule(world, series, *, hold_back=()):
    for index, event in enumerate(list(series.occurrences)):
        if index not in hold_back:
            services.schedule_event(world.coord_a, event)


def shown(series) -> list[tuple]:
    """What the public feed must show of the series: (start, end, status) in UTC."""
    db.session.expire_all()
    return sorted((e.starts_at.astimezone(UTC), e.ends_at.astimezone(UTC), STATUS[e.status])
                  for e in db.session.query(Event).filter(Event.series_id == series.id)
                  if e.status in STATUS)


def served(client) -> bytes:
    db.session.commit()
    response = client.get("/calendar.ics")
    assert response.status_code == 200
    return response.data


def by_python(data: bytes) -> list[tuple]:
    calendar = icalendar.Calendar.from_ical(data)
    found = recurring_ical_events.of(calendar).between(datetime(2020, 1, 1, tzinfo=UTC),
                                                       datetime(2035, 1, 1, tzinfo=UTC))
    def utc(value):
        return value.astimezone(UTC) if isinstance(value, datetime) else value

    return sorted((utc(e["DTSTART"].dt), utc(e["DTEND"].dt), str(e["STATUS"])) for e in found)


def by_icaljs(data: bytes) -> list[tuple]:
    return sorted((i["start"], i["end"], i["status"]) for i in expand_with_icaljs(data))


def both_give(data: bytes, expected: list[tuple]) -> None:
    """Both parsers expand the feed to exactly `expected` (ical.js is required on CI; without
    it, elsewhere, only the Python one is asked)."""
    assert by_python(data) == expected
    if icaljs_available() or os.environ.get("CI"):
        assert by_icaljs(data) == expected


def check(client, series) -> icalendar.Calendar:
    """Both parsers give exactly the database's dates; the calendar, for closer looks."""
    data = served(client)
    both_give(data, shown(series))
    return icalendar.Calendar.from_ical(data)


def masters(calendar) -> list:
    return [c for c in calendar.walk("VEVENT") if "RRULE" in c]


def overrides(calendar) -> list:
    return [c for c in calendar.walk("VEVENT") if "RECURRENCE-ID" in c]


def exdates(master) -> list[datetime]:
    found = master.get("EXDATE", [])
    found = found if isinstance(found, list) else [found]
    return [d.dt.astimezone(UTC) for prop in found for d in prop.dts]


def test_weekly_berlin_over_both_clock_changes_with_a_moved_cancelled_deleted_and_held_date(
        client, world, values):
    series = make_series(world, values, "Europe/Berlin", (2027, 3, 3, 10, 0), 2,
                         Pattern(WEEKLY, weekdays=(2,), count=40))  # 3 Mar → 1 Dec 2027
    schedule(world, series, hold_back=(7,))  # 21 April stays proposed
    dates = list(series.occurrences)
    moved, cancelled, deleted = dates[3], dates[10], dates[20]
    update_series(world.staff_a, moved, {
        "starts_at": moved.starts_at + timedelta(days=1, hours=3),
        "ends_at": moved.ends_at + timedelta(days=1, hours=3)}, "this")
    services.cancel_event(world.coord_a, cancelled, "Speaker ill")
    deleted_slot = deleted.starts_at
    db.session.delete(deleted)
    calendar = check(client, series)
    (master,) = masters(calendar)
    assert str(master["DTSTART"].params["TZID"]) == "Europe/Berlin"
    assert master["DTSTART"].dt == datetime(2027, 3, 3, 10, 0, tzinfo=BERLIN)
    assert master["RRULE"]["FREQ"] == ["WEEKLY"]
    assert master["RRULE"]["BYDAY"] == ["WE"]
    assert master["RRULE"]["COUNT"] == [40]
    assert set(exdates(master)) == {dates[7].starts_at, deleted_slot}
    assert {o["RECURRENCE-ID"].dt.astimezone(UTC) for o in overrides(calendar)} == {
        moved.recurrence_start, cancelled.starts_at}
    assert len(calendar.walk("VEVENT")) == 3


def test_monthly_second_tuesday_in_moscow(client, world, values):
    series = make_series(world, values, "Europe/Moscow", (2027, 1, 12, 19, 0), 1.5,
                         Pattern(MONTHLY, nth=2, nth_weekday=1, until=date(2028, 6, 30)))
    schedule(world, series)
    calendar = check(client, series)
    (master,) = masters(calendar)
    assert master["RRULE"]["BYDAY"] == ["2TU"]
    assert master["RRULE"]["UNTIL"][0] == series.occurrences[-1].starts_at
    assert overrides(calendar) == []


def test_every_other_week_in_new_york_edited_this_and_following(client, world, values):
    """Mondays and Thursdays every two weeks over both US clock changes; then the dates from
    the tenth on move an hour later: two wall times, two masters."""
    values = dict(values, venue=None, format="online", online_url="https://meet.example.org/x")
    series = make_series(world, values, "America/New_York", (2027, 2, 1, 18, 0), 1,
                         Pattern(WEEKLY, interval=2, weekdays=(0, 3), count=44))
    schedule(world, series)
    check(client, series)
    tenth = series.occurrences[9]
    update_series(world.staff_a, tenth, {"starts_at": tenth.starts_at + timedelta(hours=1),
                                         "ends_at": tenth.ends_at + timedelta(hours=1)},
                  "this_and_following")
    calendar = check(client, series)
    assert len(masters(calendar)) == 2


def test_fifth_friday_and_last_friday_skip_or_keep_months(client, world, values):
    fifth = make_series(world, values, "Europe/Berlin", (2027, 1, 29, 9, 0), 3,
                        Pattern(MONTHLY, nth=5, nth_weekday=4, count=6))
    schedule(world, fifth)
    calendar = check(client, fifth)
    assert masters(calendar)[0]["RRULE"]["BYDAY"] == ["5FR"]


def test_last_friday_of_the_month(client, world, values):
    last = make_series(world, values, "Europe/Berlin", (2027, 1, 29, 9, 0), 3,
                       Pattern(MONTHLY, nth=-1, nth_weekday=4, count=14))
    schedule(world, last)
    calendar = check(client, last)
    assert masters(calendar)[0]["RRULE"]["BYDAY"] == ["-1FR"]


def test_overnight_dates_that_span_a_clock_change_are_given_exactly(client, world, values):
    """Saturdays 22:00 → Sunday 04:00 in Berlin: on the nights the clocks change the date
    lasts five or seven hours, which only an override with its own DTEND says the same to
    every client."""
    series = make_series(world, values, "Europe/Berlin", (2027, 3, 13, 22, 0), 6,
                         Pattern(WEEKLY, weekdays=(5,), until=date(2027, 11, 13)))
    schedule(world, series)
    calendar = check(client, series)
    assert len(masters(calendar)) == 1
    assert len(overrides(calendar)) == 2


def test_all_dates_moved_on_the_clock_keep_one_master(client, world, values):
    series = make_series(world, values, "Europe/Berlin", (2027, 3, 3, 10, 0), 2,
                         Pattern(WEEKLY, weekdays=(2,), count=12))
    schedule(world, series)
    first = series.occurrences[0]
    fifth = series.occurrences[4]
    update_series(world.staff_a, fifth, {"starts_at": fifth.starts_at + timedelta(days=1),
                                         "ends_at": fifth.ends_at + timedelta(days=1)}, "this")
    update_series(world.staff_a, first, {"starts_at": first.starts_at + timedelta(hours=1),
                                         "ends_at": first.ends_at + timedelta(hours=1),
                                         "title": "Office hours"}, "all")
    calendar = check(client, series)
    (master,) = masters(calendar)
    assert master["DTSTART"].dt == datetime(2027, 3, 3, 11, 0, tzinfo=BERLIN)
    assert str(master["SUMMARY"]) == "Office hours"
    (moved,) = overrides(calendar)  # the date moved alone stays that date of the pattern
    assert moved["RECURRENCE-ID"].dt == datetime(2027, 3, 31, 11, 0, tzinfo=BERLIN)


def test_private_feed_lists_the_dates_of_a_registrant_one_by_one(client, world, values):
    from events.calendar.tokens import issue_feed_token
    from events.registrations.services import register

    series = make_series(world, values, "Europe/Berlin", (2027, 3, 3, 10, 0), 2,
                         Pattern(WEEKLY, weekdays=(2,), count=5))
    schedule(world, series)
    for event in series.occurrences[1:3]:
        register(world.resident, event)
    token = issue_feed_token(world.resident, secret_key="test-secret-key")
    db.session.commit()
    data = client.get(f"/feeds/{token}.ics").data
    calendar = icalendar.Calendar.from_ical(data)
    assert masters(calendar) == []
    assert sorted(str(c["UID"]).split("@")[0] for c in calendar.walk("VEVENT")) == sorted(
        e.uid for e in series.occurrences[1:3])


def test_partner_feed_leaves_out_the_dates_the_partner_has_no_part_in(client, world, values):
    series = make_series(world, values, "Europe/Berlin", (2027, 3, 3, 10, 0), 2,
                         Pattern(WEEKLY, weekdays=(2,), count=8))
    dates = list(series.occurrences)
    for index, event in enumerate(dates):
        if index not in (2, 5):
            involvement = services.invite_partner(world.staff_a, event, world.b, "supporter")
            services.answer_invitation(world.coord_b, involvement, True)
    schedule(world, series)
    db.session.commit()
    data = client.get("/partners/beta/calendar.ics").data
    expected = [row for row in shown(series)
                if row[0] not in (dates[2].starts_at, dates[5].starts_at)]
    both_give(data, expected)
    (master,) = masters(icalendar.Calendar.from_ical(data))
    assert set(exdates(master)) == {dates[2].starts_at, dates[5].starts_at}
    # The public feed has them all; the two without the partner differ in their text.
    calendar = check(client, series)
    assert len(overrides(calendar)) == 2


def test_a_date_made_longer_alone_is_an_override(client, world, values):
    series = make_series(world, values, "Europe/Moscow", (2027, 2, 2, 10, 0), 2,
                         Pattern(WEEKLY, weekdays=(1,), count=6))
    schedule(world, series)
    third = series.occurrences[2]
    update_series(world.staff_a, third, {"ends_at": third.ends_at + timedelta(hours=1)},
                  "this")
    calendar = check(client, series)
    (longer,) = overrides(calendar)
    assert longer["RECURRENCE-ID"].dt.astimezone(UTC) == third.starts_at


def test_all_day_series_is_written_in_dates(client, world, values):
    """Two-day fairs (Friday and Saturday) every week over the March change; one made a day
    longer, one cancelled."""
    tz = ZoneInfo("Europe/Berlin")
    one = dict(values, is_all_day=True, starts_at=datetime(2027, 3, 5, tzinfo=tz),
               ends_at=datetime(2027, 3, 7, tzinfo=tz))
    series = create_series(world.staff_a, one, Pattern(WEEKLY, weekdays=(4,), count=8))
    propose_series(world.staff_a, series)
    schedule(world, series)
    dates = list(series.occurrences)
    update_series(world.staff_a, dates[3], {"ends_at": dates[3].ends_at + timedelta(days=1)},
                  "this")
    services.cancel_event(world.coord_a, dates[5], "Hall closed")
    data = served(client)
    db.session.expire_all()
    expected = sorted((e.starts_at.astimezone(tz).date(), e.ends_at.astimezone(tz).date(),
                       STATUS[e.status]) for e in series.occurrences)
    both_give(data, expected)
    calendar = icalendar.Calendar.from_ical(data)
    (master,) = masters(calendar)
    assert master["DTSTART"].dt == date(2027, 3, 5)
    assert master["DTEND"].dt == date(2027, 3, 7)
    assert len(overrides(calendar)) == 2


def test_a_pattern_through_a_repeated_hour_stays_one_event_per_date(client, world, values):
    """Sundays 02:30 in Berlin meet 31 October 2027, when 02:30 happens twice: clients pick
    different ones from a rule, so the dates stay separate VEVENTs (that one in UTC)."""
    series = make_series(world, values, "Europe/Berlin", (2027, 10, 10, 2, 30), 1,
                         Pattern(WEEKLY, weekdays=(6,), count=6))
    schedule(world, series)
    calendar = check(client, series)
    assert masters(calendar) == []
    assert len(calendar.walk("VEVENT")) == 6
