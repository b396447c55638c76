"""People who use the product: residents, partner staff, coordinators and admins."""

import hmac
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_login import AnonymousUserMixin, UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from events.auth.emails import email_key
from events.db import UTCDateTime, enum_type, utcnow
from events.enums import Residency, Role
from events.extensions import db
from events.partners.models import Partner
from events.residents.models import ResidentCompany

PASSWORD_METHOD = "scrypt"  # noqa: S105 — the KDF name, not a password


def new_session_token() -> str:
    return secrets.token_hex(32)


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
    # Look-alike key of the address (events.auth.emails.email_key): one account per mailbox.
    email_key: Mapped[str] = mapped_column(sa.String(320), unique=True)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role, "user_role"), default=Role.RESIDENT)
    partner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partners.id"), index=True)
    company: Mapped[str] = mapped_column(sa.String(200), default="")
    # The partner site a resident's company resides at.
    site_partner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("partners.id"))
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    # Residents only: standing with site_partner, and the listed company that proved it.
    residency: Mapped[Residency | None] = mapped_column(enum_type(Residency, "residency"))
    resident_company_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("resident_companies.id", ondelete="SET NULL"))
    residency_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_active: Mapped[bool] = mapped_column(default=True)
    # Part of every session and remember cookie (get_id); a new value signs out everywhere.
    session_token: Mapped[str] = mapped_column(sa.String(64), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the person deleted their account: the row stays (registrations keep counting),
    # every personal field is blanked.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    partner: Mapped[Partner | None] = relationship(foreign_keys=[partner_id])
    site_partner: Mapped[Partner | None] = relationship(foreign_keys=[site_partner_id])
    resident_company: Mapped[ResidentCompany | None] = relationship()

    @validates("email")
    def _keep_email_key(self, _key, value: str) -> str:
        self.email_key = email_key(value)
        return value

    def get_id(self) -> str:
        """What sessions and remember cookies hold: the id and the current session token."""
        return f"{self.id}:{self.session_token}"

    def matches_session(self, token: str) -> bool:
        return hmac.compare_digest(self.session_token or "", token or "")

    def rotate_session_token(self) -> None:
        """Every session and remember cookie of this account stops working."""
        self.session_token = new_session_token()

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)

    def set_unusable_password(self) -> None:
        """No password signs in until the person sets one (invitation, deleted account)."""
        self.password_hash = "!" + secrets.token_hex(32)

    def check_password(self, password: str) -> bool:
        if self.password_hash.startswith("!"):
            return False
        return check_password_hash(self.password_hash, password)

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_confirmed_resident(self) -> bool:
        """May see and register for residents-only events."""
        return (self.role == Role.RESIDENT and self.is_verified
                and self.residency == Residency.CONFIRMED)

    @property
    def is_guest(self) -> bool:
        return self.role == Role.RESIDENT and not self.is_confirmed_resident

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

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class Anonymous(AnonymousUserMixin):
    """A visitor who has not signed in: every role question answers no, so permission checks
    ask `user.is_admin` without first asking whether there is a user."""

    id = None
    partner_id = None
    locale = None
    role = None
    is_admin = is_staff = is_coordinator = False
    is_verified = is_confirmed_resident = is_guest = False
