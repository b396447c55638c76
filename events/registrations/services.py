"""The registration rules: register (with the answers to the event's questions, and waiting
for approval where the event asks for it), cancel (signed in or by the mailed link), send the
confirmation again, promote from the waitlist, check in. Every capacity decision is taken
while holding the event's lock."""

import hashlib
import secrets
from collections.abc import Mapping
from typing import NamedTuple

import sqlalchemy as sa
from flask import has_request_context, request
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from events.audit.services import record
from events.auth.permissions import can_see_staff_details, can_view_event
from events.db import utcnow
from events.enums import EventStatus, RegistrationStatus
from events.errors import Conflict, DomainError, NotAllowed, NotFound, ValidationFailed
from events.extensions import db
from events.i18n import local_datetime
from events.planning.models import Event
from events.registrations import announce, door, mails, questions
from events.registrations.models import Registration

# A person has one active registration per event; only confirmed ones hold a seat.
ACTIVE = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED,
          RegistrationStatus.PENDING)
# token_urlsafe(32) gives 43 characters; anything far outside that is not ours.
TOKEN_MIN, TOKEN_MAX = 32, 64


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def lock_event(event: Event) -> Event:
    """Take the event's lock and reload it, so capacity and status are read under the lock.

    PostgreSQL: `SELECT ... FOR UPDATE` on the event row; concurrent registrations for the same
    event queue here until the holder commits. SQLite: every writing transaction starts with
    BEGIN IMMEDIATE (events/db.py: POST requests, and anything outside a request), so the whole
    transaction already holds the database's write lock; FOR UPDATE is not rendered there.
    """
    if has_request_context() and request.method in ("GET", "HEAD", "OPTIONS"):
        # GET never writes; on SQLite its transaction starts with a plain BEGIN and would not
        # hold the write lock, so a capacity decision there would not be atomic.
        raise RuntimeError("capacity decisions need a writing (POST) transaction")
    db.session.flush()  # keep the caller's pending changes (e.g. a new capacity)
    db.session.refresh(event, with_for_update=True)
    return event


def registration_refusal(user, event: Event, now=None) -> str | None:
    """Why `user` may not register for `event` right now, or None if they may.

    The event page shows the button with this same predicate that register() enforces.
    """
    now = now or utcnow()
    if event.status == EventStatus.CANCELLED:
        return _("This event is cancelled.")
    if event.status != EventStatus.SCHEDULED:
        return _("This event is not open for registration yet.")
    if event.starts_at <= now:
        return _("This event has already started; registration is closed.")
    if event.registration_opens_at is not None and now < event.registration_opens_at:
        return _("Registration opens on %(when)s.",
                 when=local_datetime(event.registration_opens_at, event))
    if event.registration_closes_at is not None and now >= event.registration_closes_at:
        return _("Registration closed on %(when)s.",
                 when=local_datetime(event.registration_closes_at, event))
    return None


def active_registration_of(user, event: Event) -> Registration | None:
    return db.session.scalar(
        sa.select(Registration).where(
            Registration.event_id == event.id,
            Registration.user_id == user.id,
            Registration.status.in_(ACTIVE),
        )
    )


def confirmed_count(event: Event) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Registration).where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )


def waitlist_position(registration: Registration) -> int | None:
    """1 for the head of the waitlist; None when not waitlisted."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(
        sa.select(sa.func.count()).select_from(Registration).where(
            Registration.event_id == registration.event_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            sa.or_(
                Registration.registered_at < registration.registered_at,
                sa.and_(Registration.registered_at == registration.registered_at,
                        Registration.id < registration.id),
            ),
        )
    )
    return ahead + 1


def _check_may_register(actor, event: Event) -> None:
    if actor is None or not actor.is_authenticated:
        raise NotAllowed(_("Sign in to register."))
    if not actor.is_active:
        raise NotAllowed(_("This account is disabled."))
    if not can_view_event(actor, event):
        # Drafts, proposals and internal events do not exist for those who may not see them.
        raise NotFound(_("There is no such event."))


class Registered(NamedTuple):
    """What register() did: the person's active registration, whether this call made it, and
    the cancel link's token that went into its mail (None when they were registered already:
    the token is stored only hashed)."""

    registration: Registration
    is_new: bool
    cancel_token: str | None = None


def register(actor, event: Event, answers: Mapping | None = None) -> Registered:
    """Register `actor` for `event`: a confirmed seat while there is one, else the waitlist;
    "pending" (no seat yet) when the event's registrations need approval.

    `answers`: the submitted form (field name → list of values) holding the answers to the
    event's questions (events.registrations.questions); a missing required answer refuses.
    Registering again returns the active registration unchanged (`is_new` false). Any signed-in
    person who may see a scheduled event may register: residents for public and residents'
    events, and partner staff and admins too (internal events are for staff, so staff must be
    able to attend).
    """
    _check_may_register(actor, event)
    lock_event(event)
    existing = active_registration_of(actor, event)
    if existing is not None:
        return Registered(existing, is_new=False)
    refusal = registration_refusal(actor, event)
    if refusal:
        raise Conflict(refusal)
    asked = questions.current_questions(event)
    given = questions.clean_answers(answers or {}, asked)
    now = utcnow()
    if event.registration_needs_approval:
        status = RegistrationStatus.PENDING  # no seat, so it does not count against capacity
    else:
        fill_seats(actor, event)  # nobody may overtake people already waiting for a seat
        full = event.capacity is not None and confirmed_count(event) >= event.capacity
        status = RegistrationStatus.WAITLISTED if full else RegistrationStatus.CONFIRMED
    token = secrets.token_urlsafe(32)
    registration = Registration(
        event=event, user=actor, registered_at=now, status=status,
        confirmed_at=now if status == RegistrationStatus.CONFIRMED else None,
        cancel_token_hash=hash_token(token),
    )
    try:
        with db.session.begin_nested():
            db.session.add(registration)
            db.session.flush()
    except IntegrityError:
        # A double click that slipped past the lock: the unique index kept one row; return it.
        existing = active_registration_of(actor, event)
        if existing is None:
            raise
        return Registered(existing, is_new=False)
    if asked:
        questions.save_answers(registration, asked, given)
    record(actor, "registration.create", registration,
           {"status": [None, registration.status.value]}, event=event)
    send_status_mail(registration, token)
    if registration.status == RegistrationStatus.CONFIRMED:
        announce.confirmed(registration)
    return Registered(registration, is_new=True, cancel_token=token)


def send_status_mail(registration: Registration, token: str) -> None:
    """The mail that tells a person where their registration stands, with its cancel link
    (also sent again on request, so partners' webhooks are told by the callers that change
    the status, not here)."""
    if registration.status == RegistrationStatus.PENDING:
        mails.pending(registration, token)
    elif registration.status == RegistrationStatus.WAITLISTED:
        mails.waitlisted(registration, waitlist_position(registration), token)
    else:
        mails.confirmed(registration, token)


def own_registration(actor, registration_id: int) -> Registration:
    """`actor`'s registration: someone else's does not exist for them."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or actor is None or registration.user_id != actor.id:
        raise NotFound(_("There is no such registration."))
    return registration


def refusal_to_cancel(actor, registration: Registration, now=None) -> DomainError | None:
    """Why `actor` may not cancel `registration` now, or None if they may. The cancel buttons
    are shown with this predicate, and the services enforce it."""
    if actor is None or actor.id != registration.user_id:
        return NotAllowed(_("You can only cancel your own registration."))
    return _too_late_to_cancel(registration, now)


def _too_late_to_cancel(registration: Registration, now=None) -> Conflict | None:
    """The rule for everyone who cancels a place, the person or staff of the event."""
    if registration.event.starts_at <= (now or utcnow()):
        return Conflict(_("The event has already started; the registration can no longer be "
                          "cancelled."))
    return None


def cancel_registration(actor, registration: Registration) -> Registration:
    """The person cancels their own registration; a freed seat goes to the waitlist at once."""
    if actor is None or actor.id != registration.user_id:
        raise refusal_to_cancel(actor, registration)
    return _cancel(actor, registration)


def cancel_by_token(token: str) -> Registration:
    """Cancel through the mailed link, without signing in. Forged or used links change nothing."""
    registration = registration_for_token(token)
    if registration.status == RegistrationStatus.CANCELLED:
        raise Conflict(_("This registration is already cancelled."))
    return _cancel(registration.user, registration)


def registration_for_token(token: str) -> Registration:
    """The registration a cancel link belongs to, or NotFound for anything else."""
    if not token or not TOKEN_MIN <= len(token) <= TOKEN_MAX:
        raise NotFound(_("This cancellation link is not valid."))
    registration = db.session.scalar(
        sa.select(Registration).where(Registration.cancel_token_hash == hash_token(token))
    )
    if registration is None:
        raise NotFound(_("This cancellation link is not valid."))
    return registration


def _cancel(actor, registration: Registration) -> Registration:
    event = lock_event(registration.event)
    db.session.refresh(registration)
    if registration.status == RegistrationStatus.CANCELLED:
        return registration  # a second click on the same button: nothing left to do
    refusal = _too_late_to_cancel(registration)
    if refusal is not None:
        raise refusal
    was_confirmed = registration.status == RegistrationStatus.CONFIRMED
    changes = {"status": [registration.status.value, RegistrationStatus.CANCELLED.value]}
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = utcnow()
    record(actor, "registration.cancel", registration, changes, event=event)
    mails.registration_cancelled(registration, had_seat=was_confirmed)
    announce.cancelled(registration)
    if was_confirmed:
        fill_seats(actor, event)
    return registration


def resend_confirmation(actor, registration: Registration) -> Registration:
    """Send the confirmation (or waitlist) mail again with a fresh cancel link: the token is
    stored hashed, so a new one replaces it and the old link stops working."""
    if actor is None or actor.id != registration.user_id:
        raise NotAllowed(_("You can only do this for your own registration."))
    if registration.status not in ACTIVE:
        raise Conflict(_("This registration is cancelled; there is nothing to send."))
    event = registration.event
    if event.status == EventStatus.CANCELLED or event.starts_at <= utcnow():
        raise Conflict(_("This event is over or cancelled; there is nothing to send."))
    token = secrets.token_urlsafe(32)
    registration.cancel_token_hash = hash_token(token)
    db.session.flush()
    record(actor, "registration.resend_link", registration, event=event)
    send_status_mail(registration, token)
    return registration


def fill_seats(actor, event: Event) -> list[Registration]:
    """Confirm people from the head of the waitlist while seats are free (caller holds the lock).

    Order is first come, first served: (registered_at, id). Nobody is promoted once the event
    has started or is not scheduled.
    """
    if event.status != EventStatus.SCHEDULED or event.starts_at <= utcnow():
        return []
    stmt = (
        sa.select(Registration)
        .where(Registration.event_id == event.id,
               Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.registered_at, Registration.id)
    )
    if event.capacity is not None:
        free = event.capacity - confirmed_count(event)
        if free <= 0:
            return []
        stmt = stmt.limit(free)
    promoted = list(db.session.scalars(stmt))
    now = utcnow()
    for registration in promoted:
        registration.status = RegistrationStatus.CONFIRMED
        registration.confirmed_at = now
        record(actor, "registration.promote", registration,
               {"status": [RegistrationStatus.WAITLISTED.value,
                           RegistrationStatus.CONFIRMED.value]}, event=event)
        mails.promoted(registration)
        announce.confirmed(registration)
    return promoted


def capacity_changed(actor, event: Event) -> list[Registration]:
    """Capacity was raised or removed: promote. Lowering it never un-confirms anyone."""
    lock_event(event)
    return fill_seats(actor, event)


def check_in(actor, registration: Registration) -> Registration:
    """Staff of an involved partner mark a confirmed attendee as arrived."""
    event = registration.event
    if not can_see_staff_details(actor, event):
        raise NotAllowed(_("Only staff of the event's partners check people in."))
    refusal = door.checkin_refusal(event)  # the same window as the door page's scanner
    if refusal:
        raise Conflict(refusal)
    door.lock_registration(registration)
    if registration.status != RegistrationStatus.CONFIRMED:
        raise ValidationFailed(_("Only confirmed attendees can be checked in."))
    door.mark_checked_in(actor, registration)
    return registration


def undo_check_in(actor, registration: Registration) -> Registration:
    """Take back a check-in made by mistake."""
    event = registration.event
    if not can_see_staff_details(actor, event):
        raise NotAllowed(_("Only staff of the event's partners check people in."))
    if registration.checked_in_at is None:
        return registration
    changes = {"checked_in_at": [registration.checked_in_at, None]}
    registration.checked_in_at = None
    registration.checked_in_by = None
    record(actor, "registration.undo_check_in", registration, changes, event=event)
    return registration
