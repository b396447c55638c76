"""Creating accounts and checking passwords."""

import sqlalchemy as sa
import sqlalchemy.orm
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from events.audit.services import apply_changes, record
from events.auth.models import PASSWORD_METHOD, User
from events.db import just_created, utcnow
from events.enums import Role
from events.errors import Conflict, ValidationFailed
from events.extensions import db
from events.partners.models import Partner

MIN_PASSWORD_LENGTH = 10
# A real hash to check against when the email is unknown, so timing does not reveal accounts.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method=PASSWORD_METHOD)


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def create_user(
    *,
    email: str,
    name: str,
    password: str,
    role: Role = Role.RESIDENT,
    partner: Partner | None = None,
    company: str = "",
    site_partner: Partner | None = None,
    locale: str | None = None,
    actor: User | None = None,
) -> User:
    """Create an account after checking the rules the database also enforces."""
    email = normalise_email(email)
    if "@" not in email:
        raise ValidationFailed(_("Enter a valid email address."), field="email")
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            _("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH), field="password"
        )
    role = Role(role)
    if role in (Role.STAFF, Role.COORDINATOR) and partner is None:
        raise ValidationFailed(_("Staff and coordinators belong to a partner."), field="partner")
    if role in (Role.RESIDENT, Role.ADMIN) and partner is not None:
        raise ValidationFailed(_("Only staff and coordinators belong to a partner."), "partner")
    existing = find_user_by_email(email)
    if existing is not None:
        if _same_account_just_created(existing, name=name, password=password, role=role,
                                      partner=partner, company=company,
                                      site_partner=site_partner):
            return existing  # a double submit: answer as the first one did
        raise Conflict(_("An account with this email already exists."), field="email")
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        partner=partner,
        company=company.strip(),
        site_partner=site_partner,
        locale=locale,
    )
    user.set_password(password)
    db.session.add(user)
    record(
        actor or user,
        "user.create",
        user,
        {"email": [None, email], "role": [None, role.value]},
    )
    return user


def _same_account_just_created(user: User, *, name, password, role, partner, company,
                               site_partner) -> bool:
    """The same form sent twice (a double click): same details, same password, moments ago."""
    return (
        just_created(user) and user.name == name.strip() and user.role == role
        and user.partner_id == (partner.id if partner else None)
        and user.company == company.strip()
        and user.site_partner_id == (site_partner.id if site_partner else None)
        and user.check_password(password)
    )


def sign_up_resident(
    *, email: str, name: str, password: str, company: str, site_partner: Partner | None,
    locale: str | None = None,
) -> User:
    """A person from a resident company creates their own account."""
    if not company.strip():
        raise ValidationFailed(_("Name your company."), field="company")
    if site_partner is None:
        raise ValidationFailed(_("Choose the site your company resides at."), "site_partner")
    return create_user(
        email=email, name=name, password=password, role=Role.RESIDENT,
        company=company, site_partner=site_partner, locale=locale,
    )


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None."""
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not user.is_active or not user.check_password(password or ""):
        return None
    user.last_login_at = utcnow()
    return user


def set_locale(user: User, locale: str) -> None:
    if user.locale != locale:
        user.locale = locale


def create_account(
    actor: User, *, email: str, name: str, password: str, role: Role,
    partner: Partner | None = None, company: str = "", site_partner: Partner | None = None,
) -> User:
    """An admin creates any account; a coordinator creates staff of their own partner."""
    from events.auth.permissions import can_manage_account
    from events.errors import NotAllowed

    role = Role(role)
    if actor.is_coordinator and not actor.is_admin:
        partner = actor.partner  # coordinators can only add people to their own partner
    candidate = User(role=role, partner_id=partner.id if partner else None)
    if not can_manage_account(actor, candidate):
        raise NotAllowed(_("You may not create this kind of account."), field="role")
    return create_user(
        email=email, name=name, password=password, role=role, partner=partner,
        company=company, site_partner=site_partner, actor=actor,
    )


def set_account_active(actor: User, user: User, active: bool) -> None:
    """Disable (or enable again) an account; a disabled account cannot sign in."""
    from events.auth.permissions import can_manage_account
    from events.errors import NotAllowed

    if not can_manage_account(actor, user):
        raise NotAllowed(_("You may not change this account."))
    changes = apply_changes(user, {"is_active": active})
    if changes:
        record(actor, "user.enable" if active else "user.disable", user, changes)


def accounts_for(actor: User) -> list[User]:
    """The accounts this person manages, staff first, then by name."""
    stmt = sa.select(User).options(sa.orm.selectinload(User.partner)).order_by(
        User.role, User.name)
    if not actor.is_admin:
        stmt = stmt.where(User.partner_id == actor.partner_id)
    return list(db.session.scalars(stmt))
