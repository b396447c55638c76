"""Agreements between partners, their targets, rate cards and the Bank of Russia's rates."""

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from events.agreements.enums import AgreementStatus, RateSource, TargetMetric
from events.auth.models import User
from events.db import Money, UTCDateTime, enum_type, utcnow
from events.enums import Category, ContributionKind, EventFormat
from events.extensions import db
from events.partners.models import Partner, Venue
from events.planning.models import Programme


class ExactDecimal(sa.TypeDecorator):
    """An exact decimal with fixed places: NUMERIC on PostgreSQL, scaled integers on SQLite
    (which would otherwise hand back floats)."""

    impl = sa.Numeric(18, 4, asdecimal=True)
    cache_ok = True

    def __init__(self, places: int = 4):
        super().__init__()
        self.places = places
        self.quant = Decimal(1).scaleb(-places)

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.BigInteger())
        return dialect.type_descriptor(sa.Numeric(18, self.places, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = Decimal(value).quantize(self.quant)
        return int(value.scaleb(self.places)) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-self.places).quantize(self.quant)
        return Decimal(value).quantize(self.quant)


agreement_parties = sa.Table(
    "agreement_parties",
    db.metadata,
    sa.Column("agreement_id", sa.ForeignKey("agreements.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("partner_id", sa.ForeignKey("partners.id"), primary_key=True, index=True),
)


class Agreement(db.Model):
    """The memorandum or an additional agreement between two or more partners."""

    __tablename__ = "agreements"
    __table_args__ = (
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
        sa.CheckConstraint("document_size IS NULL OR document_size > 0", name="document_size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    number: Mapped[str] = mapped_column(sa.String(64), default="")
    signed_on: Mapped[date | None] = mapped_column(sa.Date)
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[AgreementStatus] = mapped_column(
        enum_type(AgreementStatus, "agreement_status"), default=AgreementStatus.DRAFT)
    # The memorandum covers every joint event of its parties; an additional agreement only
    # the events of its own programmes.
    covers_all_joint_events: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    document_name: Mapped[str | None] = mapped_column(sa.String(255))
    document_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    document_size: Mapped[int | None]
    document_uploaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    parties: Mapped[list[Partner]] = relationship(secondary=agreement_parties,
                                                  order_by=Partner.id)
    programmes: Mapped[list[Programme]] = relationship(
        backref="agreement", order_by=Programme.title)

    @property
    def party_ids(self) -> set[int]:
        return {p.id for p in self.parties}

    def __repr__(self) -> str:
        return f"<Agreement {self.id} {self.title!r}>"


class Target(db.Model):
    """What a programme or an agreement plans for a period (per partner or jointly)."""

    __tablename__ = "targets"
    __table_args__ = (
        sa.CheckConstraint("(programme_id IS NULL) <> (agreement_id IS NULL)",
                           name="one_owner"),
        sa.CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        sa.CheckConstraint("planned > 0", name="planned_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    agreement_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    metric: Mapped[TargetMetric] = mapped_column(enum_type(TargetMetric, "target_metric"))
    planned: Mapped[Decimal] = mapped_column(Money)
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    partner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partners.id"))
    category: Mapped[Category | None] = mapped_column(enum_type(Category, "event_category"))
    format: Mapped[EventFormat | None] = mapped_column(enum_type(EventFormat, "event_format"))
    kind: Mapped[ContributionKind | None] = mapped_column(
        enum_type(ContributionKind, "contribution_kind"))
    currency: Mapped[str | None] = mapped_column(sa.String(3))
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    programme: Mapped[Programme | None] = relationship()
    agreement: Mapped[Agreement | None] = relationship()
    partner: Mapped[Partner | None] = relationship()


class RateCard(db.Model):
    """Prices the partners agreed for in-kind contributions, valid for a period; in roubles."""

    __tablename__ = "rate_cards"
    __table_args__ = (
        sa.CheckConstraint("(agreement_id IS NULL) <> (partner_id IS NULL)", name="one_owner"),
        sa.CheckConstraint("valid_to IS NULL OR valid_to >= valid_from",
                           name="valid_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    agreement_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partners.id"), index=True)
    valid_from: Mapped[date] = mapped_column(sa.Date)
    valid_to: Mapped[date | None] = mapped_column(sa.Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    agreement: Mapped[Agreement | None] = relationship()
    partner: Mapped[Partner | None] = relationship()
    lines: Mapped[list["RateLine"]] = relationship(
        back_populates="card", cascade="all, delete-orphan", order_by="RateLine.id")

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class RateLine(db.Model):
    """A price per unit of one kind of contribution (per room, for room hours); an empty unit
    prices one contribution row."""

    __tablename__ = "rate_lines"
    __table_args__ = (sa.CheckConstraint("price >= 0", name="price_non_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rate_card_id: Mapped[int] = mapped_column(
        sa.ForeignKey("rate_cards.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ContributionKind] = mapped_column(
        enum_type(ContributionKind, "contribution_kind"))
    unit: Mapped[str] = mapped_column(sa.String(32), default="")
    venue_id: Mapped[int | None] = mapped_column(sa.ForeignKey("venues.id"))
    price: Mapped[Decimal] = mapped_column(Money)

    card: Mapped[RateCard] = relationship(back_populates="lines")
    venue: Mapped[Venue | None] = relationship()


class ExchangeRate(db.Model):
    """The Bank of Russia's official rate: `value` roubles for `nominal` units of `currency`,
    set on `rate_on`."""

    __tablename__ = "exchange_rates"
    __table_args__ = (
        sa.UniqueConstraint("currency", "rate_on", name="uq_exchange_rates_currency_day"),
        sa.CheckConstraint("nominal > 0", name="nominal_positive"),
        sa.CheckConstraint("value > 0", name="value_positive"),
        sa.CheckConstraint("length(currency) = 3", name="currency_iso_4217"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(sa.String(3))
    rate_on: Mapped[date] = mapped_column(sa.Date)
    nominal: Mapped[int] = mapped_column(default=1)
    value: Mapped[Decimal] = mapped_column(ExactDecimal(4))
    source: Mapped[RateSource] = mapped_column(enum_type(RateSource, "rate_source"),
                                               default=RateSource.CBR)
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entered_by: Mapped[User | None] = relationship()

    @property
    def per_unit(self) -> Decimal:
        """Roubles for one unit (nominals are powers of ten, so this stays exact)."""
        return self.value / self.nominal
