"""Events, involvements of partners, and action programmes."""

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from events.auth.models import User
from events.bilingual import translated
from events.db import UTCDateTime, enum_type, utcnow
from events.enums import (
    Audience,
    Category,
    EventFormat,
    EventStatus,
    InvolvementRole,
    InvolvementState,
)
from events.extensions import db
from events.partners.models import Partner, Venue


def new_uid() -> str:
    return uuid.uuid4().hex


programme_partners = sa.Table(
    "programme_partners",
    db.metadata,
    sa.Column("programme_id", sa.ForeignKey("programmes.id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("partner_id", sa.ForeignKey("partners.id"), primary_key=True, index=True),
)


class Programme(db.Model):
    """An action programme grouping events, as the memorandum's additional agreements plan;
    it may belong to an agreement, and the partners running it edit it."""

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # In Russian and in English, either may be empty (events.bilingual), as an event's.
    title_ru: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    title_en: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    description_ru: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    description_en: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    title = translated("title")
    description = translated("description")
    agreement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agreements.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # `programme.agreement` is the backref of Agreement.programmes (events/agreements/models.py),
    # so this module maps on its own, whichever area is imported first.
    partners: Mapped[list[Partner]] = relationship(secondary=programme_partners,
                                                   order_by=Partner.id)

    @property
    def partner_ids(self) -> set[int]:
        return {p.id for p in self.partners}


class Series(db.Model):
    """Events planned once on a pattern: each date is an event of its own (an occurrence,
    `Event.series_id`), so registrations, check-in and contributions work per date. The
    pattern's fields are those of events.planning.recurrence.Pattern."""

    __tablename__ = "series"
    __table_args__ = (
        sa.CheckConstraint("(until IS NULL) <> (count IS NULL)", name="until_or_count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # In Russian and in English (events.bilingual): `series.title` reads the reader's.
    title_ru: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    title_en: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    title = translated("title")
    lead_partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partners.id"), index=True)
    timezone: Mapped[str] = mapped_column(sa.String(64))
    frequency: Mapped[str] = mapped_column(sa.String(16))  # daily | weekly | monthly
    interval: Mapped[int] = mapped_column(default=1)
    weekdays: Mapped[str] = mapped_column(sa.String(20), default="")  # "0,3": Monday, Thursday
    month_day: Mapped[int | None]
    nth: Mapped[int | None]  # 1..5, or -1 for the last
    nth_weekday: Mapped[int | None]
    until: Mapped[date | None] = mapped_column(sa.Date)
    count: Mapped[int | None]
    allow_series_registration: Mapped[bool] = mapped_column(default=False,
                                                            server_default=sa.false())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lead_partner: Mapped[Partner] = relationship()
    created_by: Mapped[User | None] = relationship()
    occurrences: Mapped[list["Event"]] = relationship(
        back_populates="series", order_by="Event.starts_at", passive_deletes=True)

    @property
    def weekday_list(self) -> tuple[int, ...]:
        return tuple(int(d) for d in self.weekdays.split(",") if d)

    def __repr__(self) -> str:
        return f"<Series {self.id} {self.title!r}>"


class Event(db.Model):
    __tablename__ = "events"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_non_negative"),
        sa.CheckConstraint("sequence >= 0", name="sequence_non_negative"),
        sa.CheckConstraint(
            "registration_closes_at IS NULL OR registration_opens_at IS NULL"
            " OR registration_closes_at > registration_opens_at",
            name="registration_window_order",
        ),
        sa.Index("ix_events_status_starts_at", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Ours: 32 hex digits, written as "<uid>@<SITE_DOMAIN>"; imported: the foreign UID as is.
    uid: Mapped[str] = mapped_column(sa.String(255), unique=True, default=new_uid)
    # In Russian and in English, either may be empty (events.bilingual): `event.title` etc.
    # read the reader's language, falling back to the other.
    title_ru: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    title_en: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    summary_ru: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    summary_en: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    description_ru: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    description_en: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    title = translated("title")
    summary = translated("summary")
    description = translated("description")
    category: Mapped[Category] = mapped_column(enum_type(Category, "event_category"))
    format: Mapped[EventFormat] = mapped_column(
        enum_type(EventFormat, "event_format"), default=EventFormat.IN_PERSON
    )
    venue_id: Mapped[int | None] = mapped_column(sa.ForeignKey("venues.id"), index=True)
    online_url: Mapped[str | None] = mapped_column(sa.String(500))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(sa.String(64))  # every writer names the zone
    # All day: starts_at/ends_at are local midnights in `timezone`, ends_at exclusive (the
    # midnight after the last day), as iCalendar's DTEND;VALUE=DATE.
    is_all_day: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    capacity: Mapped[int | None]
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Registrations wait as "pending" until the lead partner's staff approve or decline them.
    registration_needs_approval: Mapped[bool] = mapped_column(default=False,
                                                              server_default=sa.false())
    audience: Mapped[Audience] = mapped_column(
        enum_type(Audience, "event_audience"), default=Audience.PUBLIC
    )
    status: Mapped[EventStatus] = mapped_column(
        enum_type(EventStatus, "event_status"), default=EventStatus.DRAFT
    )
    programme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programmes.id"), index=True)
    # An occurrence of a series; removing the series leaves its dates as single events.
    series_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("series.id", ondelete="SET NULL"), index=True)
    # The UTC instant of the pattern's date this occurrence stands for (its RECURRENCE-ID in
    # feeds): set when the series makes it, kept when it is moved alone, moved with it when
    # a "this and following"/"all" edit moves the dates on the clock.
    recurrence_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sequence: Mapped[int] = mapped_column(default=0)
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    venue: Mapped[Venue | None] = relationship()
    programme: Mapped[Programme | None] = relationship()
    series: Mapped[Series | None] = relationship(back_populates="occurrences")
    created_by: Mapped[User | None] = relationship()
    involvements: Mapped[list["Involvement"]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Involvement.id"
    )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def local_starts_at(self) -> datetime:
        return self.starts_at.astimezone(self.zone)

    @property
    def local_ends_at(self) -> datetime:
        return self.ends_at.astimezone(self.zone)

    @property
    def first_day(self):
        return self.local_starts_at.date()

    @property
    def last_day(self):
        """The last day the event takes place on: an end at midnight (always so for an
        all-day event, whose end is exclusive) belongs to the day before."""
        return (self.local_ends_at - timedelta(microseconds=1)).date()

    @property
    def host_involvement(self) -> "Involvement | None":
        return next((i for i in self.involvements if i.role == InvolvementRole.HOST), None)

    @property
    def lead_partner(self) -> Partner | None:
        host = self.host_involvement
        return host.partner if host else None

    @property
    def is_past(self) -> bool:
        return self.ends_at <= utcnow()

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.title!r} {self.status}>"


class Involvement(db.Model):
    """One partner's part in one event: host (exactly one), co-host or supporter."""

    __tablename__ = "involvements"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "partner_id", name="uq_involvements_event_partner"),
        # Exactly one host per event (at most one here; the services create it with the event).
        sa.Index(
            "uq_involvements_one_host",
            "event_id",
            unique=True,
            sqlite_where=sa.text("role = 'host'"),
            postgresql_where=sa.text("role = 'host'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partners.id"), index=True)
    role: Mapped[InvolvementRole] = mapped_column(enum_type(InvolvementRole, "involvement_role"))
    state: Mapped[InvolvementState] = mapped_column(
        enum_type(InvolvementState, "involvement_state"), default=InvolvementState.INVITED
    )
    note: Mapped[str] = mapped_column(sa.Text, default="")
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship(back_populates="involvements")
    partner: Mapped[Partner] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
