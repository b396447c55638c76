"""The residency queue and the company list of one partner."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from events.auth.models import User
from events.enums import Residency, Role
from events.extensions import db
from events.residents.models import ResidentCompany


def _waiting(partner_id: int):
    return sa.select(User).where(
        User.role == Role.RESIDENT, User.site_partner_id == partner_id,
        User.residency == Residency.PENDING, User.deleted_at.is_(None), User.is_active,
    )


def residency_queue(partner_id: int) -> list[User]:
    """Verified people who named this partner's site and wait for a decision, oldest first."""
    return list(db.session.scalars(
        _waiting(partner_id).where(User.email_verified_at.is_not(None))
        .order_by(User.created_at, User.id)))


def unverified_waiting(partner_id: int) -> int:
    """People who named this site but have not confirmed their address yet (not decidable)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(
        _waiting(partner_id).where(User.email_verified_at.is_(None)).subquery()))


def companies_of(partner_id: int) -> list[ResidentCompany]:
    return list(db.session.scalars(
        sa.select(ResidentCompany).where(ResidentCompany.partner_id == partner_id)
        .options(selectinload(ResidentCompany.domains))
        .order_by(sa.func.lower(ResidentCompany.name))))
