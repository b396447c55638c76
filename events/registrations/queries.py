"""Reused registration selects: counts per event, a person's registrations."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from events.enums import RegistrationStatus
from events.extensions import db
from events.planning.models import Event
from events.planning.queries import EVENT_CARD_OPTIONS
from events.registrations.models import Registration

ACTIVE = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)


def confirmed_counts(event_ids) -> dict[int, int]:
    """{event_id: confirmed registrations} in one query."""
    ids = list(event_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Registration.event_id, sa.func.count())
        .where(Registration.event_id.in_(ids), Registration.status == RegistrationStatus.CONFIRMED)
        .group_by(Registration.event_id)
    )
    return dict(rows.all())


def seats_left(event: Event, confirmed: int) -> int | None:
    """None means unlimited."""
    return None if event.capacity is None else max(event.capacity - confirmed, 0)


def active_registration(event: Event, user) -> Registration | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        sa.select(Registration).where(
            Registration.event_id == event.id,
            Registration.user_id == user.id,
            Registration.status.in_(ACTIVE),
        )
    )


def event_panel(event: Event, user) -> dict:
    """What the event page shows about registration for this person."""
    counts = db.session.execute(
        sa.select(Registration.status, sa.func.count())
        .where(Registration.event_id == event.id)
        .group_by(Registration.status)
    ).all()
    by_status = {RegistrationStatus(s): n for s, n in counts}
    confirmed = by_status.get(RegistrationStatus.CONFIRMED, 0)
    return {
        "confirmed": confirmed,
        "waitlisted": by_status.get(RegistrationStatus.WAITLISTED, 0),
        "seats_left": seats_left(event, confirmed),
        "mine": active_registration(event, user),
    }


def registrations_of(user) -> list[Registration]:
    """A person's registrations with their events, soonest first."""
    return list(
        db.session.scalars(
            sa.select(Registration)
            .join(Registration.event)
            .where(Registration.user_id == user.id)
            .options(selectinload(Registration.event).options(*EVENT_CARD_OPTIONS))
            .order_by(Event.starts_at)
        )
    )
