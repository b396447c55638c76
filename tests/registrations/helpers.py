"""Small helpers shared by the registrations tests."""

import re

import sqlalchemy as sa

from events.extensions import db
from events.registrations.models import Registration

TOKEN_LINK = re.compile(r"/cancel/([A-Za-z0-9_\-]+)")


def rows() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Registration))


def statuses(event) -> dict[int, str]:
    """{user_id: status} of the event's registrations (latest row per person)."""
    found = db.session.execute(
        sa.select(Registration.user_id, Registration.status)
        .where(Registration.event_id == event.id).order_by(Registration.id)
    ).all()
    return {user_id: status.value for user_id, status in found}


def cancel_token_from(message) -> str:
    return TOKEN_LINK.search(message.body).group(1)
