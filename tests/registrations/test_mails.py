"""What the mails say, in whose language, and the .ics they carry."""

import icalendar
import pytest

from events.enums import EventStatus, RegistrationStatus
from events.extensions import db
from events.outbox.worker import wake_worker
from events.registrations import notify
from events.registrations.services import cancel_registration, hash_token, register
from tests.factories import make_user
from tests.registrations.helpers import cancel_token_from

pytestmark = pytest.mark.usefixtures("in_request")


def sent():
    db.session.commit()
    wake_worker()


def parse_ics(message):
    (attachment,) = [a for a in message.attachments if a.filename.endswith(".ics")]
    assert attachment.content_type.startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(attachment.data)
    (vevent,) = calendar.walk("VEVENT")
    return calendar, vevent


def test_confirmation_mail_has_details_cancel_link_and_ics(app, event, residents, outbox):
    person = residents[0]
    registration = register(person, event).registration
    sent()
    (message,) = outbox
    assert message.recipients == [person.email]
    assert message.subject == f"You are registered: {event.title}"
    assert f"Hello {person.name}" in message.body
    assert event.title in message.body
    token = cancel_token_from(message)
    assert hash_token(token) == registration.cancel_token_hash
    assert f"http://localhost/cancel/{token}" in message.body
    assert f'href="http://localhost/cancel/{token}"' in message.html
    calendar, vevent = parse_ics(message)
    assert calendar.walk("VTIMEZONE")
    assert str(vevent["UID"]) == f"{event.uid}@test.joint-events.local"
    assert str(vevent["SUMMARY"]) == event.title
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert vevent.decoded("DTSTART") == event.starts_at


def test_waitlisted_mail_tells_the_position(app, event, residents, outbox):
    for person in residents[:3]:
        register(person, event)
    sent()
    message = outbox[-1]
    assert message.subject.startswith("You are on the waitlist")
    assert "you are number 1" in message.body
    assert "/cancel/" in message.body
    assert not message.attachments


def test_promotion_mail_goes_to_the_promoted_person(app, event, residents, outbox):
    regs = [register(person, event).registration for person in residents[:3]]
    sent()
    outbox.clear()
    cancel_registration(residents[0], regs[0])
    sent()
    cancelled, message = outbox
    assert cancelled.recipients == [residents[0].email]
    assert message.recipients == [residents[2].email]
    assert message.subject == f"A seat is yours: {event.title}"
    assert "http://localhost/my/events" in message.body
    _, vevent = parse_ics(message)
    assert str(vevent["STATUS"]) == "CONFIRMED"


def test_mails_are_in_the_recipients_language(app, event, outbox):
    register(make_user(locale="ru", name="Анна"), event)
    sent()
    (message,) = outbox
    assert message.subject.startswith("Вы зарегистрированы")
    assert "Здравствуйте, Анна" in message.body
    assert "Здравствуйте, Анна" in message.html


def test_event_moved_mail_carries_the_new_time_and_sequence(app, event, residents, staff,
                                                           outbox):
    from datetime import timedelta

    regs = [register(person, event).registration for person in residents[:3]]
    cancel_registration(residents[2], regs[2])  # the waitlist is empty again
    sent()
    outbox.clear()
    event.starts_at += timedelta(days=1)
    event.ends_at += timedelta(days=1)
    event.sequence += 1
    notify.event_changed(staff, event, "moved", {"starts_at": ["a", "b"]})
    sent()
    assert sorted(m.recipients[0] for m in outbox) == sorted(p.email for p in residents[:2])
    message = outbox[0]
    assert message.subject == f"Event moved: {event.title}"
    _, vevent = parse_ics(message)
    assert vevent.decoded("DTSTART") == event.starts_at
    assert int(vevent["SEQUENCE"]) == event.sequence


def test_event_cancelled_mail_for_waitlisted_people_too(app, event, residents, staff, outbox):
    regs = [register(person, event).registration for person in residents[:3]]
    sent()
    outbox.clear()
    event.status = EventStatus.CANCELLED
    event.cancel_reason = "The speaker is ill"
    notify.event_changed(staff, event, "cancelled", {})
    sent()
    assert len(outbox) == 3
    assert regs[2].status == RegistrationStatus.WAITLISTED
    for message in outbox:
        assert message.subject == f"Event cancelled: {event.title}"
        assert "The speaker is ill" in message.body
        assert "The speaker is ill" in message.html
        if message.recipients == [residents[2].email]:
            assert not message.attachments  # waitlisted: no seat, nothing in their calendar
            assert ".ics" not in message.body
            continue
        calendar, vevent = parse_ics(message)
        assert str(calendar["METHOD"]) == "CANCEL"
        assert str(vevent["STATUS"]) == "CANCELLED"


def test_unknown_change_kind_is_a_programming_error(app, event, staff):
    with pytest.raises(ValueError, match="unknown kind"):
        notify.event_changed(staff, event, "renamed", {})


def test_html_part_escapes_what_people_typed(app, host, outbox):
    from tests.factories import make_event

    event = make_event(lead=host, title="<script>alert(1)</script> & co")
    person = make_user(name="<b>Eve</b>")
    register(person, event)
    sent()
    (message,) = outbox
    assert "<script>" not in message.html
    assert "&lt;script&gt;" in message.html
    assert "&lt;b&gt;Eve&lt;/b&gt;" in message.html
    assert "<b>Eve</b>" in message.body  # plain text shows it as typed
