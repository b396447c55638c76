"""The pure iCalendar builder: every property the clients read, parsed back with icalendar."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from events.calendar.ical import Attendance, build_calendar, clean_text, event_ics
from events.enums import EventStatus, InvolvementRole
from events.extensions import db
from tests.factories import make_event, make_involvement, make_partner, make_venue

SITE = "https://events.example.org"
DOMAIN = "events.example.org"

HOSTILE = (
    "Line one\nLine two\r\nLine three; semi, comma \\ backslash \"quoted\" "
    + "очень длинная строка " * 20 + "😀🎉 end\x01\x07\x1b"
)


def parse(data: bytes) -> icalendar.Calendar:
    assert data.endswith(b"\r\n")
    for line in data.split(b"\r\n"):
        assert len(line) <= 75, line  # folded at 75 octets
    return icalendar.Calendar.from_ical(data)


def only_event(cal: icalendar.Calendar) -> icalendar.Event:
    events = cal.walk("VEVENT")
    assert len(events) == 1
    return events[0]


@pytest.fixture
def lead(app):
    return make_partner(name="BioPharmCluster Northern", slug="bpc")


def test_event_ics_carries_every_property_clients_read(lead):
    venue = make_venue(lead, name="Hall 1", building="B2", site="Campus",
                       address="9 Institutsky lane", latitude=55.929, longitude=37.518)
    event = make_event(lead, title="Biotech day", summary="Short", venue=venue,
                       description="# Heading\n\n**Bold** and [a link](https://x.org)")
    supporter = make_partner(name="Technopolis Moscow")
    make_involvement(event, supporter, role=InvolvementRole.SUPPORTER)

    cal = parse(event_ics(event, site_url=SITE, domain=DOMAIN))
    assert str(cal["PRODID"]).startswith("-//Joint Events//")
    assert str(cal["VERSION"]) == "2.0"
    assert "X-WR-CALNAME" not in cal  # a download must not create a calendar of its own
    item = only_event(cal)
    assert str(item["UID"]) == f"{event.uid}@{DOMAIN}"
    assert item["DTSTAMP"].dt == event.updated_at.replace(microsecond=0)
    assert item["DTSTART"].params["TZID"] == "Europe/Moscow"
    assert item["DTSTART"].dt == event.starts_at
    assert item["DTEND"].dt == event.ends_at
    assert item["DTSTART"].dt.utcoffset() == timedelta(hours=3)
    assert int(item["SEQUENCE"]) == 0
    assert item["CREATED"].dt == event.created_at.replace(microsecond=0)
    assert item["LAST-MODIFIED"].dt == event.updated_at.replace(microsecond=0)
    assert str(item["STATUS"]) == "CONFIRMED"
    assert str(item["SUMMARY"]) == "Biotech day"
    description = str(item["DESCRIPTION"])
    assert "Bold and a link" in description
    assert "**" not in description
    assert "#" not in description
    assert "BioPharmCluster Northern (Host)" in description
    assert "Technopolis Moscow (Supporter)" in description
    assert f"{SITE}/events/{event.id}" in description
    assert str(item["LOCATION"]) == "Hall 1, B2, Campus, 9 Institutsky lane"
    assert item["GEO"].latitude == pytest.approx(55.929)
    assert item["GEO"].longitude == pytest.approx(37.518)
    assert str(item["URL"]) == f"{SITE}/events/{event.id}"
    assert item["CATEGORIES"].cats == ["Seminar"]
    # Published, not a meeting: no ORGANIZER (RFC 5545 §3.8.4.3); the lead partner in CONTACT.
    assert "ORGANIZER" not in item
    assert str(item["CONTACT"]) == "BioPharmCluster Northern"
    assert item["CONTACT"].params["ALTREP"] == f"{SITE}/partners/{lead.slug}"
    assert "METHOD" not in cal
    tzids = {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")}
    assert tzids == {"Europe/Moscow"}


def test_calendar_level_properties(lead):
    event = make_event(lead)
    cal = parse(build_calendar([event], name="Joint Events", description="All public events",
                               site_url=SITE, domain=DOMAIN, refresh_minutes=30))
    assert str(cal["NAME"]) == "Joint Events"
    assert str(cal["X-WR-CALNAME"]) == "Joint Events"
    assert str(cal["DESCRIPTION"]) == "All public events"
    assert str(cal["X-WR-CALDESC"]) == "All public events"
    assert cal["REFRESH-INTERVAL"].dt == timedelta(minutes=30)
    assert cal["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    data = cal.to_ical()
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT30M\r\n" in data
    assert b"X-PUBLISHED-TTL:PT30M\r\n" in data


def test_moved_event_keeps_uid_and_grows_sequence(lead):
    event = make_event(lead)
    before = only_event(parse(event_ics(event, site_url=SITE, domain=DOMAIN)))
    event.starts_at += timedelta(days=1)
    event.ends_at += timedelta(days=1)
    event.sequence += 1
    db.session.flush()
    after = only_event(parse(event_ics(event, site_url=SITE, domain=DOMAIN)))
    assert str(after["UID"]) == str(before["UID"])
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert after["DTSTART"].dt - before["DTSTART"].dt == timedelta(days=1)


def test_cancelled_event_is_cancelled_with_its_reason(lead):
    event = make_event(lead, title="Gone", status=EventStatus.CANCELLED,
                       cancel_reason="Speaker ill", sequence=3)
    item = only_event(parse(event_ics(event, site_url=SITE, domain=DOMAIN)))
    assert str(item["STATUS"]) == "CANCELLED"
    assert str(item["SUMMARY"]) == "[Cancelled] Gone"
    assert "Speaker ill" in str(item["DESCRIPTION"])
    assert int(item["SEQUENCE"]) == 3


@pytest.mark.parametrize(("status", "expected"), [
    (EventStatus.DRAFT, "TENTATIVE"), (EventStatus.PROPOSED, "TENTATIVE"),
    (EventStatus.SCHEDULED, "CONFIRMED"), (EventStatus.CANCELLED, "CANCELLED"),
])
def test_status_mapping(lead, status, expected):
    event = make_event(lead, status=status)
    assert str(only_event(parse(event_ics(event, site_url=SITE, domain=DOMAIN)))["STATUS"]) \
        == expected


def test_other_time_zone_gets_its_own_vtimezone(lead):
    start = datetime(2027, 3, 1, 10, 0, tzinfo=ZoneInfo("Asia/Novosibirsk"))
    far = make_event(lead, timezone="Asia/Novosibirsk", starts_at=start.astimezone(UTC),
                     ends_at=(start + timedelta(hours=3)).astimezone(UTC))
    near = make_event(lead)
    cal = parse(build_calendar([far, near], name="x", description="", site_url=SITE,
                               domain=DOMAIN))
    tzids = {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")}
    assert tzids == {"Asia/Novosibirsk", "Europe/Moscow"}
    used = {str(e["DTSTART"].params["TZID"]) for e in cal.walk("VEVENT")}
    assert used <= tzids
    item = next(e for e in cal.walk("VEVENT") if str(e["UID"]).startswith(far.uid))
    assert item["DTSTART"].params["TZID"] == "Asia/Novosibirsk"
    assert item["DTSTART"].dt.hour == 10
    assert item["DTSTART"].dt.utcoffset() == timedelta(hours=7)
    assert b"DTSTART;TZID=Asia/Novosibirsk:20270301T100000" in cal.to_ical()


def test_utc_event_needs_no_vtimezone(lead):
    event = make_event(lead, timezone="UTC")
    cal = parse(event_ics(event, site_url=SITE, domain=DOMAIN))
    assert not cal.walk("VTIMEZONE")
    assert only_event(cal)["DTSTART"].dt == event.starts_at


def test_hostile_text_cannot_break_the_file(lead):
    partner = make_partner(name='Evil "Partner"\nORGANIZER:x;y,z')
    venue = make_venue(partner, name=HOSTILE[:200], address="Addr;1,2\\3\nBEGIN:VEVENT")
    event = make_event(partner, title=HOSTILE[:200], summary=HOSTILE[:500],
                       description=HOSTILE + "\nEND:VEVENT\nEND:VCALENDAR", venue=venue,
                       cancel_reason=HOSTILE, status=EventStatus.CANCELLED)
    data = event_ics(event, site_url=SITE, domain=DOMAIN)
    cal = parse(data)
    assert len(cal.walk("VEVENT")) == 1
    lines = data.split(b"\r\n")
    assert lines.count(b"BEGIN:VEVENT") == 1
    assert lines.count(b"END:VCALENDAR") == 1
    item = only_event(cal)
    assert str(item["SUMMARY"]) == "[Cancelled] " + clean_text(HOSTILE[:200])
    assert "\x01" not in str(item["SUMMARY"])
    assert "\r" not in str(item["SUMMARY"])
    assert "😀🎉" in str(item["DESCRIPTION"])
    assert "очень длинная строка" in str(item["DESCRIPTION"])
    assert "END:VCALENDAR" in str(item["DESCRIPTION"])
    assert str(item["LOCATION"]).endswith("Addr;1,2\\3\nBEGIN:VEVENT")
    assert str(item["CONTACT"]) == clean_text('Evil "Partner"\nORGANIZER:x;y,z')
    assert "ORGANIZER" not in item


def test_waitlisted_events_are_tentative_and_marked(lead):
    event = make_event(lead, title="Popular")
    cal = parse(build_calendar([event], name="Mine", description="", site_url=SITE,
                               domain=DOMAIN,
                               attendance={event.id: Attendance(waitlisted=True)}))
    item = only_event(cal)
    assert str(item["STATUS"]) == "TENTATIVE"
    assert str(item["SUMMARY"]) == "[Waitlist] Popular"


def test_translated_words_and_labels(lead):
    event = make_event(lead, title="Событие", status=EventStatus.DRAFT)
    data = event_ics(event, site_url=SITE, domain=DOMAIN, label=lambda v: f"<{v}>",
                     words={"draft": "Черновик"})
    item = only_event(parse(data))
    assert str(item["SUMMARY"]) == "[Черновик] Событие"
    assert item["CATEGORIES"].cats == ["<seminar>"]


def test_same_state_gives_same_bytes(lead):
    event = make_event(lead)
    first = build_calendar([event], name="x", description="", site_url=SITE, domain=DOMAIN)
    second = build_calendar([event], name="x", description="", site_url=SITE, domain=DOMAIN)
    assert first == second


def test_assembled_feed_is_what_the_library_writes_for_the_whole_calendar(lead):
    from events.calendar.ical import _timezones, new_calendar, vevent

    venue = make_venue(lead, latitude=1.5, longitude=2.5)
    events = [make_event(lead, title=HOSTILE[:200], venue=venue),
              make_event(lead, timezone="Asia/Novosibirsk", status=EventStatus.CANCELLED)]
    cal = new_calendar(name="x", description="d", refresh_minutes=60)
    for tz in _timezones(events):
        cal.add_component(tz)
    for event in events:
        cal.add_component(vevent(event, site_url=SITE, domain=DOMAIN))
    assert build_calendar(events, name="x", description="d", site_url=SITE,
                          domain=DOMAIN) == cal.to_ical()
