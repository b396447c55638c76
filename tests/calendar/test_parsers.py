"""Every feed and .ics the app serves, read back by two independent parsers — Mozilla's ical.js
(Thunderbird) and vobject (dateutil) — for events in zones with and without daylight saving,
every half hour around their transitions: each instant equals the database's UTC value."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from events.calendar.ical import ical_uid
from events.calendar.vtimezone import transitions
from events.db import utcnow
from tests.calendar.parsers import icaljs_available, read_with_icaljs, read_with_vobject
from tests.factories import make_event, make_user

DST_ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney"]
STEADY_ZONES = ["Europe/Moscow", "Asia/Novosibirsk"]

pytestmark = pytest.mark.skipif(
    not icaljs_available() and not __import__("os").environ.get("CI"),
    reason="ical.js is installed by `make browser`")


def around(instant: datetime, hours: int = 6, step_minutes: int = 30):
    steps = hours * 60 // step_minutes
    return [instant + timedelta(minutes=step_minutes * k) for k in range(-steps, steps + 1)]


def events_across_transitions(lead, zones, first: datetime, last: datetime):
    """Events starting every half hour for ±6 h around each transition of each zone."""
    made = []
    for zone in zones:
        for change in transitions(zone, first.year, last.year):
            if not first < change.at < last:
                continue
            for start in around(change.at):
                made.append(make_event(lead, timezone=zone, starts_at=start,
                                       ends_at=start + timedelta(minutes=90)))
    return made


def assert_instants(parsed: dict, events, parser: str) -> None:
    from flask import current_app

    domain = current_app.config["SITE_DOMAIN"]
    found = {item["uid"]: item for item in parsed["events"]}
    wrong = []
    for event in events:
        item = found[ical_uid(event.uid, domain)]
        if item["start"] != event.starts_at or item["end"] != event.ends_at:
            wrong.append((event.timezone, event.starts_at.isoformat(),
                          item["start"].isoformat(), item["end"].isoformat()))
    assert not wrong, f"{parser}: {len(wrong)} of {len(events)} wrong, e.g. {wrong[:3]}"


def both(data: bytes, events) -> None:
    assert_instants(read_with_icaljs(data), events, "ical.js")
    assert_instants(read_with_vobject(data), events, "vobject")


def test_feeds_read_the_same_instants_in_icaljs_and_vobject(client, lead, commit):
    from events.calendar.tokens import issue_feed_token
    from events.enums import Role

    now = utcnow().replace(second=0, microsecond=0)
    events = events_across_transitions(lead, DST_ZONES, now + timedelta(days=1),
                                       now + timedelta(days=800))
    for zone in STEADY_ZONES:
        start = now + timedelta(days=30)
        events += [make_event(lead, timezone=zone, starts_at=start + timedelta(hours=h),
                              ends_at=start + timedelta(hours=h + 2)) for h in range(0, 24, 5)]
    staff = make_user(role=Role.STAFF, partner=lead)
    commit()
    assert len(events) > 150
    with client.application.test_request_context():
        token = issue_feed_token(staff, secret_key="test-secret-key")
    commit()
    for path in ("/calendar.ics", f"/partners/{lead.slug}/calendar.ics", f"/feeds/{token}.ics"):
        response = client.get(path)
        assert response.status_code == 200, path
        both(response.data, events)


def test_single_event_files_across_historical_changes(client, lead, commit):
    """Moscow's 2011 and 2014 changes, Novosibirsk's 2016 one, and DST zones, one .ics each."""
    moments = [
        ("Europe/Moscow", datetime(2011, 3, 26, 22, 30, tzinfo=UTC)),
        ("Europe/Moscow", datetime(2014, 10, 25, 21, 30, tzinfo=UTC)),
        ("Europe/Moscow", datetime(2014, 10, 25, 22, 30, tzinfo=UTC)),
        ("Asia/Novosibirsk", datetime(2016, 7, 23, 19, 30, tzinfo=UTC)),
        ("Asia/Novosibirsk", datetime(2016, 7, 23, 20, 30, tzinfo=UTC)),
        ("America/New_York", datetime(2027, 11, 7, 5, 30, tzinfo=UTC)),  # 01:30, first time
        ("America/New_York", datetime(2027, 11, 7, 6, 30, tzinfo=UTC)),  # 01:30, second time
        ("Europe/Berlin", datetime(2028, 3, 26, 0, 30, tzinfo=UTC)),
        ("Australia/Sydney", datetime(2027, 4, 3, 15, 30, tzinfo=UTC)),
        ("Australia/Sydney", datetime(2027, 10, 2, 15, 30, tzinfo=UTC)),
    ]
    events = [make_event(lead, timezone=zone, starts_at=at, ends_at=at + timedelta(hours=1))
              for zone, at in moments]
    commit()
    for event in events:
        response = client.get(f"/events/{event.id}.ics")
        assert response.status_code == 200
        both(response.data, [event])


def test_vtimezone_uses_yearly_rules_not_rdate_lists():
    from events.calendar.vtimezone import vtimezone

    text = vtimezone("America/New_York", 2026, 2030).to_ical().decode()
    assert "RDATE" not in text
    assert "RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3" in text
    assert "RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11" in text
    moscow = vtimezone("Europe/Moscow", 2026, 2028).to_ical().decode()
    assert moscow.count("BEGIN:STANDARD") == 1
    assert "DAYLIGHT" not in moscow
    assert "TZOFFSETTO:+0300" in moscow


def test_every_zone_transition_is_found_to_the_second():
    for zone in DST_ZONES + STEADY_ZONES:
        tz = ZoneInfo(zone)
        for change in transitions(zone, 2010, 2030):
            before = (change.at - timedelta(seconds=1)).astimezone(tz).utcoffset()
            assert before == change.offset_from
            assert change.at.astimezone(tz).utcoffset() == change.offset_to
