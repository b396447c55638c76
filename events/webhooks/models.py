"""A partner's webhook endpoints, the deliveries queued for them and every attempt made."""

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from events.db import UTCDateTime, enum_type, utcnow
from events.extensions import db
from events.partners.models import Partner

# What an endpoint may subscribe to (the `type` of the payload), in the order shown.
EVENT_TYPES = ("event.scheduled", "event.changed", "event.cancelled",
               "registration.confirmed", "registration.cancelled")
TEST_TYPE = "webhook.test"  # the "send a test event" button; goes to one endpoint only


class DeliveryStatus(StrEnum):
    QUEUED = "queued"          # waiting for its next attempt (failed ones too)
    SENDING = "sending"        # claimed by a worker until its lease runs out
    DELIVERED = "delivered"    # the endpoint answered 2xx
    DEAD = "dead"              # retries ran out, or the endpoint is switched off


class WebhookEndpoint(db.Model):
    """`secret` is "whsec_" + base64 of random bytes (the Standard Webhooks form): the partner
    verifies signatures with it, so it is stored as it is and shown to who manages it."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partners.id"), index=True)
    url: Mapped[str] = mapped_column(sa.String(500))
    description: Mapped[str] = mapped_column(sa.String(200), default="")
    # Space-separated EVENT_TYPES.
    event_types: Mapped[str] = mapped_column(sa.String(200), default="")
    is_enabled: Mapped[bool] = mapped_column(default=True)
    secret: Mapped[str] = mapped_column(sa.String(100))
    secret_rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partner: Mapped[Partner] = relationship()

    @property
    def types(self) -> list[str]:
        return [t for t in (self.event_types or "").split() if t in EVENT_TYPES]

    def wants(self, event_type: str) -> bool:
        return event_type in self.types

    def __repr__(self) -> str:
        return f"<WebhookEndpoint {self.id} {self.url}>"


class WebhookDelivery(db.Model):
    """One message to one endpoint. `payload` is the exact body sent on every attempt and
    `message_id` its webhook-id, so a receiver recognises a retry or a resend. The claim and
    retry columns work as the outbox's (events.outbox.models.OutboxMessage)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        sa.Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(
        sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True)
    event_type: Mapped[str] = mapped_column(sa.String(40))
    message_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    payload: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_type(DeliveryStatus, "webhook_delivery_status"), default=DeliveryStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    claimed_by: Mapped[str | None] = mapped_column(sa.String(80))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    endpoint: Mapped[WebhookEndpoint] = relationship()
    attempt_log: Mapped[list["WebhookAttempt"]] = relationship(
        back_populates="delivery", cascade="all, delete-orphan",
        order_by="WebhookAttempt.id.desc()")


class WebhookAttempt(db.Model):
    """One try: the HTTP status the endpoint answered (None: no answer, see `error`) and how
    long the exchange took."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        sa.ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_code: Mapped[int | None]
    error: Mapped[str] = mapped_column(sa.String(500), default="")
    duration_ms: Mapped[int] = mapped_column(default=0)
    response_excerpt: Mapped[str] = mapped_column(sa.String(500), default="")

    delivery: Mapped[WebhookDelivery] = relationship(back_populates="attempt_log")

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
