"""Reused selects for partners and venues."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from events.extensions import db
from events.partners.models import Partner, Venue


def all_partners() -> list[Partner]:
    return list(db.session.scalars(sa.select(Partner).order_by(Partner.id)))


def partner_by_slug(slug: str) -> Partner | None:
    return db.session.scalar(sa.select(Partner).where(Partner.slug == slug))


def active_venues() -> list[Venue]:
    return list(
        db.session.scalars(
            sa.select(Venue)
            .where(Venue.is_active.is_(True))
            .options(selectinload(Venue.partner))
            .order_by(Venue.partner_id, Venue.site, Venue.name)
        )
    )
