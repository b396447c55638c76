"""What one partner gives to one event."""

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from events.auth.models import User
from events.db import Money, UTCDateTime, enum_type, utcnow
from events.enums import ContributionKind, ContributionStatus
from events.extensions import db
from events.partners.models import Partner
from events.planning.models import Event


class Contribution(db.Model):
    __tablename__ = "contributions"
    __table_args__ = (
        sa.CheckConstraint("amount IS NULL OR amount >= 0", name="amount_non_negative"),
        sa.CheckConstraint("quantity IS NULL OR quantity >= 0", name="quantity_non_negative"),
        sa.CheckConstraint("agreed_value IS NULL OR agreed_value >= 0",
                           name="agreed_value_non_negative"),
        sa.CheckConstraint("length(currency) = 3", name="currency_iso_4217"),
        sa.Index("ix_contributions_event_partner", "event_id", "partner_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partners.id"), index=True)
    kind: Mapped[ContributionKind] = mapped_column(
        enum_type(ContributionKind, "contribution_kind")
    )
    description: Mapped[str] = mapped_column(sa.String(500), default="")
    quantity: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2, asdecimal=False))
    unit: Mapped[str] = mapped_column(sa.String(32), default="")
    amount: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(sa.String(3), default="RUB")
    # A value in roubles the partners agreed for this row; it wins over any rate.
    agreed_value: Mapped[Decimal | None] = mapped_column(Money)
    status: Mapped[ContributionStatus] = mapped_column(
        enum_type(ContributionStatus, "contribution_status"), default=ContributionStatus.PLEDGED
    )
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Rows recorded once for a whole series share this key: each date holds its even share,
    # so per-date and per-series sums count the contribution once (contributions.series).
    series_share: Mapped[str | None] = mapped_column(sa.String(32), index=True)

    event: Mapped[Event] = relationship()
    partner: Mapped[Partner] = relationship()
    created_by: Mapped[User | None] = relationship()
