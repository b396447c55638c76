"""What each feed holds, as SQL: the selection, its cheap fingerprint (for ETag/304) and the
eager-loaded events to serialise. Visibility always comes from
events.planning.queries.visible_events_clause (the SQL twin of can_view_event)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from events.calendar.ical import Attendance
from events.calendar.recurring import Candidate, SeriesRule
from events.db import UTCDateTime
from events.enums import (
    Audience,
    Category,
    EventStatus,
    InvolvementRole,
    InvolvementState,
    RegistrationStatus,
)
from events.extensions import db
from events.partners.models import Partner, Venue
from events.planning.models import Event, Involvement, Series
from events.planning.queries import visible_events_clause
from events.registrations.models import Registration

# Audiences a feed may be narrowed to; internal events never appear in /calendar.ics.
FEED_AUDIENCES = (Audience.PUBLIC, Audience.RESIDENTS)

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass
class Window:
    """Events that ended up to `past_days` ago, all future ones; cancellations for a while."""

    now: datetime
    past_days: int
    cancelled_days: int

    @property
    def ends_after(self) -> datetime:
        return self.now - timedelta(days=self.past_days)

    @property
    def cancelled_after(self) -> datetime:
        return self.now - timedelta(days=self.cancelled_days)


@dataclass
class FeedSelection:
    """One feed's events: `base` = who may see what and what the feed is about; the window
    (time, status) is applied on top so the fingerprint can also see what left it."""

    base: sa.ColumnElement
    window: Window
    statuses: tuple[EventStatus, ...] = (EventStatus.SCHEDULED,)
    registrant_id: int | None = None  # private feeds: mark this person's waitlisted events

    def cancelled_at(self):
        return sa.func.coalesce(Event.cancelled_at, Event.updated_at)

    def clause(self) -> sa.ColumnElement:
        return sa.and_(self.base, self.window_clause())

    def window_clause(self) -> sa.ColumnElement:
        return sa.and_(
            Event.ends_at > self.window.ends_after,
            sa.or_(
                Event.status.in_(self.statuses),
                sa.and_(Event.status == EventStatus.CANCELLED,
                        self.cancelled_at() > self.window.cancelled_after),
            ),
        )


def _published_base(viewer, audience: Audience):
    return sa.and_(visible_events_clause(viewer), Event.audience == audience)


def public_selection(viewer, window: Window, *, audience: Audience = Audience.PUBLIC,
                     category=None) -> FeedSelection:
    """/calendar.ics: scheduled events of one (non-internal) audience the viewer may see."""
    base = _published_base(viewer, audience)
    if category is not None:
        base = sa.and_(base, Event.category == category)
    return FeedSelection(base=base, window=window)


def partner_selection(viewer, partner, window: Window) -> FeedSelection:
    """/partners/<slug>/calendar.ics: public events the partner hosts, co-hosts or supports."""
    involved = sa.select(Involvement.id).where(
        Involvement.event_id == Event.id, Involvement.partner_id == partner.id,
        Involvement.state != InvolvementState.DECLINED,
    ).exists()
    return FeedSelection(base=sa.and_(_published_base(viewer, Audience.PUBLIC), involved),
                         window=window)


# A pending registration (waiting for approval) puts nothing in the person's calendar yet.
SEAT_OR_WAITLIST = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)


def personal_selection(user, window: Window) -> FeedSelection:
    """/feeds/<token>.ics: the person's registrations, and for staff every event their
    partner is involved in (drafts and proposals included, as far as they may see them)."""
    registered = sa.select(Registration.id).where(
        Registration.event_id == Event.id, Registration.user_id == user.id,
        Registration.status.in_(SEAT_OR_WAITLIST),
    ).exists()
    mine = registered
    if user.is_staff and user.partner_id is not None:
        involved = sa.select(Involvement.id).where(
            Involvement.event_id == Event.id, Involvement.partner_id == user.partner_id,
            Involvement.state != InvolvementState.DECLINED,
        ).exists()
        mine = sa.or_(registered, involved)
    statuses = (EventStatus.SCHEDULED,)
    if user.is_staff:
        statuses = (EventStatus.DRAFT, EventStatus.PROPOSED, EventStatus.SCHEDULED)
    return FeedSelection(base=sa.and_(visible_events_clause(user), mine), window=window,
                         statuses=statuses, registrant_id=user.id)


def _newest(*values) -> datetime | None:
    known = [v if v.tzinfo else v.replace(tzinfo=UTC) for v in values if v is not None]
    return max(known) if known else None


def _names_of(model, *fields):
    """Every row's text of a small table (partners, rooms) in one string: they carry no
    timestamps, yet renaming one changes LOCATION, ORGANIZER or DESCRIPTION in feeds."""
    text = sa.literal("")
    for field in fields:
        text = text + sa.func.coalesce(sa.cast(field, sa.String), "") + "\x1f"
    rows = sa.select(text.label("text")).order_by(model.id).subquery()
    return (sa.select(sa.func.aggregate_strings(rows.c.text, "\x1e"))
            .select_from(rows).scalar_subquery())


@dataclass(frozen=True)
class Fingerprint:
    """A feed's state (for the ETag), its Last-Modified, and the moment it will change by
    time alone (an event leaving the window) — until then only a write can change it."""

    state: tuple
    last_modified: datetime
    valid_until: datetime | None


# A feed's state, in this order (the ETag hashes it); a personal feed adds its own columns
# between the events' and the names'. The other columns only date the feed.
_EVENT_STATE = ("events", "last_event", "sequences", "updated", "partners", "answered",
                "series")
_REGISTRANT_STATE = ("registrations", "last_registration", "registration_changed",
                     "waiting")
_NAMES_STATE = ("partner_names", "venue_names", "partners_updated", "venues_updated")
# Read as aware UTC times before they go into the state.
_TIMED_STATE = ("updated", "answered")


def _event_columns(selection: FeedSelection, if_inside) -> tuple[list, sa.Subquery]:
    """The feed's events and their partners; the newest of those that already left the
    window (that changed the feed then); the first moment one will leave it by time alone."""
    window = selection.window
    cancelled_at = selection.cancelled_at()
    partners = (
        sa.select(Involvement.event_id, sa.func.count(Involvement.id).label("n"),
                  sa.func.max(sa.func.coalesce(Involvement.answered_at, Involvement.invited_at))
                  .label("changed"))
        .group_by(Involvement.event_id).subquery())
    is_cancelled = Event.status == EventStatus.CANCELLED
    columns = [
        sa.func.count(if_inside(Event.id)).label("events"),
        sa.func.max(if_inside(Event.id)).label("last_event"),
        sa.func.coalesce(sa.func.sum(if_inside(Event.sequence)), 0).label("sequences"),
        sa.func.max(if_inside(Event.updated_at)).label("updated"),
        sa.func.coalesce(sa.func.sum(if_inside(partners.c.n)), 0).label("partners"),
        sa.func.max(if_inside(partners.c.changed)).label("answered"),
        # A series removed leaves its dates (series_id set NULL, updated_at untouched).
        sa.func.coalesce(sa.func.sum(if_inside(Event.series_id)), 0).label("series"),
        sa.func.max(sa.case((Event.ends_at <= window.ends_after, Event.ends_at)))
        .label("ended"),
        sa.func.max(sa.case((sa.and_(is_cancelled, cancelled_at <= window.cancelled_after),
                             cancelled_at))).label("cancelled"),
        sa.func.min(if_inside(Event.ends_at)).label("first_end"),
        sa.func.min(if_inside(sa.case((is_cancelled, cancelled_at)))).label("first_cancelled"),
    ]
    return columns, partners


def _registrant_columns(registrant_id: int, if_inside) -> tuple[list, sa.Subquery]:
    """A personal feed: the person's registrations for the feed's events."""
    mine = (
        sa.select(Registration.event_id, sa.func.count(Registration.id).label("n"),
                  sa.func.max(Registration.id).label("last"),
                  sa.func.max(sa.func.coalesce(
                      Registration.cancelled_at, Registration.confirmed_at,
                      Registration.registered_at)).label("changed"),
                  sa.func.sum(sa.case(
                      (Registration.status == RegistrationStatus.WAITLISTED, 1), else_=0))
                  .label("waiting"))
        .where(Registration.user_id == registrant_id)
        .group_by(Registration.event_id).subquery())
    columns = [
        sa.func.coalesce(sa.func.sum(if_inside(mine.c.n)), 0).label("registrations"),
        sa.func.max(if_inside(mine.c.last)).label("last_registration"),
        sa.func.max(if_inside(mine.c.changed)).label("registration_changed"),
        sa.func.coalesce(sa.func.sum(if_inside(mine.c.waiting)), 0).label("waiting"),
    ]
    return columns, mine


def _names_columns() -> list:
    """Partners' and rooms' text and when they last changed: renames show in feeds."""
    return [
        _names_of(Partner, Partner.name, Partner.short_name, Partner.slug)
        .label("partner_names"),
        _names_of(Venue, Venue.name, Venue.building, Venue.site, Venue.address,
                  Venue.latitude, Venue.longitude).label("venue_names"),
        sa.select(sa.func.max(Partner.updated_at)).scalar_subquery().label("partners_updated"),
        sa.select(sa.func.max(Venue.updated_at)).scalar_subquery().label("venues_updated"),
    ]


def _fingerprint_row(selection: FeedSelection):
    """The one aggregate row, its columns named as in _EVENT_STATE and the others."""
    inside = selection.window_clause()

    def if_inside(value):
        return sa.case((inside, value))

    columns, partners = _event_columns(selection, if_inside)
    stmt = sa.select(Event.id).outerjoin(partners, partners.c.event_id == Event.id)
    if selection.registrant_id is not None:
        mine_columns, mine = _registrant_columns(selection.registrant_id, if_inside)
        columns += mine_columns
        stmt = stmt.outerjoin(mine, mine.c.event_id == Event.id)
    columns += _names_columns()
    return db.session.execute(
        stmt.with_only_columns(*columns).where(selection.base)).one()._mapping


def _as_time(value) -> datetime | None:
    """SQLite hands back aggregates of dates as text; read them like the column would."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return UTCDateTime().process_result_value(value, db.engine.dialect)


def _last_change(row, selection: FeedSelection) -> datetime:
    """The newest moment the feed changed, including an event leaving the window."""
    window = selection.window
    moments = [_as_time(row[name]) for name in
               ("updated", "answered", "partners_updated", "venues_updated")]
    ended, cancelled = _as_time(row["ended"]), _as_time(row["cancelled"])
    if ended is not None:
        moments.append(ended + timedelta(days=window.past_days))
    if cancelled is not None:
        moments.append(cancelled + timedelta(days=window.cancelled_days))
    if selection.registrant_id is not None:
        moments.append(_as_time(row["registration_changed"]))
    return _newest(*moments) or _EPOCH


def _next_leave(row, window: Window) -> datetime | None:
    """When the first event will leave the window by time alone (ended or cancelled long
    enough ago); until then only a write changes the feed."""
    first_end, first_cancelled = _as_time(row["first_end"]), _as_time(row["first_cancelled"])
    leaves = [t for t in (
        first_end and first_end + timedelta(days=window.past_days),
        first_cancelled and first_cancelled + timedelta(days=window.cancelled_days)) if t]
    return min(leaves) if leaves else None


def fingerprint(selection: FeedSelection) -> Fingerprint:
    """A feed's Fingerprint in ONE query, without loading a single event.

    The state changes whenever the feed's bytes would: an event added, changed (updated_at,
    sequence), removed or leaving the window, a partner joining or answering, a registration
    made, moved off the waitlist or cancelled. Last-Modified is the newest of those moments,
    including the moment an event left the window. One pass over the feed's events (the
    window is applied inside the aggregates, so the same pass sees what already left it)."""
    row = _fingerprint_row(selection)
    names = _EVENT_STATE + (_REGISTRANT_STATE if selection.registrant_id is not None else ())
    last_modified = _last_change(row, selection)
    raw = [_as_time(row[name]) if name in _TIMED_STATE else row[name]
           for name in names + _NAMES_STATE] + [last_modified]
    state = tuple(v.isoformat() if isinstance(v, datetime) else v for v in raw)
    return Fingerprint(state, min(last_modified, selection.window.now).replace(microsecond=0),
                       _next_leave(row, selection.window))


@dataclass(slots=True)
class FeedPartner:
    name: str
    slug: str


@dataclass(slots=True)
class FeedInvolvement:
    role: InvolvementRole
    state: InvolvementState
    partner: FeedPartner


@dataclass(slots=True)
class FeedVenue:
    name: str
    building: str
    site: str
    address: str
    latitude: float | None
    longitude: float | None

    label = Venue.label  # the same "room, building, site" as everywhere else


@dataclass(slots=True)
class FeedEvent:
    """What a feed shows of an event: the columns ical.vevent reads, without ORM tracking
    (loading 10,000 ORM objects with their relations costs more than serialising them)."""

    id: int
    uid: str
    title: str
    summary: str
    description: str
    status: EventStatus
    category: Category
    timezone: str
    is_all_day: bool
    starts_at: datetime
    ends_at: datetime
    sequence: int
    created_at: datetime
    updated_at: datetime
    cancel_reason: str | None
    online_url: str | None
    venue: FeedVenue | None
    involvements: list[FeedInvolvement]


def _feed_event_columns() -> tuple:
    """The FeedEvent's columns; the text in the reader's language (events.bilingual), so
    built for each query, never once at import."""
    return (Event.id, Event.uid, Event.title, Event.summary, Event.description,
            Event.status, Event.category, Event.timezone, Event.is_all_day,
            Event.starts_at, Event.ends_at,
            Event.sequence, Event.created_at, Event.updated_at, Event.cancel_reason,
            Event.online_url)
_VENUE_COLUMNS = (Venue.id, Venue.name, Venue.building, Venue.site, Venue.address,
                  Venue.latitude, Venue.longitude)


def feed_events(selection: FeedSelection | None = None, *,
                ids: list[int] | None = None) -> list[FeedEvent]:
    """The feed's events (or the events `ids`) with room and partners, in two queries."""
    in_feed = selection.clause() if selection is not None else Event.id.in_(ids or [])
    columns = _feed_event_columns()
    rows = db.session.execute(
        sa.select(*columns, *_VENUE_COLUMNS)
        .outerjoin(Venue, Venue.id == Event.venue_id)
        .where(in_feed).order_by(Event.starts_at, Event.id)).all()
    partners_of: dict[int, list[FeedInvolvement]] = {}
    chosen = (sa.select(Event.id).where(in_feed) if selection is not None
              else [row[0] for row in rows])
    for event_id, role, state, name, slug in db.session.execute(
        sa.select(Involvement.event_id, Involvement.role, Involvement.state, Partner.name,
                  Partner.slug)
        .join(Partner, Partner.id == Involvement.partner_id)
        .where(Involvement.event_id.in_(chosen))
        .order_by(Involvement.id)
    ):
        partners_of.setdefault(event_id, []).append(
            FeedInvolvement(role, state, FeedPartner(name, slug)))
    n = len(columns)
    return [
        FeedEvent(*row[:n], venue=None if row[n] is None else FeedVenue(*row[n + 1:]),
                  involvements=partners_of.get(row[0], []))
        for row in rows
    ]


@dataclass(slots=True)
class IndexRow:
    """What a feed needs to know of an event without reading its text: the stamp (as the
    database writes it) that changes whenever its VEVENT would, and the stored VEVENT."""

    id: int
    stamp: str
    stored_hash: str | None
    body: bytes | None
    candidate: Candidate | None = None  # an occurrence of a series (with `series=True`)


def _text(column) -> sa.ColumnElement:
    """A column as the database's own text, never NULL (no Python-side conversion)."""
    return sa.func.coalesce(sa.cast(column, sa.String), "")


def _stamps_of_partners(events):
    """Per event (of `events`, a select of ids or a list): how many partners, which, their
    newest invitation/answer and the newest partner rename."""
    return (
        sa.select(Involvement.event_id, sa.func.count(Involvement.id).label("n"),
                  sa.func.max(sa.func.coalesce(Involvement.answered_at, Involvement.invited_at))
                  .label("changed"),
                  sa.func.max(Partner.updated_at).label("renamed"),
                  sa.func.sum(Involvement.partner_id).label("ids"))
        .join(Partner, Partner.id == Involvement.partner_id)
        .where(Involvement.event_id.in_(events))
        .group_by(Involvement.event_id).subquery())


_SERIES_COLUMNS = (Event.recurrence_start, Event.timezone, Event.is_all_day, Series.id,
                   Series.timezone, Series.frequency, Series.interval, Series.weekdays,
                   Series.month_day, Series.nth, Series.nth_weekday, Series.until,
                   Series.count)


def _candidate(event_id: int, values) -> Candidate | None:
    slot, timezone, is_all_day, series_id, *rule = values
    if series_id is None:
        return None
    return Candidate(event_id, slot, timezone, bool(is_all_day), SeriesRule(series_id, *rule))


def feed_index(selection: FeedSelection | None, language: str, *, bodies: bool = True,
               ids: list[int] | None = None, series: bool = False) -> list[IndexRow]:
    """The feed's events in order with their stamps and stored VEVENT (one query). The stamp
    is one text the database builds: the event's updated_at and sequence, its room and the
    room's last rename, its partners (count, ids, answers, renames). With `series`, each
    occurrence of a series also carries its pattern's date and the series' pattern."""
    from events.calendar.models import StoredVEvent

    partners = _stamps_of_partners(
        ids if ids is not None else sa.select(Event.id).where(selection.clause()))
    stored = aliased(StoredVEvent)
    stamp = _text(Event.updated_at)
    for part in (Event.sequence, Event.venue_id, Venue.updated_at, partners.c.n,
                 partners.c.changed, partners.c.renamed, partners.c.ids):
        stamp = stamp + "|" + _text(part)
    columns = [Event.id, stamp, stored.state_hash]
    if bodies:
        columns.append(stored.body)
    if series:
        columns += _SERIES_COLUMNS
    stmt = (sa.select(*columns)
            .outerjoin(Venue, Venue.id == Event.venue_id)
            .outerjoin(partners, partners.c.event_id == Event.id)
            .outerjoin(stored, sa.and_(stored.event_id == Event.id,
                                       stored.language == language))
            .order_by(Event.starts_at, Event.id))
    if series:
        stmt = stmt.outerjoin(Series, Series.id == Event.series_id)
    stmt = stmt.where(selection.clause()) if ids is None else stmt.where(Event.id.in_(ids))
    first = 4 if bodies else 3
    return [IndexRow(row[0], row[1], row[2], row[3] if bodies else None,
                     _candidate(row[0], row[first:]) if series else None)
            for row in db.session.execute(stmt)]


def zone_spans(selection: FeedSelection) -> list[tuple[str, int, int]]:
    """(zone, first year, last year) of the feed's timed events: what VTIMEZONEs it needs."""
    rows = db.session.execute(
        sa.select(Event.timezone, sa.func.min(Event.starts_at), sa.func.max(Event.ends_at))
        .where(selection.clause(), Event.is_all_day.is_(False))
        .group_by(Event.timezone).order_by(Event.timezone))
    decode = UTCDateTime().process_result_value

    def year(value) -> int:
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return decode(value, db.engine.dialect).year

    return [(zone, year(first), year(last)) for zone, first, last in rows]


def stored_bodies(ids: list[int], language: str, *, whole: bool = False,
                  selection: FeedSelection | None = None) -> dict[int, bytes]:
    """Stored VEVENT bytes of these events (`whole`: of the whole selection, one query
    without a long IN list, for a feed that needs most of them)."""
    from events.calendar.models import StoredVEvent

    stmt = sa.select(StoredVEvent.event_id, StoredVEvent.body).where(
        StoredVEvent.language == language)
    if whole and selection is not None:
        stmt = stmt.where(StoredVEvent.event_id.in_(sa.select(Event.id).where(
            selection.clause())))
        wanted = set(ids)
        return {i: body for i, body in db.session.execute(stmt) if i in wanted}
    found: dict[int, bytes] = {}
    for start in range(0, len(ids), 500):
        found.update((i, body) for i, body in db.session.execute(
            stmt.where(StoredVEvent.event_id.in_(ids[start:start + 500]))))
    return found


def attendance_of(selection: FeedSelection) -> dict[int, Attendance]:
    """Private feeds: the events the owner is waitlisted for, or won a seat from the waitlist
    for (confirmed later than registered), and when."""
    if selection.registrant_id is None:
        return {}
    rows = db.session.execute(sa.select(
        Registration.event_id, Registration.status, Registration.registered_at,
        Registration.confirmed_at).where(
        Registration.user_id == selection.registrant_id,
        Registration.status.in_(SEAT_OR_WAITLIST)))
    shown = {}
    for event_id, status, registered_at, confirmed_at in rows:
        if status == RegistrationStatus.WAITLISTED:
            shown[event_id] = Attendance(waitlisted=True)
        elif confirmed_at is not None and confirmed_at > registered_at:
            shown[event_id] = Attendance(promoted_at=confirmed_at)
    return shown


def get_event_for_download(event_id: int) -> Event | None:
    return db.session.scalar(sa.select(Event).where(Event.id == event_id).options(
        selectinload(Event.venue).selectinload(Venue.partner),
        selectinload(Event.involvements).selectinload(Involvement.partner)))


def uids_taken(uids) -> set[str]:
    """Which of these stored UIDs already belong to an event (import duplicates)."""
    uids = [u for u in uids if u]
    if not uids:
        return set()
    return set(db.session.scalars(sa.select(Event.uid).where(Event.uid.in_(uids))))
