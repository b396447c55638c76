"""Registrations that need approval: the lead partner turns it on per event; people who
register then wait as "pending" (holding no seat), and the lead partner's staff approve them
(a seat, or the waitlist when the event is full at that moment) or decline them with a reason.
Seats are decided under the event's lock, as register() decides them."""

import secrets

from flask_babel import gettext as _

from events.audit.services import record
from events.auth.permissions import can_manage_registration
from events.db import utcnow
from events.enums import EventStatus, RegistrationStatus
from events.errors import Conflict, NotAllowed, ValidationFailed
from events.extensions import db
from events.planning.models import Event
from events.registrations import announce, mails, services
from events.registrations.models import Registration
from events.text import one_line

REASON_MAX = 500


def _check_manager(actor, event: Event) -> None:
    if not can_manage_registration(actor, event):
        raise NotAllowed(_("Only the lead partner's staff approve registrations."))


def set_needs_approval(actor, event: Event, needs_approval: bool) -> Event:
    """Turn approval on or off. People already waiting stay pending until staff decide."""
    _check_manager(actor, event)
    if event.status == EventStatus.CANCELLED:
        raise Conflict(_("This event is cancelled."))
    needs_approval = bool(needs_approval)
    if event.registration_needs_approval != needs_approval:
        record(actor, "event.registration_approval", event,
               {"registration_needs_approval": [event.registration_needs_approval,
                                                needs_approval]})
        event.registration_needs_approval = needs_approval
    return event


def decision_refusal(event: Event, now=None) -> str | None:
    """Why pending registrations can no longer be decided (the buttons hide with this rule)."""
    if event.status != EventStatus.SCHEDULED:
        return _("Only a scheduled event's registrations can be approved or declined.")
    if event.starts_at <= (now or utcnow()):
        return _("The event has started; registrations can no longer be approved or declined.")
    return None


def _lock_pending(actor, registration: Registration) -> Event:
    event = registration.event
    _check_manager(actor, event)
    refusal = decision_refusal(event)
    if refusal:
        raise Conflict(refusal)
    services.lock_event(event)
    db.session.refresh(registration)
    if registration.status != RegistrationStatus.PENDING:
        raise Conflict(_("This registration is not waiting for approval (any more)."))
    return event


def approve(actor, registration: Registration) -> Registration:
    """A seat while there is one at this moment, else the waitlist (in order of registration);
    the person is mailed either way, with a new cancel link."""
    event = _lock_pending(actor, registration)
    services.fill_seats(actor, event)  # nobody overtakes people already waiting for a seat
    full = event.capacity is not None and services.confirmed_count(event) >= event.capacity
    token = secrets.token_urlsafe(32)
    registration.status = (RegistrationStatus.WAITLISTED if full
                           else RegistrationStatus.CONFIRMED)
    registration.confirmed_at = None if full else utcnow()
    registration.cancel_token_hash = services.hash_token(token)
    record(actor, "registration.approve", registration,
           {"status": [RegistrationStatus.PENDING.value, registration.status.value]},
           event=event)
    services.send_status_mail(registration, token)
    if registration.status == RegistrationStatus.CONFIRMED:
        announce.confirmed(registration)
    return registration


def decline(actor, registration: Registration, reason: str = "") -> Registration:
    """Refuse a pending registration; the reason, if given, goes into the person's mail."""
    reason = one_line(reason or "")
    if len(reason) > REASON_MAX:
        raise ValidationFailed(_("Keep the reason under %(n)d characters.", n=REASON_MAX),
                               field="reason")
    event = _lock_pending(actor, registration)
    now = utcnow()
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = registration.declined_at = now
    registration.decline_reason = reason or None
    registration.cancel_token_hash = None
    record(actor, "registration.decline", registration,
           {"status": [RegistrationStatus.PENDING.value, RegistrationStatus.CANCELLED.value],
            "reason": [None, reason or None]}, event=event)
    mails.declined(registration)
    return registration
