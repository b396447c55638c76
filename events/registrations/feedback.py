"""After the event: the people who came (checked in at the door) are mailed a short form — a
rating from 1 to 5 and a comment — once, FEEDBACK_AFTER_HOURS after the end, by the worker's
sweep; they answer once, until FEEDBACK_DAYS after the end. Staff see the results beside the
attendance (confirmed, came, no-show rate) on the attendee page, and the reports show them
per partner, category and programme. Comments are shown without names."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from events.db import utcnow
from events.enums import EventStatus, RegistrationStatus
from events.errors import Conflict, DomainError, NotAllowed, ValidationFailed
from events.extensions import db
from events.outbox.services import queue_once
from events.planning.models import Event
from events.registrations import mails
from events.registrations.models import Feedback, Registration

COMMENT_MAX = 2000
RATINGS = (1, 2, 3, 4, 5)


def _closes_at(event: Event) -> datetime:
    return event.ends_at + timedelta(days=current_app.config["FEEDBACK_DAYS"])


def attended(user, event: Event) -> Registration | None:
    """The person's registration for the event if they came (checked in at the door)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        sa.select(Registration).where(Registration.event_id == event.id,
                                      Registration.user_id == user.id,
                                      Registration.checked_in_at.is_not(None)))


def given(registration: Registration) -> Feedback | None:
    return db.session.scalar(sa.select(Feedback)
                             .where(Feedback.registration_id == registration.id))


def refusal_to_give_feedback(user, event: Event, now: datetime | None = None
                             ) -> DomainError | None:
    """Why this person may not give feedback on this event now, or None."""
    now = now or utcnow()
    registration = attended(user, event)
    if registration is None:
        return NotAllowed(_("Feedback comes from the people who came to the event."))
    if event.status == EventStatus.CANCELLED:
        return Conflict(_("This event is cancelled."))
    if event.ends_at > now:
        return Conflict(_("Feedback opens when the event is over."))
    if now > _closes_at(event):
        return Conflict(_("Feedback on this event closed on %(day)s.",
                          day=_closes_at(event).date().isoformat()))
    if given(registration) is not None:
        return Conflict(_("You have already sent your feedback. Thank you!"))
    return None


def _rating(value) -> int:
    if isinstance(value, str) and value.strip() in {str(r) for r in RATINGS}:
        value = int(value)
    rating = value if isinstance(value, int) and not isinstance(value, bool) else 0
    if rating not in RATINGS:
        raise ValidationFailed(_("Choose a rating from 1 to 5."), field="rating")
    return rating


def give_feedback(user, event: Event, rating, comment: str = "",
                  now: datetime | None = None) -> Feedback:
    """Record the person's rating and comment, once."""
    refusal = refusal_to_give_feedback(user, event, now)
    if refusal is not None:
        raise refusal
    rating = _rating(rating)
    comment = (comment or "").replace("\r\n", "\n").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationFailed(_("Use at most %(n)d characters.", n=COMMENT_MAX),
                               field="comment")
    registration = attended(user, event)
    feedback = Feedback(registration=registration, event=event, rating=rating,
                        comment=comment, created_at=now or utcnow())
    db.session.add(feedback)
    db.session.flush()  # a second submission at the same moment fails on the unique key
    return feedback


# ---- results ---------------------------------------------------------------------------

@dataclass
class Attendance:
    """Who came and what they thought, for one event or a group of events."""

    events: int = 0
    confirmed: int = 0
    came: int = 0
    answers: int = 0
    rating_sum: int = 0
    ratings: Counter = field(default_factory=Counter)

    @property
    def no_show_rate(self) -> float | None:
        """Share of confirmed seats whose holder did not come (of events that are over)."""
        return None if not self.confirmed else 1 - self.came / self.confirmed

    @property
    def average(self) -> float | None:
        return None if not self.answers else self.rating_sum / self.answers


def event_results(event: Event) -> tuple[Attendance, list[Feedback]]:
    """The event's attendance and ratings, and its comments (newest first)."""
    confirmed, came = db.session.execute(
        sa.select(sa.func.count(Registration.id),
                  sa.func.count(Registration.checked_in_at))
        .where(Registration.event_id == event.id,
               Registration.status == RegistrationStatus.CONFIRMED)).one()
    result = Attendance(events=1, confirmed=confirmed, came=came)
    for rating, count in db.session.execute(
            sa.select(Feedback.rating, sa.func.count(Feedback.id))
            .where(Feedback.event_id == event.id).group_by(Feedback.rating)):
        result.ratings[rating] = count
        result.answers += count
        result.rating_sum += rating * count
    comments = list(db.session.scalars(
        sa.select(Feedback).where(Feedback.event_id == event.id, Feedback.comment != "")
        .order_by(Feedback.created_at.desc(), Feedback.id.desc())))
    return result, comments


def attendance_by(key, event_conditions: list, now: datetime | None = None
                  ) -> dict[object, Attendance]:
    """Attendance and ratings of the events that are over, grouped by `key` (a column or
    expression on events, e.g. Event.category), among the events `event_conditions` select
    (the report's filters). Three grouped queries whatever the number of events."""
    now = now or utcnow()
    over = [*event_conditions, Event.ends_at <= now, Event.status != EventStatus.CANCELLED]
    results: dict[object, Attendance] = {}

    def row(group) -> Attendance:
        return results.setdefault(group, Attendance())

    for group, count in db.session.execute(
            sa.select(key, sa.func.count(sa.distinct(Event.id))).where(*over).group_by(key)):
        row(group).events = count
    seats = (sa.select(key, sa.func.count(Registration.id),
                       sa.func.count(Registration.checked_in_at))
             .select_from(Event).join(Registration, Registration.event_id == Event.id)
             .where(*over, Registration.status == RegistrationStatus.CONFIRMED)
             .group_by(key))
    for group, confirmed, came in db.session.execute(seats):
        row(group).confirmed, row(group).came = confirmed, came
    ratings = (sa.select(key, Feedback.rating, sa.func.count(Feedback.id))
               .select_from(Event).join(Feedback, Feedback.event_id == Event.id)
               .where(*over).group_by(key, Feedback.rating))
    for group, rating, count in db.session.execute(ratings):
        item = row(group)
        item.ratings[rating] += count
        item.answers += count
        item.rating_sum += rating * count
    return results


# ---- the mail after the event -----------------------------------------------------------

def feedback_key(registration: Registration) -> str:
    return f"feedback:{registration.id}"


def due_requests(now: datetime) -> list[Registration]:
    """People who came to a scheduled event that ended FEEDBACK_AFTER_HOURS ago (and whose
    form is still open), with a live account."""
    hours = current_app.config["FEEDBACK_AFTER_HOURS"]
    if hours <= 0:
        return []
    latest_end = now - timedelta(hours=hours)
    earliest_end = now - timedelta(days=current_app.config["FEEDBACK_DAYS"])
    return list(db.session.scalars(
        sa.select(Registration).join(Registration.event)
        .where(Event.status == EventStatus.SCHEDULED,
               Event.ends_at <= latest_end, Event.ends_at > earliest_end,
               Registration.checked_in_at.is_not(None),
               Registration.anonymised_at.is_(None),
               ~sa.select(Feedback.id)
               .where(Feedback.registration_id == Registration.id).exists())
        .order_by(Registration.id)))


def queue_feedback_requests(now: datetime | None = None) -> int:
    """Add the feedback mails that are due and not yet in the outbox; returns how many. The
    outbox's unique dedupe key keeps each once across sweeps and workers."""
    now = now or utcnow()
    return queue_once(
        {feedback_key(r): r for r in due_requests(now) if r.user.is_active},
        lambda registration, key: mails.feedback_request(registration, dedupe_key=key))
