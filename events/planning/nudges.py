"""Nudges: a partner invited to co-host or support an event that has not answered after
NUDGE_AFTER_DAYS days hears of it once more (each of its coordinators, else its staff). Once
per invitation and person: the outbox's unique `dedupe_key`."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from events import bilingual
from events.db import utcnow
from events.enums import EventStatus, InvolvementState
from events.extensions import db
from events.i18n import N_
from events.mail import absolute_url, queue_mail
from events.outbox.services import queue_once
from events.planning.models import Event, Involvement
from events.planning.services import invitation_recipients

NUDGE_SUBJECT = N_("Still waiting for your answer: “%(title)s”")


def due_nudges(now: datetime) -> list[Involvement]:
    days = current_app.config["NUDGE_AFTER_DAYS"]
    if days <= 0:
        return []
    return list(db.session.scalars(
        sa.select(Involvement).join(Involvement.event)
        .where(Involvement.state == InvolvementState.INVITED,
               Involvement.invited_at <= now - timedelta(days=days),
               Event.status.in_([EventStatus.DRAFT, EventStatus.PROPOSED]),
               Event.starts_at > now)
        .order_by(Involvement.id)))


def nudge_key(involvement: Involvement, person) -> str:
    return f"nudge:{involvement.id}:{person.id}:{involvement.invited_at:%Y%m%dT%H%M%SZ}"


def queue_nudges(now: datetime | None = None) -> int:
    """Add the nudges that are due and not yet in the outbox; returns how many."""
    now = now or utcnow()

    def nudge(pair, key: str) -> None:
        involvement, person = pair
        event = involvement.event
        queue_mail(person, NUDGE_SUBJECT, "invitation_nudge", dedupe_key=key,
                   title=bilingual.read_later(event), event=event, involvement=involvement,
                   lead=event.lead_partner, days=(now - involvement.invited_at).days,
                   url=absolute_url("planning.detail", event_id=event.id))

    return queue_once({nudge_key(i, p): (i, p) for i in due_nudges(now)
                       for p in invitation_recipients(i.partner)}, nudge)
