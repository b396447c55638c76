"""Reminders and nudges fire once, at the right time; time is passed in, nothing sleeps."""

from datetime import timedelta

import icalendar
import sqlalchemy as sa

from events.db import utcnow
from events.enums import EventStatus, InvolvementRole, InvolvementState, RegistrationStatus, Role
from events.extensions import db
from events.outbox.delivery import deliver_due
from events.outbox.models import OutboxMessage
from events.planning.nudges import queue_nudges
from events.registrations.reminders import queue_reminders
from tests.factories import make_event, make_involvement, make_partner, make_registration, make_user


def _kinds(kind: str) -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == kind)
                                   .order_by(OutboxMessage.id)))


def _event_in(days: float, *, created_days_before: float = 10, **values):
    event = make_event(**values)
    event.starts_at = (utcnow() + timedelta(days=days)).replace(microsecond=0)
    event.ends_at = event.starts_at + timedelta(hours=2)
    event.created_at = event.starts_at - timedelta(days=created_days_before)
    return event


def _seat(event, **values):
    registration = make_registration(event, **values)
    registration.registered_at = event.created_at + timedelta(hours=1)
    return registration


def test_confirmed_attendees_are_reminded_once_a_day_before(app, outbox):
    event = _event_in(3)
    confirmed = [_seat(event) for _ in range(2)]
    _seat(event, status=RegistrationStatus.WAITLISTED, confirmed_at=None)
    _seat(event, status=RegistrationStatus.CANCELLED)
    db.session.commit()
    start = event.starts_at

    assert queue_reminders(now=start - timedelta(hours=25)) == 0        # too early
    assert queue_reminders(now=start - timedelta(hours=23)) == 2
    assert queue_reminders(now=start - timedelta(hours=22)) == 0        # once
    assert queue_reminders(now=start - timedelta(hours=1)) == 0
    deliver_due()
    assert sorted(m.recipients[0] for m in outbox) == sorted(r.user.email for r in confirmed)
    mail = outbox[0]
    assert event.title in mail.subject
    [attachment] = mail.attachments
    vevent = next(iter(icalendar.Calendar.from_ical(attachment.data).walk("VEVENT")))
    assert vevent["DTSTART"].dt == event.starts_at
    assert queue_reminders(now=start + timedelta(minutes=1)) == 0      # it has started


def test_a_moved_event_is_reminded_of_its_new_time(app):
    event = _event_in(3)
    _seat(event)
    db.session.commit()
    assert queue_reminders(now=event.starts_at - timedelta(hours=2)) == 1
    event.starts_at += timedelta(days=1)
    event.ends_at += timedelta(days=1)
    db.session.commit()
    assert queue_reminders(now=event.starts_at - timedelta(hours=2)) == 1
    assert len(_kinds("registration_reminder")) == 2


def test_no_reminder_for_events_created_or_seats_taken_inside_the_window(app):
    late_event = _event_in(0.5, created_days_before=0.4)
    _seat(late_event)
    event = _event_in(1.5)
    late_seat = _seat(event)
    late_seat.registered_at = event.starts_at - timedelta(hours=3)
    cancelled = _event_in(0.5, status=EventStatus.CANCELLED)
    _seat(cancelled)
    db.session.commit()
    now = utcnow()
    assert queue_reminders(now=now) == 0
    assert queue_reminders(now=event.starts_at - timedelta(hours=2)) == 0
    assert _kinds("registration_reminder") == []


def test_the_reminder_window_is_a_setting(make_app):
    app = make_app(REMINDER_HOURS=48)
    with app.app_context():
        event = _event_in(3)
        _seat(event)
        db.session.commit()
        assert queue_reminders(now=event.starts_at - timedelta(hours=47)) == 1
    off = make_app(REMINDER_HOURS=0)
    with off.app_context():
        event = _event_in(3)
        _seat(event)
        db.session.commit()
        assert queue_reminders(now=event.starts_at - timedelta(hours=1)) == 0


def test_partners_that_have_not_answered_are_nudged_once_after_three_days(app, outbox):
    lead = make_partner()
    invited = make_partner()
    coordinator = make_user(Role.COORDINATOR, invited)
    make_user(Role.STAFF, invited)            # coordinators answer invitations
    event = _event_in(20, status=EventStatus.PROPOSED, lead=lead)
    involvement = make_involvement(event, invited, role=InvolvementRole.SUPPORTER,
                                   state=InvolvementState.INVITED)
    answered = make_involvement(event, make_partner(), state=InvolvementState.ACCEPTED)
    db.session.commit()
    invited_at = involvement.invited_at
    answered.invited_at = invited_at
    db.session.commit()

    assert queue_nudges(now=invited_at + timedelta(days=2, hours=23)) == 0
    assert queue_nudges(now=invited_at + timedelta(days=3, minutes=1)) == 1
    assert queue_nudges(now=invited_at + timedelta(days=5)) == 0        # once
    deliver_due()
    [mail] = outbox
    assert mail.recipients == [coordinator.email]
    assert event.title in mail.subject
    assert f"/events/{event.id}" in mail.body

    involvement.state = InvolvementState.ACCEPTED
    db.session.commit()
    assert queue_nudges(now=invited_at + timedelta(days=9)) == 0


def test_the_worker_renders_mail_outside_any_request_with_csrf_on(make_app):
    """The worker has no request: rendering a reminder must not need one (CSRF is on in
    production, so a page-only helper asking for a token would fail the whole sweep)."""
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        event = _event_in(3)
        _seat(event)
        db.session.commit()
        assert queue_reminders(now=event.starts_at - timedelta(hours=2)) == 1
        [mail] = _kinds("registration_reminder")
        assert event.title in mail.body
