"""The secret that opens one person's private calendar feed."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from events.auth.models import User
from events.db import UTCDateTime, utcnow
from events.extensions import db


class FeedToken(db.Model):
    """One per person. The URL's token is derived from `nonce` with the app's secret key, and
    only its SHA-256 is stored, so a copy of the database alone opens no feed."""

    __tablename__ = "feed_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    nonce: Mapped[str] = mapped_column(sa.String(64))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
