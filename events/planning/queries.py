"""Reused event selects, with the eager loading that keeps query counts constant."""

import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from events import bilingual
from events.auth.permissions import audiences_for, is_admin, is_staff
from events.db import utcnow
from events.enums import (
    Audience,
    Category,
    EventFormat,
    EventStatus,
    InvolvementRole,
    InvolvementState,
)
from events.extensions import db
from events.partners.models import Partner, Venue
from events.planning.models import Event, Involvement, Programme

EVENT_CARD_OPTIONS = (
    selectinload(Event.venue).selectinload(Venue.partner),
    selectinload(Event.involvements).selectinload(Involvement.partner),
)
SEARCH_MAX = 100
# Database integer ids stop here; a larger number in a URL is simply not found.
MAX_ID = 2**31 - 1
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
DASHBOARD_LIMIT = 50


@dataclass(frozen=True)
class EventFilters:
    """What the agenda and the calendar may be narrowed to (all optional)."""

    partner: Partner | None = None
    category: Category | None = None
    audience: Audience | None = None
    format: EventFormat | None = None
    q: str = ""
    programme: Programme | None = None  # not read from the agenda's query string

    @classmethod
    def from_args(cls, args, partners: list[Partner]) -> "EventFilters":
        """Read ?partner=slug&category=&audience=&format=&q=; unknown values are ignored."""
        def member(enum_cls, name):
            try:
                return enum_cls(args.get(name, ""))
            except ValueError:
                return None

        slug = args.get("partner", "")
        return cls(
            partner=next((p for p in partners if p.slug == slug), None),
            category=member(Category, "category"),
            audience=member(Audience, "audience"),
            format=member(EventFormat, "format"),
            q=" ".join(_CONTROL.sub("", args.get("q") or "").split())[:SEARCH_MAX],
        )

    @property
    def active(self) -> bool:
        return any((self.partner, self.category, self.audience, self.format, self.q))

    def as_args(self) -> dict[str, str]:
        """The filters as query-string arguments, for pagination and calendar links."""
        args = {"partner": self.partner.slug if self.partner else "",
                "category": self.category or "", "audience": self.audience or "",
                "format": self.format or "", "q": self.q}
        return {k: str(v) for k, v in args.items() if v}


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def apply_filters(stmt, filters: EventFilters | None):
    if filters is None:
        return stmt
    if filters.partner is not None:
        stmt = stmt.where(Event.id.in_(
            sa.select(Involvement.event_id).where(
                Involvement.partner_id == filters.partner.id,
                Involvement.state != InvolvementState.DECLINED,
            )
        ))
    if filters.programme is not None:
        stmt = stmt.where(Event.programme_id == filters.programme.id)
    for column, value in ((Event.category, filters.category), (Event.audience, filters.audience),
                          (Event.format, filters.format)):
        if value is not None:
            stmt = stmt.where(column == value)
    if filters.q:
        pattern = f"%{_escape_like(filters.q.lower())}%"
        stmt = stmt.where(bilingual.matches(Event, pattern))  # either language
    return stmt


def visible_events_clause(user):
    """SQL twin of events.auth.permissions.can_view_event, for lists, calendars, feeds and
    reports (tests/planning/test_visibility.py holds the two to the same matrix)."""
    if is_admin(user):
        return sa.true()
    published = sa.and_(
        Event.status.in_([EventStatus.SCHEDULED, EventStatus.CANCELLED]),
        Event.audience.in_(audiences_for(user)),
    )
    if not is_staff(user):
        return published
    mine = sa.select(Involvement.id).where(
        Involvement.event_id == Event.id, Involvement.partner_id == user.partner_id
    )
    return sa.or_(
        published,
        sa.and_(Event.status == EventStatus.PROPOSED, mine.exists()),
        sa.and_(
            Event.status == EventStatus.DRAFT,
            mine.where(Involvement.role == InvolvementRole.HOST).exists(),
        ),
    )


def visible_events(user):
    """A select of events this person may see, with what a card shows loaded eagerly."""
    return sa.select(Event).where(visible_events_clause(user)).options(*EVENT_CARD_OPTIONS)


def _upcoming_select(user, filters: EventFilters | None, now: datetime | None):
    stmt = (
        visible_events(user)
        .where(Event.ends_at > (now or utcnow()))
        .where(Event.status != EventStatus.DRAFT)
        .order_by(Event.starts_at, Event.id)
    )
    return apply_filters(stmt, filters)


def upcoming_events(user, *, limit: int | None = None, now: datetime | None = None,
                    filters: EventFilters | None = None):
    """Visible events that have not ended yet, soonest first."""
    stmt = _upcoming_select(user, filters, now)
    if limit:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


def agenda_page(user, filters: EventFilters, page: int, per_page: int):
    """One page of the agenda (a Flask-SQLAlchemy Pagination): two queries plus eager loads."""
    return db.paginate(_upcoming_select(user, filters, None), page=page, per_page=per_page,
                       error_out=False, count=True)


def events_between(user, start: datetime, end: datetime, filters: EventFilters | None = None):
    """Visible events overlapping [start, end), for calendar views."""
    stmt = (
        visible_events(user)
        .where(Event.starts_at < end, Event.ends_at > start)
        .order_by(Event.starts_at, Event.id)
    )
    return list(db.session.scalars(apply_filters(stmt, filters)))


def get_event(event_id: int) -> Event | None:
    if not 0 < event_id <= MAX_ID:
        return None
    return db.session.scalar(
        sa.select(Event).where(Event.id == event_id).options(
            *EVENT_CARD_OPTIONS, selectinload(Event.programme),
            selectinload(Event.involvements).selectinload(Involvement.answered_by),
        )
    )


def get_involvement(involvement_id: int) -> Involvement | None:
    if not 0 < involvement_id <= MAX_ID:
        return None
    return db.session.scalar(
        sa.select(Involvement).where(Involvement.id == involvement_id)
        .options(selectinload(Involvement.event).options(*EVENT_CARD_OPTIONS))
    )


def all_programmes() -> list[Programme]:
    return list(db.session.scalars(sa.select(Programme).order_by(Programme.title)))


def venue_choices(current: Venue | None = None) -> list[Venue]:
    """Active rooms of every partner, plus the event's current room even if retired."""
    venues = list(db.session.scalars(
        sa.select(Venue)
        .where(sa.or_(Venue.is_active.is_(True), Venue.id == (current.id if current else -1)))
        .options(selectinload(Venue.partner))
        .order_by(Venue.partner_id, Venue.site, Venue.name)
    ))
    return venues


def staff_dashboard(user) -> dict:
    """What a partner's staff see first: invitations to answer, their partner's drafts and
    proposals (with who has not answered yet), and upcoming events with their fill rate."""
    base = visible_events(user).order_by(Event.starts_at, Event.id)
    now = utcnow()
    if user.is_admin:
        ours = sa.select(Involvement.event_id)
        led = ours.where(Involvement.role == InvolvementRole.HOST)
    else:
        ours = sa.select(Involvement.event_id).where(Involvement.partner_id == user.partner_id)
        led = ours.where(Involvement.role == InvolvementRole.HOST)
    invited = ours.where(Involvement.state == InvolvementState.INVITED,
                         Involvement.role != InvolvementRole.HOST)
    return {
        "invitations": list(db.session.scalars(
            base.where(Event.id.in_(invited), Event.ends_at > now,
                       Event.status.in_([EventStatus.PROPOSED, EventStatus.SCHEDULED]))
            .limit(DASHBOARD_LIMIT))),
        "drafts": list(db.session.scalars(
            base.where(Event.id.in_(led), Event.ends_at > now, Event.status.in_(
                [EventStatus.DRAFT, EventStatus.PROPOSED])).limit(DASHBOARD_LIMIT))),
        "upcoming": list(db.session.scalars(
            base.where(Event.id.in_(ours), Event.status == EventStatus.SCHEDULED,
                       Event.ends_at > now).limit(DASHBOARD_LIMIT))),
    }
