"""Writing mail into the outbox and what admins may do with it. Delivery is in delivery.py."""

import base64
from datetime import datetime
from email.utils import make_msgid

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from events.db import utcnow
from events.enums import OutboxStatus
from events.errors import NotAllowed
from events.extensions import db
from events.ops.logs import current_request_id
from events.outbox.models import OutboxMessage

PENDING_FLAG = "outbox_pending"       # session.info: this transaction wrote outbox rows
COMMITTED_FLAG = "outbox_committed"   # ... and they are committed: wake the worker


def add_message(*, kind: str, recipient: str, subject: str, body: str, html: str,
                attachments=(), dedupe_key: str | None = None,
                due: datetime | None = None) -> OutboxMessage:
    """Add a rendered mail to the current transaction: it commits or rolls back with it."""
    message = OutboxMessage(
        kind=kind[:64], recipient=recipient, subject=subject, body=body, html=html,
        attachment_data=[{"filename": a.filename, "content_type": a.content_type,
                      "data": base64.b64encode(a.data).decode("ascii")} for a in attachments],
        message_id=make_msgid(domain=current_app.config["SITE_DOMAIN"]),
        dedupe_key=dedupe_key, status=OutboxStatus.QUEUED, attempts=0,
        next_attempt_at=due or utcnow(), last_error="", request_id=current_request_id(),
    )
    db.session.add(message)
    db.session.info[PENDING_FLAG] = True
    return message


def queued_messages() -> list[OutboxMessage]:
    """What is waiting to be sent (this transaction's rows included), oldest first."""
    db.session.flush()
    return list(db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.QUEUED)
        .order_by(OutboxMessage.id)))


def counts() -> dict[str, int]:
    """Messages per state for the admin page; "failed" are queued ones with an error."""
    tried = (OutboxMessage.attempts > sa.literal_column("0")).label("tried")
    rows = db.session.execute(
        sa.select(OutboxMessage.status, tried, sa.func.count())
        .group_by(OutboxMessage.status, tried)).all()
    result = {"queued": 0, "failed": 0, "sending": 0, "sent": 0, "dead": 0}
    for status, tried, number in rows:
        key = "failed" if status == OutboxStatus.QUEUED and tried else str(status)
        result[key] += number
    return result


def dead_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.status == OutboxStatus.DEAD)) or 0


def check_can_manage(actor) -> None:
    if actor is None or not actor.is_admin:
        raise NotAllowed()


def send_again(actor, message_ids) -> int:
    """An admin puts dead or failed messages back in the queue (see `requeue`)."""
    check_can_manage(actor)
    return requeue(message_ids)


def requeue(message_ids) -> int:
    """Dead or failed messages back in the queue, due now, with a fresh retry schedule. Sent
    messages and messages being sent are left alone. Returns how many were requeued."""
    rows = list(db.session.scalars(
        sa.select(OutboxMessage).where(
            OutboxMessage.id.in_(list(message_ids)),
            OutboxMessage.status.in_([OutboxStatus.DEAD, OutboxStatus.QUEUED]))
        .with_for_update()))
    for row in rows:
        row.status = OutboxStatus.QUEUED
        row.attempts = 0
        row.next_attempt_at = utcnow()
        row.claimed_by = row.claimed_until = None
    if rows:
        db.session.info[PENDING_FLAG] = True
    return len(rows)


def dead_ids() -> list[int]:
    return list(db.session.scalars(sa.select(OutboxMessage.id)
                                   .where(OutboxMessage.status == OutboxStatus.DEAD)))


def forget_old_mail(now: datetime | None = None) -> int:
    """Delete sent mail older than OUTBOX_KEEP_DAYS (the outbox is not an archive)."""
    from datetime import timedelta

    now = now or utcnow()
    cutoff = now - timedelta(days=current_app.config["OUTBOX_KEEP_DAYS"])
    result = db.session.execute(sa.delete(OutboxMessage).where(
        OutboxMessage.status == OutboxStatus.SENT, OutboxMessage.sent_at < cutoff))
    db.session.commit()
    return result.rowcount or 0


def queue_once(keyed: dict, queue) -> int:
    """Periodic mail that must exist once (reminders, nudges, feedback requests): for each
    dedupe key not yet in the outbox, `queue(thing, key)` in a savepoint of its own — a
    parallel worker that queued the same key a moment ago is skipped — then commit. Returns
    how many were added."""
    if not keyed:
        return 0
    known = set(db.session.scalars(sa.select(OutboxMessage.dedupe_key)
                                   .where(OutboxMessage.dedupe_key.in_(list(keyed)))))
    added = 0
    for key, thing in keyed.items():
        if key in known:
            continue
        try:
            with db.session.begin_nested():
                queue(thing, key)
        except IntegrityError:   # another worker queued it a moment ago
            continue
        added += 1
    db.session.commit()
    return added
