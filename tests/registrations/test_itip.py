"""Calendar files in registrants' mails are iTIP messages (RFC 5546): REQUEST while a person
holds a seat, CANCEL once it or the event is gone, the feeds' UID and a SEQUENCE that grows with
every message, so a calendar client updates or removes its entry instead of adding a copy."""

from datetime import timedelta

import icalendar
import pytest

from events.calendar.ical import ical_uid
from events.enums import EventStatus
from events.extensions import db
from events.outbox.worker import wake_worker
from events.planning.services import cancel_event, update_event
from events.registrations.services import cancel_by_token, cancel_registration, register
from tests.calendar.parsers import icaljs_available, read_with_icaljs
from tests.factories import make_event, make_user, make_venue
from tests.registrations.helpers import cancel_token_from

pytestmark = pytest.mark.usefixtures("in_request")

SENDER = "no-reply@joint-events.local"


@pytest.fixture
def event(host):
    """In a room, so that staff can move it through the planning rules."""
    return make_event(lead=host, title="Lab tour", capacity=2, venue=make_venue(host))


def sent(outbox):
    """Commit, send, and hand back (and forget) what went out."""
    db.session.commit()
    wake_worker()
    messages = list(outbox)
    outbox.clear()
    return messages


def to(messages, person):
    (message,) = [m for m in messages if m.recipients == [person.email]]
    return message


def itip(message):
    """(METHOD, the VEVENT, the attachment's content type) of the mail's one .ics."""
    (attachment,) = [a for a in message.attachments if a.filename.endswith(".ics")]
    calendar = icalendar.Calendar.from_ical(attachment.data)
    (vevent,) = calendar.walk("VEVENT")
    return str(calendar.get("METHOD")), vevent, attachment.content_type


def seq(vevent) -> int:
    return int(vevent["SEQUENCE"])


def assert_request(message, event, person):
    method, vevent, content_type = itip(message)
    assert method == "REQUEST"
    assert content_type == "text/calendar; method=REQUEST; charset=utf-8"
    assert str(vevent["UID"]) == ical_uid(event.uid, "test.joint-events.local")
    assert str(vevent["STATUS"]) == "CONFIRMED"
    organizer = vevent["ORGANIZER"]
    assert str(organizer) == f"mailto:{SENDER}"
    assert organizer.params["CN"] == "Host partner"
    attendee = vevent["ATTENDEE"]
    assert str(attendee) == f"mailto:{person.email}"
    assert attendee.params["PARTSTAT"] == "ACCEPTED"
    assert attendee.params["RSVP"] == "FALSE"
    assert attendee.params["CN"] == person.name
    return vevent


def assert_cancel(message, event, person, after):
    """A CANCEL for `person` with the UID of the REQUEST `after` and a higher SEQUENCE."""
    method, vevent, content_type = itip(message)
    assert method == "CANCEL"
    assert content_type == "text/calendar; method=CANCEL; charset=utf-8"
    assert str(vevent["UID"]) == str(after["UID"])
    assert seq(vevent) > seq(after)
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert str(vevent["ORGANIZER"]) == f"mailto:{SENDER}"
    assert str(vevent["ATTENDEE"]) == f"mailto:{person.email}"
    return vevent


def test_confirmation_is_a_request_with_organizer_and_attendee(app, event, residents,
                                                              outbox):
    person = residents[0]
    register(person, event)
    vevent = assert_request(to(sent(outbox), person), event, person)
    assert seq(vevent) == event.sequence


def test_waitlisted_people_get_no_request(app, event, residents, outbox):
    for person in residents[:3]:
        register(person, event)
    assert not to(sent(outbox), residents[2]).attachments


def test_own_cancellation_is_confirmed_by_mail_with_a_cancel(app, event, residents, outbox):
    person = residents[0]
    registration = register(person, event).registration
    request = itip(to(sent(outbox), person))[1]
    cancel_registration(person, registration)
    message = to(sent(outbox), person)
    assert message.subject == f"Registration cancelled: {event.title}"
    assert f"Your registration for “{event.title}” is cancelled." in message.body
    assert "removes the event from your calendar" in message.body
    assert f"/events/{event.id}" in message.html
    assert_cancel(message, event, person, after=request)


def test_cancelling_by_the_mailed_link_is_confirmed_too(app, event, residents, outbox):
    person = residents[0]
    register(person, event)
    confirmation = to(sent(outbox), person)
    cancel_by_token(cancel_token_from(confirmation))
    assert_cancel(to(sent(outbox), person), event, person, after=itip(confirmation)[1])


def test_leaving_the_waitlist_is_confirmed_without_a_calendar_file(app, event, residents,
                                                                   outbox):
    regs = [register(person, event).registration for person in residents[:3]]
    sent(outbox)
    cancel_registration(residents[2], regs[2])
    message = to(sent(outbox), residents[2])
    assert message.subject.startswith("Registration cancelled")
    assert not message.attachments
    assert ".ics" not in message.body


def test_promotion_is_a_request_and_its_cancel_goes_higher(app, event, residents, outbox):
    regs = [register(person, event).registration for person in residents[:3]]
    sent(outbox)
    cancel_registration(residents[0], regs[0])
    promotion = to(sent(outbox), residents[2])
    request = assert_request(promotion, event, residents[2])
    # The private feed shows a seat won from the waitlist one SEQUENCE higher: the mail agrees.
    assert seq(request) == event.sequence + 1
    cancel_registration(residents[2], regs[2])
    assert_cancel(to(sent(outbox), residents[2]), event, residents[2], after=request)


def test_a_move_is_a_request_with_a_higher_sequence(app, event, residents, staff, outbox):
    person = residents[0]
    register(person, event)
    first = itip(to(sent(outbox), person))[1]
    update_event(staff, event, starts_at=event.starts_at + timedelta(days=1),
                 ends_at=event.ends_at + timedelta(days=1))
    moved = to(sent(outbox), person)
    assert moved.subject.startswith("Event moved")
    request = assert_request(moved, event, person)
    assert str(request["UID"]) == str(first["UID"])
    assert seq(request) > seq(first)
    assert request.decoded("DTSTART") == event.starts_at


def test_a_move_tells_the_waitlist_without_a_calendar_file(app, event, residents, staff,
                                                           outbox):
    for person in residents[:3]:
        register(person, event)
    sent(outbox)
    update_event(staff, event, starts_at=event.starts_at + timedelta(hours=2),
                 ends_at=event.ends_at + timedelta(hours=2))
    message = to(sent(outbox), residents[2])
    assert not message.attachments
    assert "Your registration stays as it was (Waitlisted)." in message.body
    assert ".ics" not in message.body


def test_cancelled_event_sends_a_cancel_above_the_last_request(app, event, host, residents,
                                                               staff, outbox):
    person = residents[0]
    register(person, event)
    first = itip(to(sent(outbox), person))[1]
    update_event(staff, event, title="Lab tour, new route")
    cancel_event(make_user("coordinator", host), event, "The lab is closed")
    assert event.status == EventStatus.CANCELLED
    assert_cancel(to(sent(outbox), person), event, person, after=first)


def test_registering_again_after_a_cancel_goes_above_the_cancel(app, event, residents,
                                                                outbox):
    """A client that saw the CANCEL ignores any later message that is not newer."""
    person = residents[0]
    registration = register(person, event).registration
    sent(outbox)
    cancel_registration(person, registration)
    cancel = itip(to(sent(outbox), person))[1]
    register(person, event)
    again = assert_request(to(sent(outbox), person), event, person)
    assert seq(again) > seq(cancel)
    assert str(again["UID"]) == str(cancel["UID"])


def test_cancellation_mail_in_russian(app, event, outbox):
    person = make_user(locale="ru", name="Анна")
    registration = register(person, event).registration
    sent(outbox)
    cancel_registration(person, registration)
    message = to(sent(outbox), person)
    assert message.subject.startswith("Регистрация отменена")
    assert "Здравствуйте, Анна" in message.body
    assert "отменена" in message.html
    assert itip(message)[0] == "CANCEL"


def test_downloads_and_feeds_stay_published_calendars(app, client, event, residents, outbox):
    register(residents[0], event)
    sent(outbox)
    download = client.get(f"/events/{event.id}.ics")
    assert download.status_code == 200
    calendar = icalendar.Calendar.from_ical(download.data)
    assert "METHOD" not in calendar
    (vevent,) = calendar.walk("VEVENT")
    assert "ORGANIZER" not in vevent
    assert "ATTENDEE" not in vevent
    assert b"METHOD" not in client.get("/calendar.ics").data


@pytest.mark.skipif(not icaljs_available() and not __import__("os").environ.get("CI"),
                    reason="ical.js is installed by `make browser`")
def test_icaljs_reads_the_mailed_request_and_cancel(app, event, residents, outbox):
    person = residents[0]
    registration = register(person, event).registration
    request = read_with_icaljs(to(sent(outbox), person).attachments[0].data)
    cancel_registration(person, registration)
    cancel = read_with_icaljs(to(sent(outbox), person).attachments[0].data)
    assert request["method"] == "REQUEST"
    assert cancel["method"] == "CANCEL"
    (first,), (second,) = request["events"], cancel["events"]
    assert first["uid"] == second["uid"]
    assert second["sequence"] > first["sequence"]
    assert first["organizer"] == f"mailto:{SENDER}"
    assert first["start"] == event.starts_at
    assert first["end"] == event.ends_at
