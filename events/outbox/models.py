"""One row per mail to send: rendered at the change (what was true then), delivered later."""

import base64
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from events.db import UTCDateTime, enum_type, utcnow
from events.enums import OutboxStatus
from events.extensions import db


class OutboxMessage(db.Model):
    """`status` moves queued → sending → sent, or back to queued with `next_attempt_at` after
    a temporary failure, or to dead after a permanent one or when the retries ran out.
    `claimed_until` is the lease of the worker that is sending it: a worker that died
    mid-send leaves a lease that runs out, and another worker takes the message again.
    `dedupe_key` makes a mail that must exist once (a reminder, a nudge) unique."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        sa.Index("ix_outbox_messages_due", "status", "next_attempt_at"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(sa.String(64))
    recipient: Mapped[str] = mapped_column(sa.String(320))
    subject: Mapped[str] = mapped_column(sa.Text)
    body: Mapped[str] = mapped_column(sa.Text)
    html: Mapped[str] = mapped_column(sa.Text)
    # [{"filename", "content_type", "data" (base64)}]; read them as `attachments`
    attachment_data: Mapped[list] = mapped_column("attachments", sa.JSON, default=list)
    message_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_type(OutboxStatus, "outbox_status"), default=OutboxStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    claimed_by: Mapped[str | None] = mapped_column(sa.String(80))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The X-Request-ID of the request that queued it (None: queued by the worker or a command),
    # logged by the worker when it delivers the mail.
    request_id: Mapped[str | None] = mapped_column(sa.String(128))

    @property
    def attachments(self) -> list:
        from events.mail import Attachment

        return [Attachment(item["filename"], item["content_type"], base64.b64decode(item["data"]))
                for item in self.attachment_data or []]

    @property
    def recipients(self) -> list[str]:
        return [self.recipient]

    @property
    def failed(self) -> bool:
        """Queued again after at least one failed attempt."""
        return self.status == OutboxStatus.QUEUED and self.attempts > 0
