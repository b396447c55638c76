"""Reused event selects, with the eager loading that keeps query counts constant."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from events.auth.permissions import visible_events_clause
from events.db import utcnow
from events.enums import EventStatus
from events.extensions import db
from events.partners.models import Venue
from events.planning.models import Event, Involvement

EVENT_CARD_OPTIONS = (
    selectinload(Event.venue).selectinload(Venue.partner),
    selectinload(Event.involvements).selectinload(Involvement.partner),
)


def visible_events(user):
    """A select of events this person may see, with what a card shows loaded eagerly."""
    return sa.select(Event).where(visible_events_clause(user)).options(*EVENT_CARD_OPTIONS)


def upcoming_events(user, *, limit: int | None = None, now: datetime | None = None):
    """Visible events that have not ended yet, soonest first."""
    stmt = (
        visible_events(user)
        .where(Event.ends_at > (now or utcnow()))
        .where(Event.status != EventStatus.DRAFT)
        .order_by(Event.starts_at, Event.id)
    )
    if limit:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


def events_between(user, start: datetime, end: datetime):
    """Visible events overlapping [start, end), for calendar views."""
    stmt = (
        visible_events(user)
        .where(Event.starts_at < end, Event.ends_at > start)
        .order_by(Event.starts_at, Event.id)
    )
    return list(db.session.scalars(stmt))


def get_event(event_id: int) -> Event | None:
    return db.session.scalar(
        sa.select(Event).where(Event.id == event_id).options(*EVENT_CARD_OPTIONS)
    )


def staff_dashboard(user) -> dict:
    """What a partner's staff see first: their partner's drafts, proposals and invitations."""
    from events.enums import InvolvementRole, InvolvementState

    base = visible_events(user).order_by(Event.starts_at)
    partner_id = user.partner_id
    ours = sa.select(Involvement.event_id).where(Involvement.partner_id == partner_id)
    led = ours.where(Involvement.role == InvolvementRole.HOST)
    invited = ours.where(Involvement.state == InvolvementState.INVITED,
                         Involvement.role != InvolvementRole.HOST)
    return {
        "drafts": list(db.session.scalars(
            base.where(Event.id.in_(led), Event.status.in_(
                [EventStatus.DRAFT, EventStatus.PROPOSED])))),
        "invitations": list(db.session.scalars(
            base.where(Event.id.in_(invited), Event.status != EventStatus.CANCELLED))),
        "upcoming": list(db.session.scalars(
            base.where(Event.id.in_(ours), Event.status == EventStatus.SCHEDULED,
                       Event.ends_at > utcnow()).limit(30))),
    }
