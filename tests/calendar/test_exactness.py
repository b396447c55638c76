"""What calendar clients compare and show: names as TEXT, Last-Modified after renames, links in
descriptions, a seat won from the waitlist, foreign UIDs, no meeting look."""

from datetime import timedelta

from events.db import utcnow
from events.enums import RegistrationStatus
from events.text import markdown_to_text
from tests.calendar.conftest import by_uid, parse_feed
from tests.calendar.parsers import read_with_icaljs, read_with_vobject
from tests.factories import make_event, make_registration, make_user, make_venue


def private_token(client, user, commit) -> str:
    from events.calendar.tokens import issue_feed_token

    with client.application.test_request_context():
        token = issue_feed_token(user, secret_key="test-secret-key")
    commit()
    return token


def test_calendar_name_and_description_are_escaped_text(client, lead, commit):
    user = make_user(name='Ivan; "Boss", \\ of\nevents')
    make_registration(make_event(lead), user)
    commit()
    response = client.get(f"/feeds/{private_token(client, user, commit)}.ics")
    assert response.status_code == 200
    # The name is one line (a line break in a stored name becomes a space); the rest of
    # TEXT's specials are escaped.
    assert b"X-WR-CALDESC:Events Ivan\\; \"Boss\"\\, \\\\ of events takes part in" in \
        response.data.replace(b"\r\n ", b"")
    assert read_with_vobject(response.data)["caldesc"] == \
        'Events Ivan; "Boss", \\ of events takes part in'
    # ical.js gives X- properties' text as written (still one property, nothing broken).
    assert read_with_icaljs(response.data)["caldesc"].startswith("Events Ivan\\;")


def test_if_modified_since_sees_partner_and_room_renames(client, lead, commit):
    long_ago = utcnow() - timedelta(hours=2)
    venue = make_venue(lead, name="Hall 1", updated_at=long_ago)
    lead.updated_at = long_ago
    event = make_event(lead, venue=venue, created_at=long_ago, updated_at=long_ago)
    event.involvements[0].invited_at = long_ago
    commit()
    first = client.get("/calendar.ics")
    since = {"If-Modified-Since": first.headers["Last-Modified"]}
    assert client.get("/calendar.ics", headers=since).status_code == 304
    for minutes, rename in ((60, "partner"), (30, "venue")):
        later = utcnow() - timedelta(minutes=minutes)
        if rename == "partner":
            lead.name, lead.updated_at = "Renamed partner", later
        else:
            venue.name, venue.updated_at = "Renamed hall", later
        commit()
        again = client.get("/calendar.ics", headers=since)
        assert again.status_code == 200, rename
        since = {"If-Modified-Since": again.headers["Last-Modified"]}
    assert b"Renamed hall" in again.data
    assert b"Renamed partner" in again.data


def test_descriptions_keep_link_addresses_and_bullets():
    text = markdown_to_text("Programme:\n\n- **Talks** by partners\n- Coffee\n\n"
                            "Registration on the [site](https://example.org/r).")
    assert text == ("Programme:\n\n- Talks by partners\n- Coffee\n\n"
                    "Registration on the site [https://example.org/r].")
    assert markdown_to_text("1. one\n2. two") == "1. one\n2. two"
    assert markdown_to_text("<https://a.org>") == "https://a.org"


def test_feed_description_has_the_link(client, lead, commit):
    event = make_event(lead, description="See [the site](https://example.org/x).")
    commit()
    item = by_uid(parse_feed(client.get("/calendar.ics")), event)
    assert "See the site [https://example.org/x]." in str(item["DESCRIPTION"])


def test_a_seat_won_from_the_waitlist_moves_sequence_and_dtstamp(client, lead, commit):
    event = make_event(lead, capacity=1)
    user = make_user()
    registration = make_registration(event, user, status=RegistrationStatus.WAITLISTED,
                                      confirmed_at=None,
                                      registered_at=utcnow() - timedelta(hours=1))
    commit()
    token = private_token(client, user, commit)
    before = by_uid(parse_feed(client.get(f"/feeds/{token}.ics")), event)
    assert str(before["STATUS"]) == "TENTATIVE"
    registration.status = RegistrationStatus.CONFIRMED
    registration.confirmed_at = utcnow() + timedelta(seconds=1)
    commit()
    after = by_uid(parse_feed(client.get(f"/feeds/{token}.ics")), event)
    assert str(after["STATUS"]) == "CONFIRMED"
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert after["DTSTAMP"].dt > before["DTSTAMP"].dt
    # The public feed is not about this person: unchanged.
    public = by_uid(parse_feed(client.get("/calendar.ics")), event)
    assert int(public["SEQUENCE"]) == event.sequence


def test_imported_uid_is_published_as_it_was(client, lead, commit):
    event = make_event(lead, uid="abc123xyz@google.com")
    commit()
    data = client.get("/calendar.ics").data
    assert b"UID:abc123xyz@google.com\r\n" in data
    assert b"@google.com@" not in data
    assert client.get(f"/events/{event.id}.ics").data.count(b"UID:abc123xyz@google.com") == 1


def test_feeds_are_published_calendars_not_meetings(client, lead, commit):
    make_event(lead)
    commit()
    data = client.get("/calendar.ics").data
    assert b"ORGANIZER" not in data
    assert b"METHOD:" not in data
    assert b"CONTACT;ALTREP=" in data
