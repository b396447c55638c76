"""Partner organisations and the rooms on their infrastructure."""

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from events.db import UTCDateTime, utcnow
from events.extensions import db


def in_reader_language(obj, field: str) -> str:
    """`obj.<field>_<language>` when the reader's language has its own non-empty spelling
    (e.g. `name_ru`), else `obj.<field>`. Outside a request or mail: the stored default."""
    from flask_babel import get_locale

    locale = get_locale()
    if locale is not None:
        translated = getattr(obj, f"{field}_{locale.language}", None)
        if translated:
            return translated
    return getattr(obj, field)


class Partner(db.Model):
    __tablename__ = "partners"
    __table_args__ = (
        sa.CheckConstraint("length(slug) > 0", name="slug_not_empty"),
        sa.CheckConstraint("color LIKE '#%'", name="color_hex"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    short_name: Mapped[str] = mapped_column(sa.String(64))
    # The names as Russian readers see them (empty: the name above serves every language).
    name_ru: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    short_name_ru: Mapped[str] = mapped_column(sa.String(64), default="", server_default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    website: Mapped[str | None] = mapped_column(sa.String(300))
    color: Mapped[str] = mapped_column(sa.String(7), default="#336699")
    # The embeddable agenda (events.publishing): the websites allowed to frame it, one origin
    # a line, and its colours (an empty accent: the brand colour).
    embed_origins: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    embed_background: Mapped[str] = mapped_column(sa.String(7), default="#ffffff",
                                                  server_default="#ffffff")
    embed_accent: Mapped[str] = mapped_column(sa.String(7), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Renames show in feeds (ORGANIZER/CONTACT, DESCRIPTION): Last-Modified must move.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    venues: Mapped[list["Venue"]] = relationship(
        back_populates="partner", order_by="Venue.name"
    )

    @property
    def local_name(self) -> str:
        """The name in the reader's language."""
        return in_reader_language(self, "name")

    @property
    def local_short_name(self) -> str:
        """The short name in the reader's language."""
        return in_reader_language(self, "short_name")

    def spellings(self) -> set[str]:
        """Every way the partner's name is written (audit entries of old keep one of them)."""
        return {s for s in (self.name, self.short_name, self.name_ru, self.short_name_ru) if s}

    def __repr__(self) -> str:
        return f"<Partner {self.slug}>"


class Venue(db.Model):
    __tablename__ = "venues"
    __table_args__ = (
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partners.id"), index=True)
    site: Mapped[str] = mapped_column(sa.String(200))
    building: Mapped[str] = mapped_column(sa.String(200), default="")
    name: Mapped[str] = mapped_column(sa.String(200))
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    capacity: Mapped[int | None]
    accessibility: Mapped[str] = mapped_column(sa.Text, default="")
    latitude: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 6, asdecimal=False))
    longitude: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 6, asdecimal=False))
    is_active: Mapped[bool] = mapped_column(default=True)
    # Renames show in feeds (LOCATION, GEO): Last-Modified must move.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    partner: Mapped["Partner"] = relationship(back_populates="venues")

    @property
    def label(self) -> str:
        """Room, building, site — as shown on cards and in calendar LOCATION."""
        return ", ".join(p for p in (self.name, self.building, self.site) if p)

    def __repr__(self) -> str:
        return f"<Venue {self.name}>"
