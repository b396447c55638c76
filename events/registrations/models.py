"""A resident's place at an event."""

import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from events.auth.models import User
from events.db import UTCDateTime, enum_type, utcnow
from events.enums import QuestionKind, RegistrationStatus
from events.extensions import db
from events.planning.models import Event


def new_ticket_secret() -> str:
    """The random part of a ticket (events.registrations.tickets signs it for the QR code)."""
    return secrets.token_urlsafe(16)


class Registration(db.Model):
    __tablename__ = "registrations"
    __table_args__ = (
        # One active (not cancelled) registration per person per event.
        sa.Index(
            "uq_registrations_active",
            "event_id",
            "user_id",
            unique=True,
            sqlite_where=sa.text("status <> 'cancelled'"),
            postgresql_where=sa.text("status <> 'cancelled'"),
        ),
        sa.Index("ix_registrations_event_status", "event_id", "status", "registered_at"),
        sa.CheckConstraint(
            "checked_in_at IS NULL OR status = 'confirmed'", name="checked_in_only_confirmed"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(
        enum_type(RegistrationStatus, "registration_status")
    )
    # First come, first served: the waitlist is ordered by (registered_at, id).
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # SHA-256 of the secret in the cancel link; the secret itself is never stored.
    cancel_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    # The ticket's random part: the QR code carries it signed with the app's secret, so a code
    # is neither the registration id nor guessable, and a forged one is refused unread.
    ticket_secret: Mapped[str] = mapped_column(sa.String(32), unique=True,
                                               default=new_ticket_secret)
    # Set once the attendee's name may no longer be shown (retention or a deleted account);
    # the row still counts in capacity and reports.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Staff declined a pending registration (it is then cancelled); the reason is mailed.
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str | None] = mapped_column(sa.String(500))

    event: Mapped[Event] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    checked_in_by: Mapped[User | None] = relationship(foreign_keys=[checked_in_by_id])
    answers: Mapped[list["RegistrationAnswer"]] = relationship(
        back_populates="registration", cascade="all, delete-orphan", passive_deletes=True,
        order_by="RegistrationAnswer.id")


class RegistrationQuestion(db.Model):
    """A question the lead partner asks everyone who registers for an event. Removing one
    only marks it removed, so the answers already given keep their question."""

    __tablename__ = "registration_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[QuestionKind] = mapped_column(enum_type(QuestionKind, "question_kind"))
    label: Mapped[str] = mapped_column(sa.String(200))
    help_text: Mapped[str] = mapped_column(sa.String(500), default="")
    # The options of a single or multiple choice, in order (an empty list for other kinds).
    choices: Mapped[list] = mapped_column(sa.JSON, default=list)
    is_required: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()


class RegistrationAnswer(db.Model):
    """One person's answer to one question. The question's label and kind are copied in, so
    the answer still reads right after the question is changed or removed."""

    __tablename__ = "registration_answers"
    __table_args__ = (sa.UniqueConstraint("registration_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registration_questions.id", ondelete="CASCADE"), index=True)
    question_label: Mapped[str] = mapped_column(sa.String(200))
    question_kind: Mapped[QuestionKind] = mapped_column(
        enum_type(QuestionKind, "question_kind"))
    # Text for text kinds, a list of the chosen options for choices, true/false for consent;
    # None once the registration is anonymised.
    value: Mapped[object | None] = mapped_column(sa.JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    registration: Mapped[Registration] = relationship(back_populates="answers")
    question: Mapped[RegistrationQuestion] = relationship()



class Feedback(db.Model):
    """What a person who came thought of the event: a rating from 1 to 5 and a comment, once
    per registration (events.registrations.feedback). Anonymising the registration keeps the
    rating and drops the comment, which may name someone."""

    __tablename__ = "feedback"
    __table_args__ = (
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="rating_one_to_five"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        sa.ForeignKey("registrations.id", ondelete="CASCADE"), unique=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    rating: Mapped[int]
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration] = relationship()
    event: Mapped[Event] = relationship()
