"""Import of .ics files and URLs: a job reads the file into a preview (duplicates by UID, what
the planning rules refuse), the person fixes and ticks, the chosen events are created through
planning.services.create_event."""

import io
import socket
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from events.audit.models import AuditEntry
from events.calendar.importer import MAX_IMPORT_BYTES, fetch_ics, parse_ics
from events.calendar.models import ImportJob
from events.enums import EventFormat, EventStatus, ImportJobStatus, InvolvementRole
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
    """Upload; the job runs at once (Huey's immediate mode in tests): the preview page or the
    refusal."""
    return client.post("/calendar/import", data={"file": (io.BytesIO(data), "events.ics")},
                       content_type="multipart/form-data", follow_redirects=True)


def last_job() -> ImportJob:
    db.session.expire_all()
    return db.session.scalar(sa.select(ImportJob).order_by(ImportJob.id.desc()))


def confirm(client, job: ImportJob, picks=(), **fields):
    """Post the preview form as the page fills it (rows shown, online ones marked)."""
    data = {"default_venue": fields.pop("default_venue", "")}
    for row in job.preview[:200]:
        data[f"row-{row['index']}"] = "1"
        if row["format"] == "online":
            data[f"online-{row['index']}"] = "1"
            data[f"url-{row['index']}"] = row["online_url"]
    for index in picks:
        data[f"pick-{index}"] = "1"
    data.update(fields)
    return client.post(f"/calendar/import/{job.id}/confirm", data=data)


def in_person_room(staff):
    from tests.factories import make_venue

    venue = make_venue(staff.partner, name="Import hall")
    db.session.commit()
    return venue


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
    (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:notadate\r\n",
     "The VEVENT begun on line 2 is never ended."),
    (b"\xff\xfe\x00garbage", "not an iCalendar"),
])
def test_bad_files_get_a_clear_message(app, client, staff, data, message):
    login(client, staff)
    response = preview(client, data)
    assert response.status_code == 200
    assert last_job().status == ImportJobStatus.FAILED
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Event.id))) == 0


def test_a_file_over_the_limit_is_refused_before_any_job(app, client, staff):
    login(client, staff)
    response = preview(client, b"BEGIN:VCALENDAR\r\n" + b"X" * (MAX_IMPORT_BYTES + 1))
    assert response.status_code == 422
    assert "larger" in response.get_data(as_text=True)
    assert last_job() is None


def test_preview_then_confirm_creates_drafts_through_the_rules(app, client, staff):
    existing = make_event(make_partner(), uid="dup-1")
    venue = in_person_room(staff)
    login(client, staff)
    data = ics(NEW, BROKEN, ALL_DAY, "UID:dup-1\r\nDTSTART:20270101T100000Z\r\nSUMMARY:Dup")
    page = preview(client, data)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Imported seminar, part 1" in text
    assert "Duplicate" in text
    # The rules speak in the preview: an in-person event needs a room.
    assert "Choose a room for an event held in person." in text
    assert "repeats without end; only its first date is imported" in text
    assert db.session.scalar(sa.select(sa.func.count(Event.id))) == 1  # nothing created yet
    job = last_job()
    assert job.status == ImportJobStatus.READY
    response = confirm(client, job, picks=[0, 1, 2, 3], **{"venue-0": str(venue.id),
                                                           "online-2": "1",
                                                           "url-2": "https://meet.example/x"})
    assert response.status_code == 303
    created = list(db.session.scalars(
        sa.select(Event).where(Event.id != existing.id).order_by(Event.id)))
    assert [e.title for e in created] == ["Imported seminar, part 1", "Whole day"]
    for event in created:
        assert event.status == EventStatus.DRAFT
        assert event.lead_partner.id == staff.partner_id
        assert event.host_involvement.role == InvolvementRole.HOST
        assert event.created_by_id == staff.id
    seminar, whole_day = created
    assert seminar.uid == "abc-123@elsewhere.example"  # a foreign UID is kept as it was
    assert seminar.timezone == "Asia/Novosibirsk"
    assert seminar.venue_id == venue.id
    assert whole_day.is_all_day
    assert whole_day.format == EventFormat.ONLINE
    assert whole_day.online_url == "https://meet.example/x"
    entries = list(db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "event.create")))
    assert {e.event_id for e in entries} == {e.id for e in created}
    assert last_job().result == {"created": 2, "failed": {}}
    # The same file again: everything is a duplicate now.
    preview(client, data)
    assert all(row["is_duplicate"] or row["problem"] for row in last_job().preview)


def test_an_event_the_rules_refuse_is_reported_not_created(app, client, staff):
    login(client, staff)
    preview(client, ics(NEW))
    response = confirm(client, last_job(), picks=[0])  # no room chosen
    assert response.status_code == 303
    job = last_job()
    assert job.status == ImportJobStatus.DONE
    assert job.result["created"] == 0
    assert "room" in job.result["failed"]["0"]
    assert db.session.scalar(sa.select(sa.func.count(Event.id))) == 0


def test_default_room_applies_to_rows_without_their_own(app, client, staff):
    venue = in_person_room(staff)
    login(client, staff)
    preview(client, ics(NEW, NEW.replace("abc-123", "abc-124").replace("T10", "T14")
                        .replace("T12", "T16")))
    confirm(client, last_job(), picks=[0, 1], default_venue=str(venue.id))
    assert [e.venue_id for e in db.session.scalars(sa.select(Event))] == [venue.id, venue.id]


def test_past_events_are_flagged_and_not_ticked(app, client, staff):
    login(client, staff)
    text = preview(client, ics("UID:old-1\r\nDTSTART:20200101T100000Z\r\nSUMMARY:Old")
                   ).get_data(as_text=True)
    row = last_job().preview[0]
    assert row["is_past"]
    assert "The start is in the past." in text
    assert "checked" not in text.split('id="pick-0"')[1].split(">")[0]


def test_exdate_on_the_first_occurrence_moves_to_the_next(app):
    weekly = ("UID:w-1\r\nDTSTART;TZID=Europe/Berlin:20270104T100000\r\n"
              "DTEND;TZID=Europe/Berlin:20270104T110000\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\n"
              "EXDATE;TZID=Europe/Berlin:20270104T100000\r\nSUMMARY:Weekly")
    single = ("UID:s-1\r\nDTSTART:20270104T100000Z\r\nEXDATE:20270104T100000Z\r\n"
              "SUMMARY:Deleted")
    every = ("UID:e-1\r\nDTSTART;VALUE=DATE:20270104\r\nRRULE:FREQ=DAILY;COUNT=1\r\n"
             "EXDATE;VALUE=DATE:20270104\r\nSUMMARY:All gone")
    with app.test_request_context():
        found = parse_ics(ics(weekly, single, every), default_zone="Europe/Moscow",
                          domain=DOMAIN)
    assert found[0].starts_at == datetime(2027, 1, 11, 9, 0, tzinfo=UTC)
    assert found[0].ends_at == datetime(2027, 1, 11, 10, 0, tzinfo=UTC)
    assert any("series" in note for note in found[0].notes)
    assert found[1].problem
    assert found[2].problem


def test_windows_1251_files_read_as_cyrillic(app):
    text = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:cp-1\r\n"
            "DTSTART:20270101T100000Z\r\nSUMMARY:Семинар по биотехнологиям для резидентов\r\n"
            "DESCRIPTION:Регистрация на сайте технопарка\\, приходите все\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n")
    with app.test_request_context():
        found = parse_ics(text.encode("cp1251"), default_zone="Europe/Moscow", domain=DOMAIN)
    assert found[0].title == "Семинар по биотехнологиям для резидентов"
    assert found[0].description == "Регистрация на сайте технопарка, приходите все"


def test_windows_zone_names_map_through_cldr_and_unknown_ones_are_refused(app):
    windows = ("UID:win-1\r\nDTSTART;TZID=Russian Standard Time:20270115T100000\r\n"
               "DTEND;TZID=Russian Standard Time:20270115T110000\r\nSUMMARY:Win")
    eastern = ("UID:win-2\r\nDTSTART;TZID=Eastern Standard Time:20270615T100000\r\n"
               "SUMMARY:NY")
    vendor = ("UID:moz-1\r\nDTSTART;TZID=/mozilla.org/20050126_1/Europe/Berlin:"
              "20270615T100000\r\nSUMMARY:Moz")
    unknown = "UID:unk-1\r\nDTSTART;TZID=Mars/Olympus:20270115T100000\r\nSUMMARY:Mars"
    with app.test_request_context():
        win, ny, moz, mars = parse_ics(ics(windows, eastern, vendor, unknown),
                                       default_zone="Asia/Novosibirsk", domain=DOMAIN)
    assert win.timezone == "Europe/Moscow"
    assert win.starts_at == datetime(2027, 1, 15, 7, 0, tzinfo=UTC)
    assert ny.timezone == "America/New_York"
    assert ny.starts_at == datetime(2027, 6, 15, 14, 0, tzinfo=UTC)
    assert moz.timezone == "Europe/Berlin"
    assert moz.starts_at == datetime(2027, 6, 15, 8, 0, tzinfo=UTC)
    assert mars.problem == "The event “Mars” (line 20) uses the unknown time zone “Mars/Olympus”."
    assert not mars.importable


def test_all_day_and_multi_day_events_stay_whole_days(app):
    three = "UID:ad-3\r\nDTSTART;VALUE=DATE:20270401\r\nDTEND;VALUE=DATE:20270404\r\nSUMMARY:Expo"
    with app.test_request_context():
        expo, = parse_ics(ics(three), default_zone="Europe/Moscow", domain=DOMAIN)
    assert expo.is_all_day
    assert expo.starts_at == datetime(2027, 3, 31, 21, 0, tzinfo=UTC)
    assert expo.ends_at == datetime(2027, 4, 3, 21, 0, tzinfo=UTC)  # exclusive: after the 3rd


def test_five_thousand_events_in_one_import(app, client, staff):
    """5,000 events are read and previewed; the 300 future ones are created (in batches),
    the past ones beyond the rows shown are skipped."""
    def vevent(i: int) -> str:
        year = 2027 if i % 5000 < 300 else 2020
        return (f"UID:bulk-{i}\r\nDTSTART:{year}{1 + i % 12:02d}{1 + i % 28:02d}"
                f"T{8 + i % 10:02d}{i % 60:02d}00Z\r\nDURATION:PT1H\r\n"
                f"LOCATION:https://meet.example/{i}\r\nSUMMARY:Bulk {i}")

    login(client, staff)
    page = preview(client, ics(*(vevent(i) for i in range(5000))))
    assert page.status_code == 200
    job = last_job()
    assert job.total == 5000
    assert "4800 more events" in page.get_data(as_text=True)
    confirm(client, job, picks=range(200))
    job = last_job()
    assert job.status == ImportJobStatus.DONE
    assert job.result == {"created": 300, "failed": {}}
    assert db.session.scalar(sa.select(sa.func.count(Event.id))) == 300


def test_someone_else_cannot_see_or_confirm_my_import(app, client, staff):
    login(client, staff)
    preview(client, ics(NEW))
    job = last_job()
    other = make_user("staff", staff.partner)
    db.session.commit()
    login(client, other)
    assert client.get(f"/calendar/import/{job.id}").status_code == 404
    assert confirm(client, job, picks=[0]).status_code == 404


def test_residents_and_partnerless_admins_cannot_import(app, client):
    resident, admin = make_user(), make_user("admin")
    db.session.commit()
    login(client, resident)
    assert client.get("/calendar/import").status_code == 403
    login(client, admin)
    response = client.post("/calendar/import/1/confirm", data={})
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
                           data={"url": f"{live_server.url}/calendar.ics"},
                           follow_redirects=True)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert event.title in text
    assert "Duplicate" in text


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
               "DESCRIPTION:x\x00y\r\nLOCATION:https://meet.example/1")
    preview(client, data)
    confirm(client, last_job(), picks=[0])
    event = db.session.scalar(sa.select(Event))
    assert event.title == "Badname"
    assert event.description.startswith("xy")


def test_utc_times_take_our_default_zone(app):
    with app.test_request_context():
        found = parse_ics(ics("UID:z-1\r\nDTSTART:20270101T100000Z\r\nSUMMARY:Zulu"),
                          default_zone="Europe/Moscow", domain=DOMAIN)
    assert found[0].timezone == "Europe/Moscow"
    assert found[0].starts_at == datetime(2027, 1, 1, 10, 0, tzinfo=UTC)


def test_an_unexpected_failure_marks_the_job_failed_not_a_500(app, client, staff, monkeypatch):
    from events.calendar import jobs

    def explode(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(jobs, "parse_ics", explode)
    login(client, staff)
    response = preview(client, ics(NEW))
    assert response.status_code == 200
    job = last_job()
    assert job.status == ImportJobStatus.FAILED
    assert "stopped unexpectedly" in job.error


def test_the_worker_reads_the_file_and_the_page_waits_for_it(make_app, tmp_path):
    """With a real task queue the request only stores the job; the worker's task reads it."""
    app = make_app(TASK_QUEUE_URL=f"sqlite:///{tmp_path}/queue.sqlite3")
    with app.app_context():
        user = make_user("staff", make_partner(slug="bpc"))
        db.session.commit()
        client = app.test_client()
        login(client, user)
        response = client.post("/calendar/import",
                               data={"file": (io.BytesIO(ics(NEW)), "events.ics")},
                               content_type="multipart/form-data")
        assert response.status_code == 303
        job = last_job()
        assert job.status == ImportJobStatus.QUEUED
        page = client.get(f"/calendar/import/{job.id}").get_data(as_text=True)
        assert 'http-equiv="refresh"' in page          # the page waits for the worker
        db.session.rollback()   # this test's reads end (on SQLite they hold the write lock)
        huey = app.extensions["huey"]
        task = huey.dequeue()
        assert task.name == "calendar.import"
        huey.execute(task)                             # what `flask worker` does
        assert last_job().status == ImportJobStatus.READY
        assert "Imported seminar, part 1" in client.get(
            f"/calendar/import/{job.id}").get_data(as_text=True)
