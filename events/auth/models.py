"""People who use the product: residents, partner staff, coordinators and admins."""

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from events.db import UTCDateTime, enum_type, utcnow
from events.enums import Role
from events.extensions import db
from events.partners.models import Partner

PASSWORD_METHOD = "scrypt"  # noqa: S105 — the KDF name, not a password


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        # Staff and coordinators belong to exactly one partner; residents and admins to none.
        sa.CheckConstraint(
            "(role IN ('staff', 'coordinator') AND partner_id IS NOT NULL)"
            " OR (role IN ('resident', 'admin') AND partner_id IS NULL)",
            name="partner_matches_role",
        ),
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
        sa.Index("uq_users_email_lower", sa.func.lower(sa.text("email")), unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role, "user_role"), default=Role.RESIDENT)
    partner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partners.id"), index=True)
    company: Mapped[str] = mapped_column(sa.String(200), default="")
    # The partner site a resident's company resides at.
    site_partner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partners.id"))
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    partner: Mapped[Partner | None] = relationship(foreign_keys=[partner_id])
    site_partner: Mapped[Partner | None] = relationship(foreign_keys=[site_partner_id])

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_staff(self) -> bool:
        """Staff of a partner (coordinators are staff too)."""
        return self.role in (Role.STAFF, Role.COORDINATOR)

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_resident(self) -> bool:
        return self.role == Role.RESIDENT

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
