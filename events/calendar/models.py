"""Calendar tables: private feed tokens, the change counter behind every feed's ETag, each
event's serialised VEVENT per language, and background .ics imports."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from events.auth.models import User
from events.db import UTCDateTime, enum_type, utcnow
from events.enums import ImportJobStatus
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


class CalendarState(db.Model):
    """One row. Every transaction that changes anything a feed shows (events, partners,
    rooms, involvements, registrations, tokens, people) bumps `version` just before it
    commits, so every process decides ETag/304 exactly with one primary-key read."""

    __tablename__ = "calendar_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StoredVEvent(db.Model):
    """An event's VEVENT bytes in one language, written when the event (or its room or
    partners) changes, so that no worker and no restart serialises it again. `state_hash`
    is the hash of everything the bytes were made from: a row that does not match is
    ignored (never served stale)."""

    __tablename__ = "event_vevents"

    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    state_hash: Mapped[str] = mapped_column(sa.String(40))
    body: Mapped[bytes] = mapped_column(sa.LargeBinary)
    written_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ImportJob(db.Model):
    """One .ics import: the file, the preview read from it (what each event would become and
    what the rules refuse), the person's choices, then progress and the result."""

    __tablename__ = "import_jobs"
    __table_args__ = (
        sa.CheckConstraint("processed >= 0 AND total >= 0", name="counts_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    status: Mapped[ImportJobStatus] = mapped_column(
        enum_type(ImportJobStatus, "import_job_status"), default=ImportJobStatus.QUEUED)
    source: Mapped[str] = mapped_column(sa.String(300), default="")
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)  # the file, zlib-compressed
    default_zone: Mapped[str] = mapped_column(sa.String(64))
    total: Mapped[int] = mapped_column(default=0)
    processed: Mapped[int] = mapped_column(default=0)
    preview: Mapped[list | None] = mapped_column(sa.JSON)
    choices: Mapped[dict | None] = mapped_column(sa.JSON)
    result: Mapped[dict | None] = mapped_column(sa.JSON)
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User] = relationship()
