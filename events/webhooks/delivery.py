"""Sending webhook deliveries: claim due rows (FOR UPDATE SKIP LOCKED on PostgreSQL, the write
lock on SQLite) with a lease in a committed transaction, POST each through events.net (public
addresses only, pinned connection, one deadline, no redirects), log the attempt, and retry a
failure on the outbox's schedule (events.outbox.delivery.retry_delay) until it is dead.

At least once, and once in practice: a claimed row is sent by the worker that holds it; only a
worker dying between the endpoint's answer and the record of it leaves a row another worker
sends again when the lease runs out, with the same webhook-id for the receiver to recognise."""

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from events.db import utcnow
from events.extensions import db
from events.net import FetchFailed, post_url
from events.outbox.delivery import claim_due, retry_delay, worker_name
from events.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery
from events.webhooks.signing import headers as signed_headers

log = logging.getLogger(__name__)
BATCH = 20
EXCERPT = 500


@dataclass
class Outcome:
    delivered: int = 0
    retry: int = 0
    dead: int = 0
    claimed: list[int] = field(default_factory=list)


def claim(limit: int = BATCH, *, now: datetime | None = None) -> list[int]:
    """Take up to `limit` due deliveries for this worker, in a committed transaction (the
    outbox's leases: events.outbox.delivery.claim_due)."""
    return claim_due(WebhookDelivery, DeliveryStatus.QUEUED, DeliveryStatus.SENDING, limit,
                     now)


def send(row: WebhookDelivery, clock=time.monotonic) -> WebhookAttempt:
    """POST the delivery once; the attempt (not yet added to the session) says how it went."""
    endpoint = row.endpoint
    body = row.payload.encode("utf-8")
    started = clock()
    attempt = WebhookAttempt(delivery_id=row.id, attempted_at=utcnow(), error="")
    if not endpoint.is_enabled:
        attempt.error = "the webhook is switched off"
        return attempt
    headers = signed_headers(endpoint.secret, row.message_id, int(time.time()), body)
    try:
        status, answer = post_url(endpoint.url, body, headers=headers,
                                  deadline=current_app.config["WEBHOOK_TIMEOUT"],
                                  max_bytes=EXCERPT, clock=clock)
    except FetchFailed as error:
        # The page says only "late" or "no connection": telling refused ports from silent
        # ones would make the form a port scanner. The server log keeps the cause.
        cause = error.__cause__
        log.info("webhook %s: %r", row.id, cause)
        attempt.error = ("no answer in time" if isinstance(cause, TimeoutError)
                         else "no connection, or the address is not allowed")
    except Exception as error:   # this message only: logged as a failed attempt, retried
        log.exception("webhook %s could not be sent", row.id)
        attempt.error = f"{type(error).__name__}: {error}"[:EXCERPT]
    else:
        attempt.status_code = status
        attempt.response_excerpt = answer.decode("utf-8", "replace")[:EXCERPT]
        if not attempt.succeeded:
            attempt.error = f"HTTP {status}"
    attempt.duration_ms = max(int((clock() - started) * 1000), 0)
    return attempt


def _finish(row_id: int, me: str, attempt: WebhookAttempt, **values) -> bool:
    """Record the attempt and the outcome, but only while this worker still holds the claim."""
    result = db.session.execute(
        sa.update(WebhookDelivery)
        .where(WebhookDelivery.id == row_id, WebhookDelivery.claimed_by == me,
               WebhookDelivery.status == DeliveryStatus.SENDING)
        .values(claimed_by=None, claimed_until=None, **values))
    held = bool(result.rowcount)
    if held:
        db.session.add(attempt)
    db.session.commit()
    return held


def deliver_batch(*, now: datetime | None = None, limit: int = BATCH) -> Outcome:
    now = now or utcnow()
    me = worker_name()
    outcome = Outcome(claimed=claim(limit, now=now))
    try:
        for row_id in outcome.claimed:
            row = db.session.get(WebhookDelivery, row_id)
            if row is None or row.claimed_by != me:
                continue
            attempt = send(row)
            about = {"webhook_delivery_id": row.id, "kind": row.event_type}
            if attempt.succeeded:
                _finish(row_id, me, attempt, status=DeliveryStatus.DELIVERED,
                        delivered_at=utcnow(), last_error="")
                log.info("webhook %s (%s) delivered", row_id, row.event_type, extra=about)
                outcome.delivered += 1
                continue
            delay = retry_delay(row.attempts) if row.endpoint.is_enabled else None
            if delay is None:
                _finish(row_id, me, attempt, status=DeliveryStatus.DEAD,
                        last_error=attempt.error)
                log.warning("webhook %s is dead: %s", row_id, attempt.error, extra=about)
                outcome.dead += 1
            else:
                _finish(row_id, me, attempt, status=DeliveryStatus.QUEUED,
                        last_error=attempt.error, next_attempt_at=now + delay)
                log.info("webhook %s failed, next attempt in %s: %s", row_id, delay,
                         attempt.error, extra=about)
                outcome.retry += 1
    finally:
        db.session.rollback()
    return outcome


def deliver_due(*, now: datetime | None = None, max_batches: int = 50) -> Outcome:
    """Send every delivery that is due now, batch after batch."""
    total = Outcome()
    for _ in range(max_batches):
        outcome = deliver_batch(now=now)
        total.delivered += outcome.delivered
        total.retry += outcome.retry
        total.dead += outcome.dead
        total.claimed += outcome.claimed
        if len(outcome.claimed) < BATCH:
            break
    return total
