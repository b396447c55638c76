"""Feeds over HTTP: what each holds, text/calendar, downloads, ETag/304, gzip, query counts."""

import gzip
from datetime import timedelta

import pytest

from events.db import utcnow
from events.enums import Audience, Category, EventStatus, InvolvementRole, InvolvementState
from events.extensions import db
from tests.calendar.conftest import by_uid, parse_feed, uids
from tests.conftest import login
from tests.factories import make_event, make_involvement, make_partner, make_user, make_venue

DOMAIN = "test.joint-events.local"


@pytest.fixture
def lead(app):
    return make_partner(slug="bpc", name="BioPharmCluster Northern", short_name="BPC")


def test_public_feed_is_text_calendar_without_a_filename(client, lead, commit):
    event = make_event(lead)
    commit()
    response = client.get("/calendar.ics")
    cal = parse_feed(response)
    assert "Content-Disposition" not in response.headers
    assert uids(cal) == {event.uid}
    assert str(by_uid(cal, event)["UID"]) == f"{event.uid}@{DOMAIN}"
    assert str(cal["X-WR-CALNAME"]) == "Joint Events"
    assert str(cal["NAME"]) == "Joint Events"
    assert "DESCRIPTION" in cal
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in response.data
    assert b"X-PUBLISHED-TTL:PT1H" in response.data
    assert str(by_uid(cal, event)["URL"]) == f"http://localhost/events/{event.id}"


def test_public_feed_holds_only_published_public_events_in_its_window(client, lead, commit):
    now = utcnow()
    shown = make_event(lead, title="shown")
    recent_past = make_event(lead, starts_at=now - timedelta(days=80),
                             ends_at=now - timedelta(days=80) + timedelta(hours=1))
    too_old = make_event(lead, starts_at=now - timedelta(days=100),
                         ends_at=now - timedelta(days=100) + timedelta(hours=1))
    far_future = make_event(lead, starts_at=now + timedelta(days=900),
                            ends_at=now + timedelta(days=900, hours=2))
    cancelled = make_event(lead, status=EventStatus.CANCELLED, cancelled_at=now - timedelta(
        days=2), sequence=2)
    long_cancelled = make_event(lead, status=EventStatus.CANCELLED,
                                cancelled_at=now - timedelta(days=31))
    hidden = [make_event(lead, status=EventStatus.DRAFT),
              make_event(lead, status=EventStatus.PROPOSED),
              make_event(lead, audience=Audience.INTERNAL),
              make_event(lead, audience=Audience.RESIDENTS),
              make_event(lead, audience=Audience.INTERNAL, status=EventStatus.CANCELLED,
                         cancelled_at=now)]
    commit()
    cal = parse_feed(client.get("/calendar.ics"))
    assert uids(cal) == {shown.uid, recent_past.uid, far_future.uid, cancelled.uid}
    assert str(by_uid(cal, cancelled)["STATUS"]) == "CANCELLED"
    assert int(by_uid(cal, cancelled)["SEQUENCE"]) == 2
    assert too_old.uid not in uids(cal)
    assert long_cancelled.uid not in uids(cal)
    assert not {e.uid for e in hidden} & uids(cal)


def test_category_filter_and_audience_where_allowed(client, lead, commit):
    seminar = make_event(lead, category=Category.SEMINAR)
    workshop = make_event(lead, category=Category.WORKSHOP)
    residents = make_event(lead, audience=Audience.RESIDENTS)
    make_event(lead, audience=Audience.INTERNAL)
    resident, staff = make_user(), make_user("staff", lead)
    commit()
    cal = parse_feed(client.get("/calendar.ics?category=workshop"))
    assert uids(cal) == {workshop.uid}
    assert "Workshop" in str(cal["X-WR-CALNAME"])
    assert client.get("/calendar.ics?category=nonsense").status_code == 404
    assert client.get("/calendar.ics?audience=residents").status_code == 404
    assert client.get("/calendar.ics?audience=internal").status_code == 404
    login(client, resident)
    response = client.get("/calendar.ics?audience=residents")
    assert uids(parse_feed(response)) == {residents.uid}
    assert response.headers["Cache-Control"].startswith("private")
    assert uids(parse_feed(client.get("/calendar.ics"))) == {seminar.uid, workshop.uid}
    login(client, staff)
    assert client.get("/calendar.ics?audience=internal").status_code == 404


def test_feed_language_follows_lang_argument(client, lead, commit):
    make_event(lead, status=EventStatus.CANCELLED, cancelled_at=utcnow())
    commit()
    response = client.get("/calendar.ics?lang=ru")
    cal = parse_feed(response)
    assert str(cal["X-WR-CALNAME"]) == "Совместные мероприятия"
    assert str(cal.walk("VEVENT")[0]["SUMMARY"]).startswith("[Отменено]")
    english = client.get("/calendar.ics?lang=en")
    assert english.headers["ETag"] != response.headers["ETag"]


def test_partner_feed_holds_events_the_partner_takes_part_in(client, lead, commit):
    other = make_partner(slug="tech")
    hosted = make_event(lead)
    supported = make_event(other)
    make_involvement(supported, lead, role=InvolvementRole.SUPPORTER)
    declined = make_event(other)
    make_involvement(declined, lead, state=InvolvementState.DECLINED)
    make_event(other)
    make_event(lead, status=EventStatus.DRAFT)
    make_event(lead, audience=Audience.RESIDENTS)
    commit()
    cal = parse_feed(client.get("/partners/bpc/calendar.ics"))
    assert uids(cal) == {hosted.uid, supported.uid}
    assert "BPC" in str(cal["X-WR-CALNAME"])
    assert client.get("/partners/nobody/calendar.ics").status_code == 404


def test_event_download_has_a_filename_and_respects_visibility(client, lead, commit):
    event = make_event(lead)
    draft = make_event(lead, status=EventStatus.DRAFT)
    internal = make_event(lead, audience=Audience.INTERNAL)
    staff, resident = make_user("staff", lead), make_user()
    commit()
    response = client.get(f"/events/{event.id}.ics")
    cal = parse_feed(response)
    assert response.headers["Content-Disposition"] == f'attachment; filename="event-{event.id}.ics"'
    assert uids(cal) == {event.uid}
    assert client.get(f"/events/{draft.id}.ics").status_code == 404
    assert client.get(f"/events/{internal.id}.ics").status_code == 404
    assert client.get("/events/999999.ics").status_code == 404
    login(client, resident)
    assert client.get(f"/events/{internal.id}.ics").status_code == 404
    login(client, staff)
    assert str(parse_feed(client.get(f"/events/{draft.id}.ics")).walk("VEVENT")[0]["STATUS"]) \
        == "TENTATIVE"
    assert client.get(f"/events/{internal.id}.ics").status_code == 200


def test_moved_event_in_feed_keeps_uid_and_grows_sequence(client, lead, commit):
    event = make_event(lead)
    commit()
    before = by_uid(parse_feed(client.get("/calendar.ics")), event)
    event.starts_at += timedelta(hours=3)
    event.ends_at += timedelta(hours=3)
    event.sequence += 1
    commit()
    after = by_uid(parse_feed(client.get("/calendar.ics")), event)
    assert str(after["UID"]) == str(before["UID"])
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert after["DTSTART"].dt - before["DTSTART"].dt == timedelta(hours=3)


def test_feed_with_other_time_zone_has_every_vtimezone(client, lead, commit):
    venue = make_venue(lead, latitude=55.0, longitude=82.9)
    far = make_event(lead, timezone="Asia/Novosibirsk", venue=venue)
    make_event(lead)
    commit()
    cal = parse_feed(client.get("/calendar.ics"))
    tzids = {str(t["TZID"]) for t in cal.walk("VTIMEZONE")}
    assert tzids == {"Asia/Novosibirsk", "Europe/Moscow"}
    item = by_uid(cal, far)
    assert item["DTSTART"].params["TZID"] == "Asia/Novosibirsk"
    assert item["DTSTART"].dt == far.starts_at
    assert item["GEO"].latitude == pytest.approx(55.0)
    assert str(item["LOCATION"]) == f"{venue.label}, {venue.address}"


def test_hostile_text_survives_the_feed(client, lead, commit):
    nasty = "a;b,c\\d\nEND:VEVENT\r\nBEGIN:VEVENT\n" + "Ж" * 300 + " 🎉 \x01"
    event = make_event(lead, title=nasty[:200], description=nasty)
    commit()
    cal = parse_feed(client.get("/calendar.ics"))
    assert len(cal.walk("VEVENT")) == 1
    assert "🎉" in str(by_uid(cal, event)["DESCRIPTION"])
    assert str(by_uid(cal, event)["SUMMARY"]).startswith("a;b,c\\d\nEND:VEVENT\nBEGIN:VEVENT")


def test_unchanged_feed_answers_304_without_building(app, client, lead, commit, count_queries):
    make_event(lead)
    commit()
    first = client.get("/calendar.ics")
    etag = first.headers["ETag"]
    assert etag.startswith('"')
    assert not etag.startswith("W/")  # strong
    assert "Last-Modified" in first.headers
    with count_queries() as counter:
        again = client.get("/calendar.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert counter.count == 1  # the change counter only: nothing was committed since
    app.config["FEED_FINGERPRINT_SECONDS"] = 0
    with count_queries() as counter:
        again = client.get("/calendar.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert counter.count == 1  # the one aggregate query; no event loaded or serialised
    since = client.get("/calendar.ics",
                       headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304


def test_private_feed_304_costs_one_query(client, lead, commit, count_queries):
    from events.calendar.tokens import issue_feed_token

    user = make_user()
    event = make_event(lead)
    from tests.factories import make_registration

    make_registration(event, user)
    commit()
    with client.application.test_request_context():
        token = issue_feed_token(user, secret_key="test-secret-key")
    commit()
    first = client.get(f"/feeds/{token}.ics")
    with count_queries() as counter:
        again = client.get(f"/feeds/{token}.ics",
                           headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert counter.count == 2  # who owns the token, and the change counter


@pytest.mark.parametrize("change", ["title", "sequence", "new event", "cancel", "partner"])
def test_any_change_gives_a_new_etag(client, lead, commit, change):
    event = make_event(lead)
    commit()
    first = client.get("/calendar.ics")
    if change == "title":
        event.title = "Renamed"
        event.updated_at = utcnow() + timedelta(seconds=2)
    elif change == "sequence":
        event.sequence += 1
    elif change == "new event":
        make_event(lead)
    elif change == "cancel":
        event.status = EventStatus.CANCELLED
        event.cancelled_at = utcnow()
    else:
        make_involvement(event, make_partner(), role=InvolvementRole.SUPPORTER,
                         answered_at=utcnow() + timedelta(seconds=2))
    commit()
    second = client.get("/calendar.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200
    assert second.headers["ETag"] != first.headers["ETag"]


def test_event_leaving_the_window_changes_etag_and_last_modified(app, client, lead, commit):
    now = utcnow()
    event = make_event(lead, starts_at=now - timedelta(days=89, hours=23),
                       ends_at=now - timedelta(days=89, hours=22))
    commit()
    first = client.get("/calendar.ics")
    assert uids(parse_feed(first)) == {event.uid}
    app.config["FEED_PAST_DAYS"] = 88  # as if two days had passed: nothing in the rows changed
    second = client.get("/calendar.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200
    assert uids(parse_feed(second)) == set()


def test_last_modified_is_the_moment_an_event_left_the_window(lead):
    from flask_login import AnonymousUserMixin

    from events.calendar.queries import Window, fingerprint, public_selection

    now = utcnow()
    event = make_event(lead, starts_at=now - timedelta(days=89, hours=23),
                       ends_at=now - timedelta(days=89, hours=22))
    visitor = AnonymousUserMixin()
    before = fingerprint(public_selection(visitor, Window(now, 90, 30)))
    assert before.valid_until == event.ends_at + timedelta(days=90)  # when it will leave
    later = now + timedelta(days=1)
    after = fingerprint(public_selection(visitor, Window(later, 90, 30)))
    assert after.state != before.state
    assert after.last_modified > before.last_modified
    assert after.last_modified == (event.ends_at + timedelta(days=90)).replace(microsecond=0)


def test_gzip_when_asked(client, lead, commit):
    for _ in range(5):
        make_event(lead, description="Long text " * 50)
    commit()
    plain = client.get("/calendar.ics")
    zipped = client.get("/calendar.ics", headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == plain.data
    assert len(zipped.data) < len(plain.data)
    assert zipped.headers["ETag"] != plain.headers["ETag"]  # strong: one per representation
    again = client.get("/calendar.ics", headers={"Accept-Encoding": "gzip",
                                                 "If-None-Match": zipped.headers["ETag"]})
    assert again.status_code == 304
    assert "Content-Encoding" not in plain.headers


def test_feed_query_count_does_not_grow_with_events(client, lead, commit, count_queries):
    make_event(lead, venue=make_venue(lead))
    commit()
    with count_queries() as small:
        client.get("/calendar.ics")
    for _ in range(8):
        event = make_event(lead, venue=make_venue(lead))
        make_involvement(event, make_partner())
    commit()
    with count_queries() as large:
        client.get("/calendar.ics")
    assert large.count == small.count


def test_event_page_offers_add_to_calendar(client, lead, commit):
    event = make_event(lead, title="Open day")
    commit()
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert f'href="/events/{event.id}.ics"' in page
    assert "https://calendar.google.com/calendar/render?action=TEMPLATE&amp;text=Open+day" in page
    start = event.starts_at.strftime("%Y%m%dT%H%M%SZ")
    assert f"dates={start}%2F" in page
    assert "details=" in page
    assert "location=" in page


def test_head_request_answers_like_get(client, lead, commit):
    make_event(lead)
    commit()
    response = client.head("/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert db.session is not None


def test_weak_validator_from_a_proxy_still_gets_304(client, lead, commit):
    make_event(lead)
    commit()
    etag = client.get("/calendar.ics").headers["ETag"]
    assert client.get("/calendar.ics", headers={"If-None-Match": "W/" + etag}).status_code == 304
    assert client.get("/calendar.ics", headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get("/calendar.ics", headers={"If-None-Match": "*"}).status_code == 304


def test_cancelled_event_page_offers_the_download_only(client, lead, commit):
    event = make_event(lead, status=EventStatus.CANCELLED, cancelled_at=utcnow())
    commit()
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert f'href="/events/{event.id}.ics"' in page
    assert "calendar.google.com" not in page


def test_feed_requests_never_write(client, lead, commit, count_queries):
    from events.calendar.tokens import issue_feed_token
    from tests.factories import make_registration

    staff, resident = make_user("staff", lead), make_user()
    event = make_event(lead)
    make_registration(event, resident)
    commit()
    with client.application.test_request_context():
        tokens = [issue_feed_token(u, secret_key="test-secret-key") for u in (staff, resident)]
    commit()
    paths = ["/calendar.ics", "/calendar.ics?category=seminar", "/partners/bpc/calendar.ics",
             f"/events/{event.id}.ics", *(f"/feeds/{t}.ics" for t in tokens)]
    with count_queries() as counter:
        for path in paths:
            assert client.get(path).status_code == 200
            assert client.get(path, headers={"Accept-Encoding": "gzip"}).status_code == 200
    writes = [s for s in counter.statements
              if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []


def test_private_feed_query_count_does_not_grow(client, lead, commit, count_queries):
    from events.calendar.tokens import issue_feed_token

    staff = make_user("staff", lead)
    make_event(lead, venue=make_venue(lead))
    # A draft (serialised on the spot, never stored) and a stored event: every kind of read.
    make_event(lead, status=EventStatus.DRAFT, venue=make_venue(lead))
    commit()
    with client.application.test_request_context():
        token = issue_feed_token(staff, secret_key="test-secret-key")
    commit()
    with count_queries() as small:
        client.get(f"/feeds/{token}.ics")
    for status in (EventStatus.DRAFT, EventStatus.PROPOSED, EventStatus.SCHEDULED):
        event = make_event(lead, status=status, venue=make_venue(lead))
        make_involvement(event, make_partner())
    commit()
    with count_queries() as large:
        client.get(f"/feeds/{token}.ics")
    assert large.count == small.count


@pytest.mark.parametrize("renamed", ["partner", "venue"])
def test_renaming_a_partner_or_room_changes_the_etag(client, lead, commit, renamed):
    venue = make_venue(lead, name="Hall 1")
    event = make_event(lead, venue=venue)
    commit()
    first = client.get("/calendar.ics")
    if renamed == "partner":
        lead.name = "BioPharmCluster North"
    else:
        venue.name = "Hall 2"
    commit()
    second = client.get("/calendar.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200
    item = by_uid(parse_feed(second), event)
    if renamed == "partner":
        assert str(item["CONTACT"]) == "BioPharmCluster North"
    else:
        assert str(item["LOCATION"]).startswith("Hall 2")


def test_feed_query_count_does_not_grow_with_the_dates_of_a_series(app, client, count_queries):
    """A series of 150 weekly dates costs the public and partner feeds the same queries as
    one of three, built from nothing and from memory."""
    from datetime import UTC, datetime

    from events.calendar import cache
    from events.enums import EventFormat
    from events.planning.recurrence import WEEKLY, Pattern
    from events.planning.series import create_series, propose_series, schedule_series
    from tests.planning.conftest import World

    world = World()

    def weekly(weekday: int, count: int):
        starts = datetime(2027, 1, 4 + weekday, 9, 0, tzinfo=UTC)
        values = {"title": f"Weekly {count}", "category": Category.SEMINAR,
                  "format": EventFormat.ONLINE, "online_url": "https://meet.example.org/s",
                  "venue": None, "starts_at": starts, "ends_at": starts + timedelta(hours=1),
                  "timezone": "Europe/Moscow", "audience": Audience.PUBLIC}
        series = create_series(world.staff_a, values, Pattern(WEEKLY, weekdays=(weekday,),
                                                              count=count))
        propose_series(world.staff_a, series)
        schedule_series(world.coord_a, series)
        db.session.commit()

    def counts() -> list[int]:
        found = []
        for path in ("/calendar.ics", "/partners/alpha/calendar.ics"):
            for warm in (False, True):
                if not warm:
                    cache.forget()
                with count_queries() as counter:
                    response = client.get(path)
                assert response.status_code == 200
                found.append(counter.count)
        return found

    weekly(0, 3)
    small = counts()
    weekly(3, 150)
    large = counts()
    assert large == small
    cal = parse_feed(client.get("/calendar.ics"))
    assert len(cal.walk("VEVENT")) == 2
    assert sorted(str(v["RRULE"]["COUNT"][0]) for v in cal.walk("VEVENT")) == ["150", "3"]
