"""Accounts: creating them, signing in, verifying addresses, the password lifecycle, sessions."""

import sqlalchemy as sa
import sqlalchemy.orm
from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from events.audit.services import apply_changes, record
from events.auth.emails import address_problem, email_key, lookup_form, normalise_email
from events.auth.mails import SUBJECTS
from events.auth.models import PASSWORD_METHOD, User
from events.auth.passwords import (
    INVITE,
    MIN_PASSWORD_LENGTH,
    RESET,
    VERIFY,
    check_password_strength,
    make_link_token,
    user_for_link_token,
)
from events.db import just_created, utcnow
from events.enums import Residency, Role
from events.errors import Conflict, NotAllowed, ValidationFailed
from events.extensions import db
from events.mail import absolute_url, queue_mail
from events.partners.models import Partner
from events.text import one_line

__all__ = ["MIN_PASSWORD_LENGTH", "normalise_email"]

# A real hash to check against when no password can match, so timing does not reveal accounts.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method=PASSWORD_METHOD)


def find_user_by_email(email: str) -> User | None:
    """The account of this address, also when typed with look-alike or full-width letters."""
    address = lookup_form(email)
    if not address:
        return None
    return db.session.scalar(sa.select(User).where(User.email_key == email_key(address)))


def _load(user_id) -> User | None:
    return db.session.get(User, user_id) if isinstance(user_id, int) else None


def create_user(
    *,
    email: str,
    name: str,
    password: str | None,
    role: Role = Role.RESIDENT,
    partner: Partner | None = None,
    company: str = "",
    site_partner: Partner | None = None,
    locale: str | None = None,
    actor: User | None = None,
    verified: bool = False,
) -> User:
    """Create an account after checking the rules the database also enforces.

    `password=None` leaves the account without one (an invitation sets it)."""
    email = normalise_email(email)
    name = one_line(name)
    if not name:
        raise ValidationFailed(_("Enter a name."), field="name")
    if password is not None:
        check_password_strength(password, user_inputs=(email, name, company))
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
        email=email, name=name, role=role, partner=partner, company=one_line(company),
        site_partner=site_partner, locale=locale,
        residency=Residency.PENDING if role == Role.RESIDENT else None,
        email_verified_at=utcnow() if verified else None,
    )
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record(actor or user, "user.create", user, {"email": [None, email], "role": [None, role.value]})
    return user


def _same_account_just_created(user: User, *, name, password, role, partner, company,
                               site_partner) -> bool:
    """The same form sent twice (a double click): same details, same password, moments ago."""
    return (
        just_created(user) and user.name == one_line(name) and user.role == role
        and user.partner_id == (partner.id if partner else None)
        and user.company == one_line(company)
        and user.site_partner_id == (site_partner.id if site_partner else None)
        and (password is None or user.check_password(password))
    )


def sign_up_resident(
    *, email: str, name: str, password: str, company: str, site_partner: Partner | None,
    locale: str | None = None,
) -> User:
    """A person from a resident company creates their own account; a link verifies the address.

    Until then, and until the address or that partner's staff confirm the person as a resident,
    they are a guest: public events only."""
    if not one_line(company):
        raise ValidationFailed(_("Name your company."), field="company")
    if site_partner is None:
        raise ValidationFailed(_("Choose the site your company resides at."), "site_partner")
    user = create_user(
        email=email, name=name, password=password, role=Role.RESIDENT,
        company=company, site_partner=site_partner, locale=locale,
    )
    send_verification(user)
    return user


# ---- e-mail verification --------------------------------------------------------------------

def send_verification(user: User) -> None:
    link = absolute_url("auth.verify_email", token=make_link_token(user, VERIFY))
    queue_mail(user, SUBJECTS["verify_email"], "verify_email", link=link, user=user)


def resend_verification(user: User) -> bool:
    """Send the link again; False when the address is verified already."""
    if user.is_verified:
        return False
    send_verification(user)
    return True


def user_for_verification(token: str) -> User:
    return user_for_link_token(token, VERIFY, _load)


def verify_email(token: str) -> User:
    """The link from the mail: the address is the person's. A listed domain makes them a
    resident of that partner at once."""
    from events.residents.services import match_by_domain

    user = user_for_link_token(token, VERIFY, _load)
    if not user.is_verified:
        mark_verified(user)
        match_by_domain(user)
    return user


def mark_verified(user: User) -> None:
    user.email_verified_at = utcnow()
    record(user, "user.verify_email", user, {"email_verified_at": [None, user.email_verified_at]})


# ---- signing in -----------------------------------------------------------------------------

def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None.

    Unknown, disabled and deleted accounts cost the same scrypt check as a wrong password, so
    the answer's timing tells nothing about which it was."""
    user = find_user_by_email(email)
    usable = (user is not None and user.is_active and user.deleted_at is None
              and not user.password_hash.startswith("!"))
    if not usable:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not user.check_password(password or ""):
        return None
    user.last_login_at = utcnow()
    return user


def set_locale(user: User, locale: str) -> None:
    if user.locale != locale:
        user.locale = locale


def sign_out_everywhere(user: User) -> None:
    """Every session and "keep me signed in" cookie of this account stops working."""
    user.rotate_session_token()
    record(user, "user.sign_out_everywhere", user)


# ---- passwords ------------------------------------------------------------------------------

def _set_new_password(user: User, password: str, action: str, actor: User | None = None) -> None:
    check_password_strength(password, user_inputs=(user.email, user.name, user.company))
    user.set_password(password)
    user.password_changed_at = utcnow()
    user.rotate_session_token()  # other sessions end; the caller signs this one in again
    record(actor or user, action, user, {"password_changed_at": [None, user.password_changed_at]})


def change_password(user: User, current: str, new: str) -> None:
    """The person changes their password, proving they know the current one."""
    if not user.check_password(current or ""):
        raise ValidationFailed(_("The current password is not right."), field="current")
    if current == new:
        raise ValidationFailed(_("Choose a password different from the current one."),
                               field="password")
    _set_new_password(user, new, "user.change_password")


def request_password_reset(email: str) -> None:
    """Mail a reset link if an active account has this address; nothing tells whether it did."""
    user = find_user_by_email(email)
    if user is None or not user.is_active or user.deleted_at is not None:
        return
    link = absolute_url("auth.reset_password", token=make_link_token(user, RESET))
    queue_mail(user, SUBJECTS["password_reset"], "password_reset", link=link, user=user)


def reset_password(token: str, new: str) -> User:
    """Set a new password through the mailed link (it works once, and expires)."""
    user = user_for_link_token(token, RESET, _load)
    _set_new_password(user, new, "user.reset_password")
    _verified_by_link(user)
    return user


def user_for_reset(token: str) -> User:
    return user_for_link_token(token, RESET, _load)


def user_for_invitation(token: str) -> User:
    return user_for_link_token(token, INVITE, _load)


def accept_invitation(token: str, new: str) -> User:
    """A new staff member sets their own first password through the invitation link."""
    user = user_for_link_token(token, INVITE, _load)
    _set_new_password(user, new, "user.accept_invitation")
    _verified_by_link(user)
    return user


def _verified_by_link(user: User) -> None:
    # Opening a link mailed to the address proves the address, as verification would.
    if not user.is_verified:
        from events.residents.services import match_by_domain

        mark_verified(user)
        match_by_domain(user)


def invite(user: User, actor: User) -> None:
    link = absolute_url("auth.accept_invitation", token=make_link_token(user, INVITE))
    queue_mail(user, SUBJECTS["invitation_account"], "invitation_account", link=link,
               user=user, actor=actor)


# ---- accounts managed by admins and coordinators ---------------------------------------------

def create_account(
    actor: User, *, email: str, name: str, role: Role, partner: Partner | None = None,
    company: str = "", site_partner: Partner | None = None,
) -> User:
    """An admin creates any account; a coordinator creates staff of their own partner. The
    person gets an invitation mail and sets their own password."""
    from events.auth.permissions import can_create_account

    role = Role(role)
    if actor.is_coordinator and not actor.is_admin:
        partner = actor.partner  # coordinators can only add people to their own partner
    candidate = User(role=role, partner_id=partner.id if partner else None)
    if not can_create_account(actor, candidate):
        raise NotAllowed(_("You may not create this kind of account."), field="role")
    user = create_user(
        email=email, name=name, password=None, role=role, partner=partner,
        company=company, site_partner=site_partner, actor=actor,
    )
    if role == Role.RESIDENT and site_partner is not None:
        user.residency = Residency.CONFIRMED
    invite(user, actor)
    return user


def set_account_active(actor: User, user: User, active: bool) -> None:
    """Disable (or enable again) an account; a disabled account is signed out everywhere."""
    from events.auth.permissions import can_change_account

    if not can_change_account(actor, user):
        raise NotAllowed(_("You may not change this account."))
    changes = apply_changes(user, {"is_active": active})
    if changes:
        if not active:
            user.rotate_session_token()
        record(actor, "user.enable" if active else "user.disable", user, changes)


def accounts_with_bad_addresses() -> list[tuple[User, str]]:
    """Accounts (not deleted) whose stored address fails the address rules, with the reason:
    written before the rules or around them. Listed by `flask check-addresses`."""
    users = db.session.scalars(sa.select(User).where(User.deleted_at.is_(None))
                               .order_by(User.id).execution_options(yield_per=500))
    return [(user, problem) for user in users if (problem := address_problem(user.email))]


def accounts_for(actor: User) -> list[User]:
    """The accounts this person sees: admins every one; coordinators their partner's staff and
    the people who named their partner's site. Staff first, then by name."""
    stmt = sa.select(User).options(
        sa.orm.selectinload(User.partner), sa.orm.selectinload(User.site_partner),
        sa.orm.selectinload(User.resident_company),
    ).where(User.deleted_at.is_(None)).order_by(User.role, User.name)
    if not actor.is_admin:
        stmt = stmt.where(sa.or_(User.partner_id == actor.partner_id,
                                 User.site_partner_id == actor.partner_id))
    return list(db.session.scalars(stmt))
