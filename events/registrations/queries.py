"""Reused registration selects: counts per event, the event page's panel, a person's
registrations and an event's attendee list, each in a fixed number of queries."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from events.auth.models import User
from events.auth.permissions import can_see_staff_details
from events.enums import RegistrationStatus
from events.extensions import db
from events.planning.models import Event
from events.planning.queries import EVENT_CARD_OPTIONS
from events.registrations.models import Registration

ACTIVE = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED,
          RegistrationStatus.PENDING)


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
    if user is None or not user.is_authenticated:
        return None
    return db.session.scalar(
        sa.select(Registration).where(
            Registration.event_id == event.id,
            Registration.user_id == user.id,
            Registration.status.in_(ACTIVE),
        )
    )


def _waitlist_rank():
    """Position on its event's waitlist, first come first served."""
    return sa.func.row_number().over(
        partition_by=Registration.event_id,
        order_by=(Registration.registered_at, Registration.id),
    )


def waitlist_positions(event_ids) -> dict[int, int]:
    """{registration_id: position} for every waitlisted registration of these events."""
    ids = list(event_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Registration.id, _waitlist_rank()).where(
            Registration.event_id.in_(ids), Registration.status == RegistrationStatus.WAITLISTED
        )
    )
    return dict(rows.all())


def event_counts(event: Event) -> dict:
    """Live figures for staff and the panel: confirmed, waitlisted, checked in, capacity."""
    row = db.session.execute(
        sa.select(
            sa.func.count().filter(Registration.status == RegistrationStatus.CONFIRMED),
            sa.func.count().filter(Registration.status == RegistrationStatus.WAITLISTED),
            sa.func.count().filter(Registration.checked_in_at.is_not(None)),
            sa.func.count().filter(Registration.status == RegistrationStatus.PENDING),
        ).where(Registration.event_id == event.id)
    ).one()
    confirmed, waitlisted, checked_in, pending = row
    return {
        "confirmed": confirmed,
        "waitlisted": waitlisted,
        "pending": pending,
        "checked_in": checked_in,
        "capacity": event.capacity,
        "seats_left": seats_left(event, confirmed),
    }


def event_panel(event: Event, user) -> dict:
    """What the event page shows about registration for this person."""
    from events.auth.permissions import can_manage_registration
    from events.registrations.questions import events_with_questions
    from events.registrations.services import refusal_to_cancel, registration_refusal

    counts = event_counts(event)
    mine = active_registration(event, user)
    signed_in = user is not None and user.is_authenticated
    return {
        **counts,
        "mine": mine,
        "position": waitlist_positions([event.id]).get(mine.id) if mine else None,
        "signed_in": signed_in,
        # The button is shown with the same predicate register() enforces.
        "refusal": registration_refusal(user, event),
        "can_cancel": mine is not None and refusal_to_cancel(user, mine) is None,
        "staff": can_see_staff_details(user, event),
        # With questions, Register opens the form of answers instead of registering at once.
        "has_questions": bool(events_with_questions([event.id])),
        "manager": can_manage_registration(user, event),
    }


def registrations_of(user) -> list[Registration]:
    """A person's registrations with their events, soonest first."""
    return list(
        db.session.scalars(
            sa.select(Registration)
            .join(Registration.event)
            .where(Registration.user_id == user.id)
            .options(selectinload(Registration.event).options(*EVENT_CARD_OPTIONS))
            .order_by(Event.starts_at, Registration.id)
        )
    )


def my_events(user, now) -> dict:
    """Upcoming and past registrations of a person, with waitlist positions (3 queries)."""
    registrations = registrations_of(user)
    # A cancelled registration is noise once the person registered again for the same event.
    active_events = {r.event_id for r in registrations if r.status in ACTIVE}
    shown = [r for r in registrations
             if r.status in ACTIVE or r.event_id not in active_events]
    latest: dict[int, Registration] = {}
    for r in shown:  # keep one row per event: the active one, or the last cancelled one
        if r.event_id not in latest or r.status in ACTIVE or r.id > latest[r.event_id].id:
            latest[r.event_id] = r
    shown = [r for r in shown if latest[r.event_id] is r]
    positions = waitlist_positions(
        {r.event_id for r in shown if r.status == RegistrationStatus.WAITLISTED})
    return {
        "upcoming": [r for r in shown if r.event.ends_at > now],
        "past": list(reversed([r for r in shown if r.event.ends_at <= now])),
        "positions": positions,
    }


def attendees(event: Event) -> list[Registration]:
    """Everyone registered for an event: confirmed, then the waitlist in order, then those
    waiting for approval, then cancelled."""
    status_order = sa.case(
        (Registration.status == RegistrationStatus.CONFIRMED, 0),
        (Registration.status == RegistrationStatus.WAITLISTED, 1),
        (Registration.status == RegistrationStatus.PENDING, 2),
        else_=3,
    )
    return list(
        db.session.scalars(
            sa.select(Registration)
            .where(Registration.event_id == event.id)
            .options(
                selectinload(Registration.user).selectinload(User.site_partner),
                selectinload(Registration.user).selectinload(User.resident_company),
                selectinload(Registration.checked_in_by),
            )
            .order_by(status_order, Registration.registered_at, Registration.id)
        )
    )


def matches(registration: Registration, search: str) -> bool:
    """Name, email or company contains the search words (Unicode-aware, so Cyrillic works on
    SQLite too, whose lower() knows only ASCII)."""
    user = registration.user
    if registration.anonymised_at is not None:
        return False
    haystack = f"{user.name} {user.email} {user.company}".casefold()
    return all(word in haystack for word in search.casefold().split())


def earlier_registrations(event: Event, registration_ids=None) -> dict[int, int]:
    """{registration_id: how many registrations the same person made for the event before it}
    (cancelled ones: a person may cancel and register again), in one query."""
    rows = db.session.execute(
        sa.select(Registration.id, Registration.user_id)
        .where(Registration.event_id == event.id).order_by(Registration.id))
    seen: dict[int, int] = {}
    earlier = {}
    for registration_id, user_id in rows:
        earlier[registration_id] = seen.get(user_id, 0)
        seen[user_id] = earlier[registration_id] + 1
    if registration_ids is not None:
        wanted = set(registration_ids)
        earlier = {k: v for k, v in earlier.items() if k in wanted}
    return earlier
