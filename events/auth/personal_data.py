"""What the partners hold about a person (Russian 152-FZ, GDPR): a copy for the person, deletion
on request, and the retention rule that anonymises attendee names of past events."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from events.api.models import ApiToken
from events.audit.models import AuditEntry
from events.audit.services import record
from events.auth.models import User
from events.calendar.models import FeedToken
from events.db import utcnow
from events.errors import ValidationFailed
from events.extensions import db
from events.planning.models import Event
from events.registrations.models import Feedback, Registration
from events.registrations.questions import forget_answers

DELETED_NAME = "—"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_personal_data(user: User) -> dict:
    """Everything about the person, as JSON-ready data (feed tokens: only that one exists)."""
    registrations = db.session.scalars(
        sa.select(Registration).where(Registration.user_id == user.id)
        .order_by(Registration.registered_at, Registration.id)
        .options(selectinload(Registration.event), selectinload(Registration.answers)))
    token = db.session.scalar(sa.select(FeedToken).where(FeedToken.user_id == user.id))
    return {
        "account": {
            "email": user.email, "name": user.name, "role": user.role.value,
            "partner": user.partner.name if user.partner else None,
            "company": user.company,
            "site_partner": user.site_partner.name if user.site_partner else None,
            "residency": user.residency.value if user.residency else None,
            "resident_company": user.resident_company.name if user.resident_company else None,
            "language": user.locale, "created_at": _iso(user.created_at),
            "email_verified_at": _iso(user.email_verified_at),
            "last_login_at": _iso(user.last_login_at),
            "password_changed_at": _iso(user.password_changed_at),
        },
        "registrations": [
            {"event": r.event.title, "event_id": r.event_id,
             "event_starts_at": _iso(r.event.starts_at), "status": r.status.value,
             "registered_at": _iso(r.registered_at), "confirmed_at": _iso(r.confirmed_at),
             "cancelled_at": _iso(r.cancelled_at), "checked_in_at": _iso(r.checked_in_at),
             "declined_at": _iso(r.declined_at), "decline_reason": r.decline_reason,
             "answers": [{"question": a.question_label, "answer": a.value}
                         for a in r.answers]}
            for r in registrations
        ],
        "feedback": [
            {"event_id": f.event_id, "rating": f.rating, "comment": f.comment,
             "created_at": _iso(f.created_at)}
            for f in db.session.scalars(
                sa.select(Feedback).join(Feedback.registration)
                .where(Registration.user_id == user.id).order_by(Feedback.id))
        ],
        "private_feed": {
            "exists": token is not None,
            "created_at": _iso(token.created_at) if token else None,
        },
        # Names and dates only: the secrets are not kept.
        "api_tokens": [
            {"name": t.name, "created_at": _iso(t.created_at),
             "revoked_at": _iso(t.revoked_at)}
            for t in db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id)
                                        .order_by(ApiToken.id))
        ],
    }


def delete_account(user: User, password: str) -> None:
    """The person deletes their account: personal fields blanked, registrations anonymised (they
    still count, so capacity, attendance figures and reports stay as they were), feed token
    and API tokens revoked, every session ended. The row stays so that the records that point
    at it hold."""
    if not user.check_password(password or ""):
        raise ValidationFailed(_("The password is not right."), field="password")
    if user.is_staff or user.is_admin:
        raise ValidationFailed(_("Staff accounts are closed by a coordinator or an admin."),
                               field="password")
    now = utcnow()
    db.session.execute(sa.delete(FeedToken).where(FeedToken.user_id == user.id))
    forget_answers(sa.select(Registration.id).where(Registration.user_id == user.id))
    db.session.execute(sa.delete(ApiToken).where(ApiToken.user_id == user.id))
    db.session.execute(
        sa.update(Registration).where(Registration.user_id == user.id)
        .values(decline_reason=None))  # staff's words about the person
    db.session.execute(
        sa.update(Registration).where(Registration.user_id == user.id,
                                      Registration.anonymised_at.is_(None))
        .values(anonymised_at=now, cancel_token_hash=None))
    # Ratings still count; the person's own words go.
    db.session.execute(
        sa.update(Feedback).where(Feedback.registration_id.in_(
            sa.select(Registration.id).where(Registration.user_id == user.id)))
        .values(comment="").execution_options(synchronize_session=False))
    # The trail keeps what happened to the account, not the personal values it recorded.
    db.session.execute(
        sa.update(AuditEntry).where(AuditEntry.subject_type == User.__tablename__,
                                    AuditEntry.subject_id == user.id).values(changes={}))
    user.email = f"deleted-{user.id}@deleted.invalid"
    user.name = DELETED_NAME
    user.company = ""
    user.site_partner_id = None
    user.resident_company_id = None
    user.locale = None
    user.is_active = False
    user.deleted_at = now
    user.set_unusable_password()
    user.rotate_session_token()
    record(user, "user.delete", user)


def anonymise_past_attendees(days: int, now: datetime | None = None) -> int:
    """Anonymise attendees of events that ended more than `days` days ago; returns how many.

    A plain function: the `flask auth anonymise-attendees` command runs it, and the background
    worker's schedule can call it. 0 days means the setting is off: nothing changes."""
    if not days or days <= 0:
        return 0
    cutoff = (now or utcnow()) - timedelta(days=days)
    ended = sa.select(Event.id).where(Event.ends_at < cutoff)
    forget_answers(sa.select(Registration.id).where(Registration.event_id.in_(ended),
                                                    Registration.anonymised_at.is_(None)))
    result = db.session.execute(
        sa.update(Registration)
        .where(Registration.event_id.in_(ended), Registration.anonymised_at.is_(None))
        .values(anonymised_at=now or utcnow(), cancel_token_hash=None, decline_reason=None)
        .execution_options(synchronize_session=False))
    return result.rowcount or 0
