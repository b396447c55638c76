"""Delivering the outbox: claim due messages (FOR UPDATE SKIP LOCKED on PostgreSQL, the
write lock on SQLite), send each through Flask-Mail over an SMTP connection with a socket
timeout, and record the outcome of each message on its own, so one bad address or one
failing message never stops the others.

Exactly once: a message is claimed (status sending, a lease) in a committed transaction
before it is sent and marked sent right after, so no other worker takes it meanwhile. Only a
worker that dies between the server's "250 OK" and that mark leaves a message that another
worker sends again once the lease runs out; it carries the same Message-ID, so mail clients
show it once."""

import logging
import os
import smtplib
import socket
import threading
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_mail import BadHeaderError, Connection, Message

from events.db import utcnow
from events.enums import OutboxStatus
from events.extensions import db
from events.outbox.models import OutboxMessage

log = logging.getLogger(__name__)

# Minutes to wait after the 1st, 2nd, ... failed attempt: 32 hours in all, then dead.
RETRY_MINUTES = (1, 2, 5, 10, 20, 30, 60, 120, 240, 360, 480, 600)
BATCH = 20


class TimedConnection(Connection):
    """Flask-Mail's SMTP connection with a socket timeout (MAIL_TIMEOUT seconds): a relay
    that accepts and then hangs costs the worker that long, never forever."""

    def configure_host(self):
        timeout = current_app.config["MAIL_TIMEOUT"]
        if self.mail.use_ssl:
            host = smtplib.SMTP_SSL(self.mail.server, self.mail.port, timeout=timeout)
        else:
            host = smtplib.SMTP(self.mail.server, self.mail.port, timeout=timeout)
        host.set_debuglevel(int(self.mail.debug))
        if self.mail.use_tls:
            host.starttls()
        if self.mail.username and self.mail.password:
            host.login(self.mail.username, self.mail.password)
        return host


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:80]


def retry_delay(attempts: int) -> timedelta | None:
    """The wait after `attempts` failed attempts, or None when the retries ran out."""
    if attempts > len(RETRY_MINUTES):
        return None
    return timedelta(minutes=RETRY_MINUTES[attempts - 1])


def claim_due(model, queued, sending, limit: int, now: datetime | None = None) -> list[int]:
    """Take up to `limit` due rows of a leased work table (the outbox, webhook deliveries)
    for this worker, in a committed transaction: queued rows whose time has come and rows
    whose sender's lease ran out, skipping those another worker holds (SKIP LOCKED; on
    SQLite the write lock does the same). `model` has status, next_attempt_at, attempts,
    last_attempt_at, claimed_by and claimed_until."""
    now = now or utcnow()
    me = worker_name()
    lease = timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
    due = sa.or_(
        sa.and_(model.status == queued, model.next_attempt_at <= now),
        sa.and_(model.status == sending, model.claimed_until < now),
    )
    try:
        rows = list(db.session.scalars(
            sa.select(model).where(due).order_by(model.next_attempt_at, model.id)
            .limit(limit).with_for_update(skip_locked=True)))
        for row in rows:
            row.status = sending
            row.claimed_by = me
            row.claimed_until = now + lease
            row.attempts += 1
            row.last_attempt_at = now
        ids = [row.id for row in rows]
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return ids


def claim(limit: int = BATCH, *, now: datetime | None = None) -> list[int]:
    """Take up to `limit` due messages for this worker, in a committed transaction."""
    return claim_due(OutboxMessage, OutboxStatus.QUEUED, OutboxStatus.SENDING, limit, now)


def build_message(row: OutboxMessage) -> Message:
    message = Message(subject=row.subject, recipients=[row.recipient], body=row.body,
                      html=row.html)
    message.msgId = row.message_id   # the same on every attempt: a resend is recognisable
    for item in row.attachments:
        message.attach(item.filename, item.content_type, item.data)
    return message


def _classify(error: Exception) -> bool:
    """True when the error is about this message (permanent), False when it is the server or
    the network (temporary: try again later)."""
    if isinstance(error, (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused)):
        codes = [code for code, _ in getattr(error, "recipients", {}).values()] or \
                [getattr(error, "smtp_code", 550)]
        return all(code >= 500 for code in codes)
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    # BadHeaderError, a malformed address (ValueError, UnicodeError…): this message only.
    return not isinstance(error, (OSError, smtplib.SMTPException))


def _finish(message_id: int, me: str, **values) -> None:
    """Record an outcome, but only while this worker still holds the claim."""
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.claimed_by == me,
               OutboxMessage.status == OutboxStatus.SENDING)
        .values(claimed_by=None, claimed_until=None, **values))
    db.session.commit()


def _failed(row: OutboxMessage, me: str, error: Exception, *, permanent: bool,
            now: datetime) -> str:
    text = f"{type(error).__name__}: {error}"[:2000]
    delay = None if permanent else retry_delay(row.attempts)
    about, recipient = log_fields(row), row.recipient
    if delay is None:
        _finish(row.id, me, status=OutboxStatus.DEAD, last_error=text)
        log.warning("mail %s to %s is dead: %s", about["outbox_id"], recipient, text,
                    extra=about)
        return "dead"
    _finish(row.id, me, status=OutboxStatus.QUEUED, last_error=text,
            next_attempt_at=now + delay)
    log.info("mail %s to %s failed, next attempt in %s: %s", about["outbox_id"], recipient,
             delay, text, extra=about)
    return "retry"


def log_fields(row: OutboxMessage) -> dict:
    """What a delivery log line carries: the request that queued the mail among them."""
    return {"outbox_id": row.id, "kind": row.kind, "request_id": row.request_id}


@dataclass
class Outcome:
    sent: int = 0
    retry: int = 0
    dead: int = 0
    claimed: list[int] = field(default_factory=list)

    def add(self, other: "Outcome") -> None:
        self.sent += other.sent
        self.retry += other.retry
        self.dead += other.dead
        self.claimed += other.claimed


def deliver_batch(*, now: datetime | None = None, limit: int = BATCH) -> Outcome:
    """Claim and send one batch. A connection is opened only when there is something to send
    and again after a message broke it."""
    now = now or utcnow()
    me = worker_name()
    outcome = Outcome(claimed=claim(limit, now=now))
    connection = None
    server_error = None     # the server could not be reached: the rest wait for the next round
    try:
        for message_id in outcome.claimed:
            row = db.session.get(OutboxMessage, message_id)
            if row is None or row.claimed_by != me:
                continue
            try:
                if server_error is not None:
                    raise server_error
                message = build_message(row)
                if message.has_bad_headers():
                    raise BadHeaderError("a header holds a line break")
                if connection is None:
                    try:
                        connection = TimedConnection(current_app.extensions["mail"]).__enter__()
                    except Exception as error:
                        server_error = error
                        raise
                connection.send(message)
            except Exception as error:
                permanent = server_error is None and _classify(error)
                if not permanent and connection is not None:
                    _close(connection)
                    connection = None
                result = _failed(row, me, error, permanent=permanent, now=now)
                setattr(outcome, result, getattr(outcome, result) + 1)
                continue
            about, recipient = log_fields(row), row.recipient
            _finish(message_id, me, status=OutboxStatus.SENT, sent_at=utcnow(), last_error="")
            log.info("mail %s (%s) sent to %s", message_id, about["kind"], recipient,
                     extra=about)
            outcome.sent += 1
    finally:
        if connection is not None:
            _close(connection)
        db.session.rollback()
    return outcome


def _close(connection: Connection) -> None:
    try:
        if connection.host is not None:
            connection.host.quit()
    except (OSError, smtplib.SMTPException):
        with suppress(OSError):
            connection.host.close()


def deliver_due(*, now: datetime | None = None, max_batches: int = 50) -> Outcome:
    """Deliver everything that is due now, batch after batch."""
    total = Outcome()
    for _ in range(max_batches):
        outcome = deliver_batch(now=now)
        total.add(outcome)
        if len(outcome.claimed) < BATCH:
            break
    return total
