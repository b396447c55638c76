"""At the door: when check-in is open, and checking a person in by the ticket they show.

check_in_by_ticket answers every scan with one explicit result (checked in, already checked in,
cancelled, not confirmed, wrong event, unknown, closed) for the phone page to show at once; it
locks the registration row, so two phones scanning the same ticket check the person in once."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from flask import current_app, has_request_context, request
from flask_babel import gettext as _

from events.audit.services import record
from events.auth.permissions import can_see_staff_details, can_view_event
from events.db import utcnow
from events.enums import EventStatus, RegistrationStatus
from events.errors import NotAllowed
from events.extensions import db
from events.i18n import local_datetime
from events.planning.models import Event
from events.registrations.models import Registration
from events.registrations.tickets import secret_from_token


def checkin_opens_at(event: Event) -> datetime:
    return event.starts_at - timedelta(hours=current_app.config["CHECKIN_OPENS_HOURS"])


def checkin_refusal(event: Event, now: datetime | None = None) -> str | None:
    """Why nobody can be checked in for `event` now, or None while check-in is open: from
    CHECKIN_OPENS_HOURS before the start until the end, for a scheduled event. The attendee
    list's buttons, its check-in service and the door page all ask here."""
    now = now or utcnow()
    if event.status != EventStatus.SCHEDULED:
        return _("This event is not scheduled; nobody can be checked in.")
    opens = checkin_opens_at(event)
    if now < opens:
        return _("Check-in opens on %(when)s.", when=local_datetime(opens, event))
    if now >= event.ends_at:
        return _("The event is over; check-in closed on %(when)s.",
                 when=local_datetime(event.ends_at, event))
    return None


class Outcome(StrEnum):
    CHECKED_IN = "checked_in"
    ALREADY = "already"
    CANCELLED = "cancelled"
    NOT_CONFIRMED = "not_confirmed"
    WRONG_EVENT = "wrong_event"
    UNKNOWN = "unknown"
    CLOSED = "closed"


# Outcomes that let the person in; the page shows them green, the others red.
ADMITTED = (Outcome.CHECKED_IN, Outcome.ALREADY)


@dataclass(frozen=True)
class ScanResult:
    """What one scan found; `message` is the sentence the page shows in large type."""

    outcome: Outcome
    message: str
    registration: Registration | None = None
    checked_in_at: datetime | None = None
    checked_in_by: str | None = None

    @property
    def admitted(self) -> bool:
        return self.outcome in ADMITTED

    def as_json(self, event: Event) -> dict:
        return {
            "outcome": self.outcome.value,
            "admitted": self.admitted,
            "message": self.message,
            "name": attendee_name(self.registration) if self.registration else None,
            "checked_in_at": (local_datetime(self.checked_in_at, event, "short")
                              if self.checked_in_at else None),
            "checked_in_by": self.checked_in_by,
        }


def attendee_name(registration: Registration) -> str:
    if registration.anonymised_at is not None:
        return _("Anonymised attendee")
    return registration.user.name


def lock_registration(registration: Registration) -> Registration:
    """Reload the row under a lock (PostgreSQL: SELECT ... FOR UPDATE; SQLite: the writing
    transaction's BEGIN IMMEDIATE already holds the database), as lock_event does for seats."""
    if has_request_context() and request.method in ("GET", "HEAD", "OPTIONS"):
        raise RuntimeError("check-in needs a writing (POST) transaction")
    db.session.flush()
    db.session.refresh(registration, with_for_update=True)
    return registration


def mark_checked_in(actor, registration: Registration) -> bool:
    """Check a locked, confirmed registration in; False when it already was."""
    if registration.checked_in_at is not None:
        return False
    now = utcnow()
    registration.checked_in_at = now
    registration.checked_in_by = actor
    record(actor, "registration.check_in", registration, {"checked_in_at": [None, now]},
           event=registration.event)
    return True


def check_in_by_ticket(actor, event: Event, token: str) -> ScanResult:
    """Check in the holder of the ticket `token` at `event`'s door. Only a refused actor
    raises (NotAllowed); every ticket, good or bad, gets a ScanResult."""
    if not can_see_staff_details(actor, event):
        raise NotAllowed(_("Only staff of the event's partners check people in."))
    refusal = checkin_refusal(event)
    if refusal:
        return ScanResult(Outcome.CLOSED, refusal)
    secret = secret_from_token(token)
    registration = None if secret is None else db.session.scalar(
        sa.select(Registration).where(Registration.ticket_secret == secret))
    if registration is None:
        return ScanResult(Outcome.UNKNOWN, _("Unknown ticket: this code was not issued here."))
    if registration.event_id != event.id:
        other = registration.event
        if can_view_event(actor, other):
            message = _("Wrong event: this ticket is for “%(title)s” on %(when)s.",
                        title=other.title, when=local_datetime(other.starts_at, other))
        else:
            message = _("Wrong event: this ticket is for another event.")
        return ScanResult(Outcome.WRONG_EVENT, message, registration)
    lock_registration(registration)
    name = attendee_name(registration)
    if registration.status == RegistrationStatus.CANCELLED:
        return ScanResult(Outcome.CANCELLED,
                          _("Cancelled: %(name)s cancelled this registration.", name=name),
                          registration)
    if registration.status == RegistrationStatus.PENDING:
        return ScanResult(Outcome.NOT_CONFIRMED,
                          _("Not confirmed: %(name)s is waiting for approval.", name=name),
                          registration)
    if registration.status != RegistrationStatus.CONFIRMED:
        return ScanResult(Outcome.NOT_CONFIRMED,
                          _("Not confirmed: %(name)s is on the waitlist.", name=name),
                          registration)
    if mark_checked_in(actor, registration):
        return ScanResult(Outcome.CHECKED_IN, _("Checked in: %(name)s.", name=name),
                          registration, registration.checked_in_at, actor.name)
    by = registration.checked_in_by.name if registration.checked_in_by else None
    when = local_datetime(registration.checked_in_at, event, "short")
    message = (_("Already checked in: %(name)s, at %(when)s by %(by)s.", name=name, when=when,
                 by=by) if by else
               _("Already checked in: %(name)s, at %(when)s.", name=name, when=when))
    return ScanResult(Outcome.ALREADY, message, registration, registration.checked_in_at, by)
