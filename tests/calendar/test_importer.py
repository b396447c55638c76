"""Import of .ics files and URLs: preview, duplicates by UID, clear refusals, drafts created."""

import io
import socket
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from events.audit.models import AuditEntry
from events.calendar.importer import MAX_IMPORT_BYTES, fetch_ics, pack, parse_ics, unpack
from events.enums import EventStatus, InvolvementRole
from events.errors import ValidationFailed
from events.extensions import db
from events.planning.models import Event
from tests.conftest import login
from tests.factories import make_event, make_partner, make_user

DOMAIN = "test.joint-events.local"


def ics(*vevents: str) -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\n{v.strip()}\r\nEND:VEVENT\r\n" for v in vevents)
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n" + body
            + "END:VCALENDAR\r\n").encode()


NEW = """UID:abc-123@elsewhere.example
DTSTAMP:20260101T000000Z
DTSTART;TZID=Asia/Novosibirsk:20270310T100000
DTEND;TZID=Asia/Novosibirsk:20270310T120000
SUMMARY:Imported seminar\\, part 1
DESCRIPTION:Line one\\nLine two
LOCATION:Akademgorodok\\, Hall 2
CATEGORIES:Workshop"""

BROKEN = """UID:broken-1
DTSTART:20270310T120000Z
DTEND:20270310T100000Z
SUMMARY:Ends before it starts"""

ALL_DAY = """UID:all-day-1
DTSTART;VALUE=DATE:20270401
SUMMARY:Whole day
RRULE:FREQ=WEEKLY"""


@pytest.fixture
def staff(app):
    partner = make_partner(slug="bpc")
    user = make_user("staff", partner)
    db.session.commit()
    return user


def preview(client, data: bytes):
    return client.post("/calendar/import", data={"file": (io.BytesIO(data), "events.ics")},
                       content_type="multipart/form-data")


def test_parse_reads_times_zones_categories_and_problems(app):
    with app.test_request_context():
        found = parse_ics(ics(NEW, BROKEN, ALL_DAY), default_zone="Europe/Moscow", domain=DOMAIN)
    new, broken, all_day = found
    assert new.uid == "abc-123@elsewhere.example"
    assert new.title == "Imported seminar, part 1"
    assert new.timezone == "Asia/Novosibirsk"
    assert new.starts_at == datetime(2027, 3, 10, 3, 0, tzinfo=UTC)
    assert new.category.value == "workshop"
    assert "Akademgorodok, Hall 2" in new.description
    assert new.importable
    assert broken.problem
    assert not broken.importable
    assert all_day.starts_at == datetime(2027, 3, 31, 21, 0, tzinfo=UTC)  # Moscow midnight
    assert (all_day.ends_at - all_day.starts_at).days == 1
    assert all_day.notes


def test_our_own_export_comes_back_as_a_duplicate(app, client, staff):
    existing = make_event(make_partner())
    db.session.commit()
    own = client.get(f"/events/{existing.id}.ics").data
    with app.test_request_context():
        found = parse_ics(own, default_zone="Europe/Moscow", domain=DOMAIN)
    assert found[0].uid == existing.uid
    assert found[0].is_duplicate


@pytest.mark.parametrize(("data", "message"), [
    (b"", "empty"),
    (b"hello world", "not an iCalendar"),
    (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "no events"),
    (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:notadate\r\n", "cannot"),
    (b"BEGIN:VCALENDAR\r\n" + b"X" * (MAX_IMPORT_BYTES + 1), "larger"),
    (b"\xff\xfe\x00garbage", "not an iCalendar"),
])
def test_bad_files_get_a_clear_message(app, client, staff, data, message):
    login(client, staff)
    response = preview(client, data)
    assert 400 <= response.status_code < 500
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Event.id))) == 0


def test_preview_then_confirm_creates_drafts_of_the_partner(app, client, staff):
    existing = make_event(make_partner(), uid="dup-1")
    db.session.commit()
    login(client, staff)
    data = ics(NEW, BROKEN, ALL_DAY, "UID:dup-1\r\nDTSTART:20270101T100000Z\r\nSUMMARY:Dup")
    page = preview(client, data)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Imported seminar, part 1" in text
    assert "Duplicate" in text
    assert db.session.scalar(sa.select(sa.func.count(Event.id))) == 1  # preview wrote nothing
    payload = text.split('name="payload" type="hidden" value="')[1].split('"')[0]
    response = client.post("/calendar/import/confirm",
                           data={"payload": payload, "chosen": ["0", "1", "2", "3"]})
    assert response.status_code == 302
    created = list(db.session.scalars(
        sa.select(Event).where(Event.id != existing.id).order_by(Event.id)))
    assert [e.title for e in created] == ["Imported seminar, part 1", "Whole day"]
    for event in created:
        assert event.status == EventStatus.DRAFT
        assert event.lead_partner.id == staff.partner_id
        assert event.host_involvement.role == InvolvementRole.HOST
        assert event.created_by_id == staff.id
    assert created[0].uid == "abc-123@elsewhere.example"
    assert created[0].timezone == "Asia/Novosibirsk"
    entries = list(db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "event.import")))
    assert {e.event_id for e in entries} == {e.id for e in created}
    # Confirming the same file again creates nothing: they are duplicates now.
    client.post("/calendar/import/confirm", data={"payload": payload, "chosen": ["0", "2"]})
    assert db.session.scalar(sa.select(sa.func.count(Event.id))) == 3


def test_only_ticked_events_are_created(app, client, staff):
    login(client, staff)
    payload = pack(ics(NEW, ALL_DAY))
    client.post("/calendar/import/confirm", data={"payload": payload, "chosen": ["1"]})
    assert list(db.session.scalars(sa.select(Event.title))) == ["Whole day"]


def test_damaged_payload_is_refused(app, client, staff):
    login(client, staff)
    response = client.post("/calendar/import/confirm", data={"payload": "@@@", "chosen": ["0"]})
    assert response.status_code == 422
    with app.test_request_context(), pytest.raises(ValidationFailed):
        unpack(pack(b"x" * (MAX_IMPORT_BYTES + 10)))


def test_residents_and_partnerless_admins_cannot_import(app, client):
    resident, admin = make_user(), make_user("admin")
    db.session.commit()
    login(client, resident)
    assert client.get("/calendar/import").status_code == 403
    login(client, admin)
    response = client.post("/calendar/import/confirm",
                           data={"payload": pack(ics(NEW)), "chosen": ["0"]})
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(Event.id))) == 0


def allow(app, server) -> None:
    """Loopback is refused on purpose (SSRF); the test server's own port is allowed."""
    app.config["FETCH_ALLOWED_ADDRESSES"] = [f"127.0.0.1:{server.server_port}"]


def test_url_import_from_a_live_server_finds_duplicates(app, client, staff, live_server):
    allow(app, live_server)
    event = make_event(make_partner())
    db.session.commit()
    login(client, staff)
    response = client.post("/calendar/import",
                           data={"url": f"{live_server.url}/calendar.ics"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert event.title in text
    assert "Duplicate" in text


def test_url_import_creates_drafts_from_a_served_file(app, make_app, staff, live_server):
    # Another site's export (served live), read by a site with another domain.
    event = make_event(make_partner(), title="Their workshop", uid="their-1")
    db.session.commit()
    importing = make_app(SITE_DOMAIN="importing.example",
                         FETCH_ALLOWED_ADDRESSES=[f"127.0.0.1:{live_server.server_port}"])
    client = importing.test_client()
    login(client, staff)
    url = f"{live_server.url}/events/{event.id}.ics"
    partner_id = staff.partner_id
    db.session.rollback()  # this test's session must not hold SQLite's write lock
    text = client.post("/calendar/import", data={"url": url}).get_data(as_text=True)
    assert "Their workshop" in text
    assert "Duplicate" not in text
    payload = text.split('name="payload" type="hidden" value="')[1].split('"')[0]
    client.post("/calendar/import/confirm", data={"payload": payload, "chosen": ["0"]})
    db.session.expire_all()
    copy = db.session.scalar(sa.select(Event).where(Event.uid == f"their-1@{DOMAIN}"))
    assert copy.status == EventStatus.DRAFT
    assert copy.lead_partner.id == partner_id


def test_url_errors_are_clear(app, client, staff, live_server):
    allow(app, live_server)
    login(client, staff)
    for url, message in [
        ("file:///etc/passwd", "Only http"),
        ("ftp://example.org/x.ics", "Only http"),
        ("javascript:alert(1)", "Only http"),
        (f"{live_server.url}/no/such/file.ics", "No calendar could be read"),
        ("http://127.0.0.1:9/x.ics", "No calendar could be read"),
        ("webcal://127.0.0.1:9/x.ics", "No calendar could be read"),
    ]:
        response = client.post("/calendar/import", data={"url": url})
        assert response.status_code == 422, url
        assert message in response.get_data(as_text=True), url


def test_fetch_is_bounded_in_size_and_time(app, live_server):
    allow(app, live_server)
    make_event(make_partner(), description="long " * 500)
    db.session.commit()
    with app.test_request_context():
        assert fetch_ics(f"{live_server.url}/calendar.ics").startswith(b"BEGIN:VCALENDAR")
        with pytest.raises(ValidationFailed, match="larger"):
            fetch_ics(f"{live_server.url}/calendar.ics", max_bytes=100)
        silent = socket.socket()
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # accepts the connection, never answers
        app.config["FETCH_ALLOWED_ADDRESSES"].append(f"127.0.0.1:{silent.getsockname()[1]}")
        try:
            with pytest.raises(ValidationFailed, match="No calendar could be read"):
                fetch_ics(f"http://127.0.0.1:{silent.getsockname()[1]}/x.ics", timeout=0.3)
        finally:
            silent.close()


def test_import_page_shows_the_form(app, client, staff):
    login(client, staff)
    page = client.get("/calendar/import").get_data(as_text=True)
    assert 'type="file"' in page
    assert 'name="url"' in page


def test_control_characters_in_a_file_are_dropped_not_stored(app, client, staff):
    login(client, staff)
    data = ics("UID:nul-1\r\nDTSTART:20270101T100000Z\r\nSUMMARY:Bad\x00na\x07me\r\n"
               "DESCRIPTION:x\x00y")
    client.post("/calendar/import/confirm", data={"payload": pack(data), "chosen": ["0"]})
    event = db.session.scalar(sa.select(Event))
    assert event.title == "Badname"
    assert event.description == "xy"


def test_incompressible_file_too_big_for_the_preview_form_is_refused(app, client, staff):
    import random
    import string

    rng = random.Random(3)
    letters = string.ascii_letters + string.digits
    vevents = [f"UID:big-{i}\r\nDTSTART:20270101T100000Z\r\nSUMMARY:Big {i}\r\n"
               f"DESCRIPTION:{''.join(rng.choice(letters) for _ in range(2400))}"
               for i in range(250)]
    data = ics(*vevents)
    assert len(data) < MAX_IMPORT_BYTES
    login(client, staff)
    response = preview(client, data)
    assert response.status_code == 422
    assert "too large to import at once" in response.get_data(as_text=True)


def test_utc_times_take_our_default_zone(app):
    with app.test_request_context():
        found = parse_ics(ics("UID:z-1\r\nDTSTART:20270101T100000Z\r\nSUMMARY:Zulu"),
                          default_zone="Europe/Moscow", domain=DOMAIN)
    assert found[0].timezone == "Europe/Moscow"
    assert found[0].starts_at == datetime(2027, 1, 1, 10, 0, tzinfo=UTC)
