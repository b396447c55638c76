"""Private feed tokens: the URL's secret is HMAC-SHA256(SECRET_KEY, nonce); only its SHA-256 is
stored. A copy of the database alone opens no feed, yet the Subscribe page can show the URL
again (it recomputes the token from the stored nonce with the key)."""

import hashlib
import hmac
import re
import secrets

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from events.audit.services import record
from events.calendar.models import FeedToken
from events.db import utcnow
from events.errors import NotAllowed
from events.extensions import db

NONCE_BYTES = 32  # 256 bits of randomness behind every token
_TOKEN_SHAPE = re.compile(r"[0-9a-f]{64}")


def token_from_nonce(nonce: str, secret_key: str | bytes) -> str:
    """The secret in the URL (64 hex characters, 256 bits)."""
    key = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return hmac.new(key, nonce.encode(), hashlib.sha256).hexdigest()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_token_of(user) -> FeedToken | None:
    return db.session.scalar(sa.select(FeedToken).where(FeedToken.user_id == user.id))


def owner_of(token: str):
    """The person a presented token opens the feed of, or None (wrong, old or malformed)."""
    if not _TOKEN_SHAPE.fullmatch(token or ""):
        return None
    row = db.session.scalar(
        sa.select(FeedToken).where(FeedToken.token_hash == token_hash(token)))
    if row is None or not row.user.is_active:
        return None
    return row.user


def issue_feed_token(actor, *, secret_key: str) -> str:
    """Create the person's feed token, or replace it: the old URL stops working at once.

    Returns the new token (the caller shows the URL; it is never stored)."""
    if actor is None or not actor.is_authenticated:
        raise NotAllowed("Sign in to get a private feed.")
    nonce = secrets.token_hex(NONCE_BYTES)
    token = token_from_nonce(nonce, secret_key)
    row = db.session.scalar(
        sa.select(FeedToken).where(FeedToken.user_id == actor.id).with_for_update())
    action = "feed_token.regenerate"
    if row is None:
        action = "feed_token.create"
        try:
            with db.session.begin_nested():
                row = FeedToken(user_id=actor.id, nonce=nonce, token_hash=token_hash(token),
                                created_at=utcnow())
                db.session.add(row)
        except IntegrityError:
            # Someone (another tab) created it a moment ago: replace that one instead.
            row = db.session.scalar(
                sa.select(FeedToken).where(FeedToken.user_id == actor.id).with_for_update())
            action = "feed_token.regenerate"
    if action == "feed_token.regenerate":
        row.nonce = nonce
        row.token_hash = token_hash(token)
        row.created_at = utcnow()
        row.last_used_at = None
    db.session.flush()
    # No secret in the trail: only that it happened.
    record(actor, action, row)
    return token
