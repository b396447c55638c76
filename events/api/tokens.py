"""Issuing, listing, revoking and reading personal API tokens. A token is 256 random bits
behind a `je_` prefix; the database holds its SHA-256 only, so a copy of it opens nothing."""

import hashlib
import re
import secrets

import sqlalchemy as sa
from flask_babel import gettext as _

from events.api.models import ApiToken
from events.audit.services import record
from events.db import utcnow
from events.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from events.extensions import db
from events.planning.validation import clean_text

PREFIX = "je_"
NAME_MAX = 100
TOKENS_MAX = 20  # active tokens per person
_SHAPE = re.compile(r"je_[A-Za-z0-9_-]{43}")


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def tokens_of(user) -> list[ApiToken]:
    """The person's active tokens, newest first."""
    return list(db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def issue_api_token(actor, name: str) -> tuple[ApiToken, str]:
    """A new named token for the actor; returns the row and the secret (never stored)."""
    if actor is None or not actor.is_authenticated:
        raise NotAllowed(_("Sign in to make an API token."))
    name = clean_text(name, one_line=True)
    if not name:
        raise ValidationFailed(_("Name the token, for example after the script using it."),
                               field="name")
    if len(name) > NAME_MAX:
        raise ValidationFailed(_("Use at most %(n)d characters.", n=NAME_MAX), field="name")
    if len(tokens_of(actor)) >= TOKENS_MAX:
        raise Conflict(_("You have %(n)d tokens; revoke one you no longer use first.",
                         n=TOKENS_MAX), field="name")
    secret = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=actor.id, name=name, prefix=secret[:8], token_hash=token_hash(secret),
                   created_at=utcnow())
    db.session.add(row)
    db.session.flush()
    record(actor, "api_token.create", row, {"name": [None, name]})  # no secret in the trail
    return row, secret


def revoke_api_token(actor, token_id: int) -> ApiToken:
    """The token stops working at once; only its owner revokes it."""
    row = db.session.get(ApiToken, token_id) if 0 < token_id <= 2**31 - 1 else None
    if row is None or row.revoked_at is not None:
        raise NotFound(_("This token does not exist or is already revoked."))
    if row.user_id != getattr(actor, "id", None):
        raise NotFound(_("This token does not exist or is already revoked."))
    row.revoked_at = utcnow()
    db.session.flush()
    record(actor, "api_token.revoke", row, {"name": [row.name, row.name]})
    return row


def owner_of(secret: str):
    """The active person a presented token belongs to, or None (wrong, revoked, malformed)."""
    if not _SHAPE.fullmatch(secret or ""):
        return None
    row = db.session.scalar(sa.select(ApiToken).where(
        ApiToken.token_hash == token_hash(secret), ApiToken.revoked_at.is_(None)))
    if row is None or not row.user.is_active:
        return None
    return row.user
