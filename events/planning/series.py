"""Series: events planned once on a pattern. Every date is an ordinary event (an occurrence)
made and changed through the single-event services (events.planning.services), so the same
checks, locks, history and mails apply to each; these functions only repeat them over the
dates. A refusal on any date stops the whole action, naming the date: the caller rolls the
request back, so a series changes as a whole or not at all. The mails the dates would each
send are held while an action runs (`series_mail`): each person gets one mail per kind that
lists the dates, with one calendar file."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _

from events import bilingual
from events.audit.services import record
from events.auth.permissions import can_create_event, can_view_event
from events.calendar.attachment import dates_attachment
from events.db import utcnow
from events.enums import EventStatus, InvolvementRole, InvolvementState
from events.errors import Conflict, DomainError, NotAllowed, ValidationFailed
from events.extensions import db
from events.mail import absolute_url, one_mail_per_person
from events.planning import services
from events.planning.models import Event, Series
from events.planning.recurrence import Pattern, PatternInvalid, expand
from events.planning.validation import (
    FIELDS,
    EventInvalid,
    check_booking,
    drop_unused_place,
    gap_message,
    is_known_zone,
    normalise,
    unknown_zone_message,
    validate,
    wall_time_exists,
    warnings_for,
)

SCOPES = ("this", "this_and_following", "all")


def series_link(event: Event) -> str:
    """Where one mail about several dates sends its reader: the series page."""
    if event.series_id is None:
        return absolute_url("planning.detail", event_id=event.id)
    return absolute_url("series.detail", series_id=event.series_id)


# An action on the dates of a series sends one mail per person and kind, not one per date.
series_mail = one_mail_per_person(attach=dates_attachment, link=series_link)
# What "this and following" / "all" carry from the edited date to the others.
SHARED_FIELDS = (*bilingual.COLUMNS, "capacity", "venue", "format",
                 "online_url", "category", "audience", "programme")


@dataclass
class PreviewDate:
    """One date of a series before it is made: its instants, and why the planning rules
    would refuse it (None when they accept it)."""

    wall: datetime
    starts_at: datetime | None
    ends_at: datetime | None
    refusal: str | None = None

    @property
    def day(self):
        return self.wall.date()


@dataclass
class Preview:
    dates: list[PreviewDate] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def refused(self) -> list[PreviewDate]:
        return [d for d in self.dates if d.refusal]


def pattern_error(error: PatternInvalid) -> ValidationFailed:
    """A pattern's refusal in the reader's language, beside its field."""
    return ValidationFailed(_(error.message, **error.params), field=error.field)


def _day(value) -> str:
    return format_date(value, "d MMMM y")


def named(event: Event, error: DomainError) -> DomainError:
    """The same refusal, saying which date of the series it is about."""
    message = _("%(date)s: %(reason)s", date=_day(event.first_day), reason=error.message)
    named = type(error).__new__(type(error))
    DomainError.__init__(named, message, getattr(error, "field", None))
    return named


def _message_of(error: DomainError) -> str:
    errors = getattr(error, "errors", None)
    return " ".join(errors.values()) if errors else error.message


# ---- preview and creation ---------------------------------------------------------------

def _first_and_duration(values: dict):
    starts, ends, zone_name = values.get("starts_at"), values.get("ends_at"), values.get(
        "timezone")
    if not isinstance(starts, datetime) or not isinstance(ends, datetime) or \
            starts.tzinfo is None or ends.tzinfo is None:
        raise EventInvalid({"starts_at": _("Enter a date and time.")})
    if not is_known_zone(zone_name):
        raise EventInvalid({"timezone": unknown_zone_message()})
    zone = ZoneInfo(zone_name)
    first = starts.astimezone(zone).replace(tzinfo=None, fold=0)
    last = ends.astimezone(zone).replace(tzinfo=None, fold=0)
    return zone, first, last - first, starts.astimezone(UTC)


def _instant(wall: datetime, zone):
    if not wall_time_exists(wall, zone):
        return None
    return wall.replace(tzinfo=zone, fold=0).astimezone(UTC)


def _dates(values: dict, pattern: Pattern) -> tuple[list[PreviewDate], dict]:
    """Every date of the pattern with its instants; a wall time the clocks jump over is
    refused on its date (never shifted)."""
    zone, first, duration, first_instant = _first_and_duration(values)
    try:
        expansion = expand(pattern, first, zone)
    except PatternInvalid as error:
        raise pattern_error(error) from None
    dates = []
    for occurrence in expansion.occurrences:
        end_wall = occurrence.wall + duration
        if values.get("is_all_day"):
            starts = occurrence.wall.replace(tzinfo=zone)
            ends = end_wall.replace(tzinfo=zone)
            dates.append(PreviewDate(occurrence.wall, starts, ends))
            continue
        starts, ends = occurrence.starts_at, _instant(end_wall, zone)
        refusal = None
        if starts is None:
            refusal = gap_message(occurrence.wall, zone)
        elif ends is None:
            refusal = gap_message(end_wall, zone)
        dates.append(PreviewDate(occurrence.wall, starts, ends, refusal))
    return dates, {"first_instant": first_instant}


def _date_values(values: dict, date: PreviewDate, first_instant: datetime) -> dict:
    """The event fields of one date: the series' values at this date's time, the
    registration window moved with it."""
    one = dict(values, starts_at=date.starts_at, ends_at=date.ends_at)
    start = date.starts_at.astimezone(UTC)
    for name in ("registration_opens_at", "registration_closes_at"):
        if isinstance(values.get(name), datetime) and values[name].tzinfo is not None:
            one[name] = start + (values[name].astimezone(UTC) - first_instant)
    return one


def preview_series(actor, values: dict, pattern: Pattern, *,
                   skip: frozenset = frozenset()) -> Preview:
    """The dates a series would have, each checked by the planning rules (fields, times,
    room bookings with the event in the way named); nothing is written. `skip`: wall times
    of pattern dates the series leaves out (an imported series' deleted dates)."""
    if not can_create_event(actor):
        raise NotAllowed(_("Only partner staff create events."))
    values = bilingual.split(values)
    dates, extra = _dates(values, pattern)
    dates = [d for d in dates if d.wall not in skip]
    warnings: list[str] = []
    for date in dates:
        if date.refusal:
            continue
        one = normalise(dict(_date_values(values, date, extra["first_instant"]),
                             _changed=set(FIELDS)))
        try:
            validate(one, event=None)
            one.pop("_changed")
            drop_unused_place(one)
            check_booking(actor, one, None)
        except DomainError as error:
            date.refusal = _message_of(error)
            continue
        if not warnings:
            warnings = warnings_for(Event(venue=one.get("venue"), capacity=one.get("capacity"),
                                          format=one.get("format")))
    return Preview(dates, warnings)


def create_series(actor, values: dict, pattern: Pattern, *, lead_partner=None,
                  allow_series_registration: bool = False,
                  skip: frozenset = frozenset()) -> Series:
    """A series and one draft event per date (but the `skip` ones), made by the event form's
    own service. Refused as a whole, naming the dates, when any date is refused."""
    values = bilingual.split(values)
    preview = preview_series(actor, values, pattern, skip=skip)
    refused = preview.refused
    if refused:
        raise Conflict(_("These dates cannot be planned: %(dates)s.", dates="; ".join(
            f"{_day(d.day)} — {d.refusal}" for d in refused)), field="starts_at")
    lead = services._lead_partner_for(actor, lead_partner)
    first_instant = _first_and_duration(values)[3]
    series = Series(
        **{f"title_{lang}": normalise({f"title_{lang}": values.get(f"title_{lang}") or ""})[
            f"title_{lang}"] for lang in bilingual.LANGUAGES},
        lead_partner=lead,
        timezone=values["timezone"], frequency=pattern.frequency, interval=pattern.interval,
        weekdays=",".join(str(d) for d in sorted(set(pattern.weekdays))),
        month_day=pattern.month_day, nth=pattern.nth, nth_weekday=pattern.nth_weekday,
        until=pattern.until, count=pattern.count,
        allow_series_registration=bool(allow_series_registration), created_by=actor,
    )
    db.session.add(series)
    db.session.flush()
    for date in preview.dates:
        try:
            event = services.create_event(actor, **_date_values(values, date, first_instant),
                                          lead_partner=lead)
        except DomainError as error:  # a booking made since the preview
            raise Conflict(_("%(date)s: %(reason)s", date=_day(date.day),
                             reason=_message_of(error)), field="starts_at") from None
        event.series = series
        event.recurrence_start = date.starts_at
    db.session.flush()
    record(actor, "series.create", series, {
        "title_ru": [None, series.title_ru], "title_en": [None, series.title_en],
        "frequency": [None, series.frequency],
        "dates": [None, len(preview.dates)], "lead_partner": [None, lead.short_name]})
    return series


# ---- reading ----------------------------------------------------------------------------

def get_series(series_id: int) -> Series | None:
    return db.session.get(Series, series_id)


def visible_occurrences(user, series: Series) -> list[Event]:
    return [e for e in series.occurrences if can_view_event(user, e)]


def open_occurrences(series: Series) -> list[Event]:
    """The dates a series-wide action applies to: not cancelled, not started."""
    now = utcnow()
    return [e for e in series.occurrences
            if e.status != EventStatus.CANCELLED and e.starts_at > now]


def series_actions(user, series: Series) -> dict[str, bool]:
    """The series page's buttons: an action is offered when some open date would accept it."""
    dates = open_occurrences(series)
    return {
        "invite": any(services.refusal_to_invite(user, e) is None for e in dates),
        "propose": any(services.refusal_to_propose(user, e) is None for e in dates),
        "schedule": any(services.refusal_to_schedule(user, e) is None for e in dates),
        "cancel": any(services.refusal_to_cancel(user, e) is None for e in dates),
        "answer": bool(_answerable(user, series)),
        "register": series.allow_series_registration and any(
            e.status == EventStatus.SCHEDULED for e in dates),
    }


# ---- the workflow, once for the series --------------------------------------------------

def _each(dates: list[Event], service, *args) -> int:
    if not dates:
        raise Conflict(_("No date of this series is open for this."))
    for event in dates:
        try:
            service(*args[:1], event, *args[1:])
        except DomainError as error:
            raise named(event, error) from None
    return len(dates)


@series_mail
def invite_series(actor, series: Series, partner, role) -> int:
    """Invite a partner to every open date; returns how many."""
    return _each(open_occurrences(series), services.invite_partner, actor, partner, role)


@series_mail
def propose_series(actor, series: Series) -> int:
    """Propose every open draft date."""
    drafts = [e for e in open_occurrences(series) if e.status == EventStatus.DRAFT]
    return _each(drafts, services.propose_event, actor)


@series_mail
def schedule_series(actor, series: Series) -> int:
    """Schedule every open proposed date."""
    proposed = [e for e in open_occurrences(series) if e.status == EventStatus.PROPOSED]
    return _each(proposed, services.schedule_event, actor)


@series_mail
def cancel_series(actor, series: Series, reason: str) -> int:
    """Cancel every coming date that is not cancelled yet, with one reason: each date's
    registrants and co-hosts are told once for all of them. Returns how many."""
    return _each(open_occurrences(series), services.cancel_event, actor, reason)


def _answerable(user, series: Series):
    found = []
    for event in open_occurrences(series):
        for involvement in event.involvements:
            if (involvement.role != InvolvementRole.HOST
                    and involvement.state == InvolvementState.INVITED
                    and services.refusal_to_answer(user, involvement) is None):
                found.append(involvement)
    return found


@series_mail
def answer_series_invitation(actor, series: Series, accept: bool, note: str = "") -> int:
    """Accept or decline the invitations of the actor's partner on every open date."""
    involvements = _answerable(actor, series)
    if not involvements:
        raise Conflict(_("There is no invitation of yours to answer in this series."))
    for involvement in involvements:
        try:
            services.answer_invitation(actor, involvement, accept, note)
        except DomainError as error:
            raise named(involvement.event, error) from None
    return len(involvements)


# ---- editing with a scope ---------------------------------------------------------------

def _wall(value: datetime, event: Event) -> datetime:
    return value.astimezone(event.zone).replace(tzinfo=None, fold=0)


@series_mail
def update_series(actor, event: Event, values: dict, scope: str) -> dict[int, dict]:
    """Change an occurrence ("this"), it and the later ones ("this_and_following") or every
    open date ("all"). The edited date takes all `values`; the others take the shared fields
    that changed and the same move on the clock (a wall-time shift in the series' zone).
    Returns {event id: changes}; each date's history says the scope."""
    if scope not in SCOPES:
        raise ValidationFailed(_("Choose which dates to change."), field="scope")
    values = bilingual.split(values, event)
    series = event.series
    if series is None or scope == "this":
        changes = services.update_event(actor, event, **values)
        if changes and series is not None:
            record(actor, "series.update", series, {"scope": [None, scope]}, event=event)
        return {event.id: changes}
    if values.get("timezone", event.timezone) != event.timezone or \
            bool(values.get("is_all_day", event.is_all_day)) != event.is_all_day:
        raise ValidationFailed(_("Change the time zone or all-day of one date at a time."),
                               field="timezone")
    dates = open_occurrences(series)
    if scope == "this_and_following":
        dates = [e for e in dates if e.starts_at >= event.starts_at]
    if event not in dates:
        raise Conflict(_("This date is over or cancelled; change it alone."))
    shared = {name: values[name] for name in SHARED_FIELDS
              if name in values and values[name] != getattr(event, name)}
    if scope == "all":  # the series' own title follows its dates', in its history too
        renamed = {}
        for column in ("title_ru", "title_en"):
            if column in shared:
                title = normalise({column: shared[column]})[column]
                if title != getattr(series, column):
                    renamed[column] = [getattr(series, column), title]
                    setattr(series, column, title)
        if renamed:
            record(actor, "series.update", series, {"scope": [None, scope], **renamed})
    start_shift = end_shift = timedelta(0)
    if isinstance(values.get("starts_at"), datetime) and values["starts_at"].tzinfo:
        start_shift = _wall(values["starts_at"], event) - _wall(event.starts_at, event)
    if isinstance(values.get("ends_at"), datetime) and values["ends_at"].tzinfo:
        end_shift = _wall(values["ends_at"], event) - _wall(event.ends_at, event)
    result = {}
    for other in dates:
        if other is event:
            one = values
        else:
            one = dict(shared)
            if start_shift or end_shift:
                one.update(_shifted(other, start_shift, end_shift))
        try:
            changes = services.update_event(actor, other, **one)
        except DomainError as error:
            raise named(other, error) from None
        if start_shift and other.recurrence_start is not None:
            other.recurrence_start = _moved_slot(other, start_shift)
        if changes:
            record(actor, "series.update", series,
                   {"scope": [None, scope], "fields": [None, ", ".join(sorted(changes))]},
                   event=other)
        result[other.id] = changes
    return result


def _moved_slot(event: Event, shift: timedelta) -> datetime:
    """The pattern's date of a re-timed occurrence moves on the clock with it, so a date
    moved alone earlier stays the same date of the pattern (its RECURRENCE-ID in feeds)."""
    zone = event.zone
    wall = _wall(event.recurrence_start, event) + shift
    if event.is_all_day:
        return wall.replace(tzinfo=zone).astimezone(UTC)
    return _instant(wall, zone) or event.starts_at


def _shifted(event: Event, start_shift: timedelta, end_shift: timedelta) -> dict:
    zone = event.zone
    start_wall = _wall(event.starts_at, event) + start_shift
    end_wall = _wall(event.ends_at, event) + end_shift
    if event.is_all_day:
        return {"starts_at": start_wall.replace(tzinfo=zone),
                "ends_at": end_wall.replace(tzinfo=zone)}
    for wall in (start_wall, end_wall):
        if not wall_time_exists(wall, zone):
            raise ValidationFailed(gap_message(wall, zone), field="starts_at")
    return {"starts_at": _instant(start_wall, zone), "ends_at": _instant(end_wall, zone)}


def series_of_events(event_ids) -> dict[int, int]:
    """{event id: series id} for those of the events that belong to a series."""
    ids = list(event_ids)
    if not ids:
        return {}
    rows = db.session.execute(sa.select(Event.id, Event.series_id)
                              .where(Event.id.in_(ids), Event.series_id.is_not(None)))
    return dict(rows.all())
