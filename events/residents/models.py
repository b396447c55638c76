"""A company a partner hosts on its site, and the e-mail domains that prove someone works there."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from events.db import UTCDateTime, utcnow
from events.extensions import db
from events.partners.models import Partner


class ResidentCompany(db.Model):
    __tablename__ = "resident_companies"
    __table_args__ = (
        sa.UniqueConstraint("partner_id", "name", name="uq_resident_companies_partner_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(sa.ForeignKey("partners.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partner: Mapped[Partner] = relationship()
    domains: Mapped[list["CompanyDomain"]] = relationship(
        back_populates="company", cascade="all, delete-orphan", order_by="CompanyDomain.domain")

    @property
    def domain_names(self) -> list[str]:
        return [d.domain for d in self.domains]


class CompanyDomain(db.Model):
    """One domain belongs to one company (of one partner), so a match is never ambiguous."""

    __tablename__ = "company_domains"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(
        sa.ForeignKey("resident_companies.id", ondelete="CASCADE"), index=True)
    # Lower case, Unicode form (as events.auth.emails stores the part after the @).
    domain: Mapped[str] = mapped_column(sa.String(253), unique=True)

    company: Mapped[ResidentCompany] = relationship(back_populates="domains")
