"""Reading the trail back."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from events.audit.models import AuditEntry
from events.extensions import db


def trail_for_event(event) -> list[AuditEntry]:
    """Every entry about the event and the things in it, newest first."""
    return list(
        db.session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.event_id == event.id)
            .options(selectinload(AuditEntry.actor))
            .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        )
    )
