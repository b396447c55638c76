"""Staff manage an event's list: add a person (an account, or a walk-in who gets a mail to claim
the seat), cancel someone's seat, move someone to the head of the waitlist with a reason, and
message all attendees or a group of them through the outbox. Seats are decided under the
event's lock (services.lock_event), so the capacity and first-come rules still hold."""

import secrets
from datetime import timedelta
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from events import bilingual
from events.audit.services import record
from events.auth.emails import address_problem
from events.auth.passwords import INVITE, make_link_token
from events.auth.permissions import can_see_staff_details
from events.auth.services import create_user, find_user_by_email
from events.db import utcnow
from events.enums import EventStatus, RegistrationStatus
from events.errors import Conflict, NotAllowed, ValidationFailed
from events.extensions import db
from events.mail import absolute_url, queue_mail
from events.planning.models import Event
from events.registrations import announce, mails, services
from events.registrations.models import Registration
from events.text import one_line


def _check_staff(actor, event: Event) -> None:
    if not can_see_staff_details(actor, event):
        raise NotAllowed(_("Only staff of the event's partners manage its attendees."))


def list_refusal(event: Event) -> str | None:
    """Why the list can no longer be changed (the page hides the forms with this same rule)."""
    if event.status != EventStatus.SCHEDULED:
        return _("Only a scheduled event's list can be changed.")
    if event.ends_at <= utcnow():
        return _("The event is over; its list can no longer be changed.")
    return None


def _check_open(event: Event) -> None:
    refusal = list_refusal(event)
    if refusal:
        raise Conflict(refusal)


def add_person(actor, event: Event, *, email: str, name: str = "") -> Registration:
    """Add someone to the list: the account of `email`, or a new account for a walk-in (then
    `name` is needed) who gets a mail with a link to claim it. A seat while there is one, the
    waitlist otherwise, as if they had registered themselves."""
    _check_staff(actor, event)
    _check_open(event)
    email, name = (email or "").strip(), one_line(name or "")
    problem = address_problem(email) if email else _("Enter an email address.")
    if problem:
        raise ValidationFailed(problem, field="email")
    services.lock_event(event)
    person = find_user_by_email(email)
    walk_in = person is None
    if walk_in:
        if not name:
            raise ValidationFailed(_("Nobody has an account with this address: enter the "
                                     "person's name to add them as a walk-in."), field="name")
        person = create_user(email=email, name=name, password=None, actor=actor)
    elif not person.is_active or person.deleted_at is not None:
        raise Conflict(_("This account is disabled."), field="email")
    if services.active_registration_of(person, event) is not None:
        raise Conflict(_("%(name)s is already on the list.", name=person.name), field="email")
    services.fill_seats(actor, event)  # nobody overtakes people already waiting
    full = event.capacity is not None and services.confirmed_count(event) >= event.capacity
    now = utcnow()
    token = secrets.token_urlsafe(32)
    registration = Registration(
        event=event, user=person, registered_at=now,
        status=RegistrationStatus.WAITLISTED if full else RegistrationStatus.CONFIRMED,
        confirmed_at=None if full else now, cancel_token_hash=services.hash_token(token))
    db.session.add(registration)
    db.session.flush()
    registration.cancel_token = token
    record(actor, "registration.add", registration,
           {"status": [None, registration.status.value]}, event=event)
    if walk_in:
        _claim_mail(registration, actor)
    elif full:
        mails.waitlisted(registration, services.waitlist_position(registration), token)
    else:
        mails.confirmed(registration, token)
    if not full:
        announce.confirmed(registration)  # a seat like any other, for partners' webhooks
    return registration


def _claim_mail(registration: Registration, actor) -> None:
    mails.claim(registration, actor, absolute_url(
        "auth.accept_invitation", token=make_link_token(registration.user, INVITE)))


def cancel_seat(actor, registration: Registration) -> Registration:
    """Staff cancel someone's place; a freed seat goes to the head of the waitlist at once."""
    _check_staff(actor, registration.event)
    if registration.status == RegistrationStatus.CANCELLED:
        raise Conflict(_("This registration is already cancelled."))
    return services._cancel(actor, registration)


def move_ahead(actor, registration: Registration, reason: str) -> Registration:
    """Put a waitlisted person at the head of the waitlist, so the next freed seat is theirs
    (at once if a seat is free). The reason is kept in the event's history."""
    event = registration.event
    _check_staff(actor, event)
    _check_open(event)
    reason = one_line(reason or "")
    if not reason:
        raise ValidationFailed(_("Say why this person goes ahead of the others."),
                               field="reason")
    if len(reason) > 300:
        raise ValidationFailed(_("Keep the reason under 300 characters."), field="reason")
    services.lock_event(event)
    db.session.refresh(registration)
    if registration.status != RegistrationStatus.WAITLISTED:
        raise Conflict(_("Only people on the waitlist can be moved ahead."))
    head = db.session.scalar(
        sa.select(Registration.registered_at).where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.WAITLISTED)
        .order_by(Registration.registered_at, Registration.id).limit(1))
    before = registration.registered_at
    # The waitlist is ordered by (registered_at, id): just before the head is the head.
    registration.registered_at = min(head, before) - timedelta(microseconds=1)
    record(actor, "registration.move_ahead", registration,
           {"registered_at": [before, registration.registered_at], "reason": [None, reason]},
           event=event)
    services.fill_seats(actor, event)
    return registration


class Group(StrEnum):
    ALL = "all"
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CHECKED_IN = "checked_in"


GROUP_LABELS = {
    Group.ALL: _l("Everyone registered (confirmed and waitlisted)"),
    Group.CONFIRMED: _l("Confirmed"),
    Group.WAITLISTED: _l("Waitlisted"),
    Group.CHECKED_IN: _l("Checked in"),
}


def recipients(event: Event, group: Group) -> list[Registration]:
    where = [Registration.event_id == event.id, Registration.anonymised_at.is_(None)]
    if group == Group.ALL:
        where.append(Registration.status.in_((RegistrationStatus.CONFIRMED,
                                              RegistrationStatus.WAITLISTED)))
    elif group == Group.CHECKED_IN:
        where.append(Registration.checked_in_at.is_not(None))
    else:
        where.append(Registration.status == RegistrationStatus(group.value))
    return list(db.session.scalars(sa.select(Registration).where(*where)
                                   .order_by(Registration.id)))


def message_attendees(actor, event: Event, group: Group, subject: str, body: str) -> int:
    """Queue one mail per person in `group`; returns how many. The outbox delivers them after
    the commit, with retries."""
    _check_staff(actor, event)
    subject, body = one_line(subject or ""), (body or "").strip()
    if not subject:
        raise ValidationFailed(_("Write a subject."), field="subject")
    if not body:
        raise ValidationFailed(_("Write the message."), field="body")
    people = recipients(event, Group(group))
    if not people:
        raise Conflict(_("Nobody is in this group; no message was sent."), field="group")
    for registration in people:
        # queue_mail formats the subject with %-placeholders: a typed "%" stays a "%".
        queue_mail(registration.user, subject.replace("%", "%%"), "attendee_message",
                   event=event, registration=registration, message=body, actor=actor,
                   title=bilingual.read_later(event),
                   event_url=absolute_url("planning.detail", event_id=event.id))
    record(actor, "event.message", event,
           {"group": [None, Group(group).value], "subject": [None, subject]})
    return len(people)
