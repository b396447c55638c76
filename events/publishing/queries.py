"""What publishing shows: exactly what a visitor who is not signed in sees on the agenda
(the planning queries and their visibility rule, run as that visitor)."""

from datetime import datetime

import sqlalchemy as sa

from events.audit.models import AuditEntry
from events.auth.models import Anonymous
from events.auth.permissions import can_view_event
from events.enums import EventFormat, InvolvementRole, InvolvementState
from events.extensions import db
from events.partners.models import Partner
from events.planning.models import Event, Programme
from events.planning.queries import EventFilters, upcoming_events

# The visitor every published thing is shown to: feeds and widgets are read by anyone, and
# may be cached, so they never depend on who happens to be signed in.
VISITOR = Anonymous()
ROLE_ORDER = {InvolvementRole.HOST: 0, InvolvementRole.CO_HOST: 1, InvolvementRole.SUPPORTER: 2}


def public_upcoming(filters: EventFilters, limit: int) -> list[Event]:
    """The next `limit` events of the anonymous agenda under these filters (partners and rooms
    loaded eagerly: a constant number of queries however many events)."""
    return upcoming_events(VISITOR, limit=limit, filters=filters)


def is_public(event: Event) -> bool:
    """Does the event page show this event to anyone (and so carry structured data)?"""
    return can_view_event(VISITOR, event)


def taking_part(event: Event) -> list[Partner]:
    """The partners that run or support the event (accepted their part), host first."""
    return [i.partner for i in sorted(
        (i for i in event.involvements if i.state == InvolvementState.ACCEPTED),
        key=lambda i: (ROLE_ORDER.get(i.role, 9), i.id))]


def programme_by_id(programme_id: int) -> Programme | None:
    if not 0 < programme_id <= 2**31 - 1:
        return None
    return db.session.get(Programme, programme_id)


def partners_by_ids(ids) -> list[Partner]:
    return list(db.session.scalars(sa.select(Partner).where(Partner.id.in_(list(ids)))
                                   .order_by(Partner.id)))


def changes_since_published(event: Event) -> dict[str, list]:
    """For a published event: {"starts_at": [earlier starts…], "format": [earlier formats…]}
    — what the event page's structured data calls rescheduled or moved online."""
    if event.published_at is None:
        return {}
    entries = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.event_id == event.id,
                                    AuditEntry.subject_type == "events",
                                    AuditEntry.subject_id == event.id,
                                    AuditEntry.action == "event.update",
                                    AuditEntry.created_at >= event.published_at)
        .order_by(AuditEntry.created_at, AuditEntry.id))
    found: dict[str, list] = {"starts_at": [], "format": []}
    for entry in entries:
        for name in found:
            pair = (entry.changes or {}).get(name)
            if pair and pair[0] is not None:
                found[name].append(pair[0])
    starts = []
    for value in found["starts_at"]:
        try:
            when = datetime.fromisoformat(value)
        except (TypeError, ValueError):
            continue
        if when != event.starts_at and when not in starts:
            starts.append(when)
    formats = [EventFormat(v) for v in found["format"] if v in set(EventFormat)]
    return {"starts_at": starts, "format": formats}
