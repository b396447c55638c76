"""Reminders: every confirmed attendee hears of the event REMINDER_HOURS before it starts,
with its .ics, once — the outbox's unique `dedupe_key` (registration and start time) keeps it
once across sweeps, workers and restarts, and a moved event is reminded of its new time."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from events.db import utcnow
from events.enums import EventStatus, RegistrationStatus
from events.extensions import db
from events.outbox.services import queue_once
from events.planning.models import Event
from events.registrations import mails
from events.registrations.models import Registration


def reminder_key(registration: Registration, event: Event) -> str:
    return f"reminder:{registration.id}:{event.starts_at:%Y%m%dT%H%M%SZ}"


def due_reminders(now: datetime) -> list[Registration]:
    """Confirmed seats of scheduled events starting within the window, taken (and created)
    before the window opened."""
    hours = current_app.config["REMINDER_HOURS"]
    if hours <= 0:
        return []
    window = timedelta(hours=hours)
    seats = db.session.scalars(
        sa.select(Registration).join(Registration.event)
        .where(Event.status == EventStatus.SCHEDULED,
               Event.starts_at > now, Event.starts_at <= now + window,
               Registration.status == RegistrationStatus.CONFIRMED)
        .order_by(Registration.id))
    # Date arithmetic between columns differs by database; the window is small, so the
    # "before the window opened" rule is checked here.
    return [seat for seat in seats
            if seat.event.created_at <= seat.event.starts_at - window
            and seat.registered_at <= seat.event.starts_at - window]


def queue_reminders(now: datetime | None = None) -> int:
    """Add the reminders that are due and not yet in the outbox; returns how many."""
    now = now or utcnow()
    return queue_once({reminder_key(r, r.event): r for r in due_reminders(now)},
                      lambda registration, key: mails.reminder(registration, dedupe_key=key))
