"""Checks of event fields, shared by creating and editing: every wrong field gets its own
message (EventInvalid maps field → message), rooms are never double-booked, and a capacity
above the room's is a warning rather than an error."""

import re
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, available_timezones

import sqlalchemy as sa
from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _

from events.auth.permissions import can_view_event
from events.bilingual import COLUMNS, LANGUAGES, reader_language
from events.db import utcnow
from events.enums import Audience, Category, EventFormat, EventStatus
from events.errors import Conflict, ValidationFailed
from events.extensions import db
from events.partners.models import Venue
from events.planning import hooks
from events.planning.models import Event, Programme

TITLE_MAX = 200
SUMMARY_MAX = 500
DESCRIPTION_MAX = 20_000
URL_MAX = 500
CAPACITY_MAX = 100_000

# The fields a person edits; update_event refuses any other name.
FIELDS = (
    *COLUMNS, "category", "format", "venue", "online_url",
    "starts_at", "ends_at", "is_all_day", "timezone", "capacity", "audience",
    "registration_opens_at",
    "registration_closes_at", "programme",
)


class EventInvalid(ValidationFailed):
    """Several fields are wrong at once; `errors` maps each field to its message."""

    def __init__(self, errors: dict[str, str]):
        field, message = next(iter(errors.items()))
        super().__init__(message, field=field)
        self.errors = errors


@lru_cache(maxsize=1)
def known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_known_zone(name: str | None) -> bool:
    return bool(name) and name in known_zones()


def unknown_zone_message() -> str:
    """The example is the site's own default zone."""
    return _("Unknown time zone; use a name such as %(zone)s.",
             zone=current_app.config["DEFAULT_EVENT_TIMEZONE"])


# ---- wall times that do not exist or exist twice -----------------------------------------

TIME_FIELDS = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")


def _naive(value: datetime) -> datetime:
    return value.replace(tzinfo=None, fold=0)


def wall_time_exists(naive: datetime, zone: ZoneInfo) -> bool:
    """False in a spring-forward gap: the wall time never shows on that zone's clocks."""
    aware = naive.replace(tzinfo=zone)
    return _naive(aware.astimezone(UTC).astimezone(zone)) == _naive(naive)


def wall_time_is_ambiguous(naive: datetime, zone: ZoneInfo) -> bool:
    """True in an autumn fold: the wall time shows twice (before and after the change)."""
    if not wall_time_exists(naive, zone):
        return False
    naive = _naive(naive)
    return (naive.replace(tzinfo=zone, fold=0).utcoffset()
            != naive.replace(tzinfo=zone, fold=1).utcoffset())


def _transition(naive: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The wall times around the change nearest `naive` (a gap or a fold): (the clock just
    before it jumps, the clock just after)."""
    naive = _naive(naive)
    before = naive.replace(tzinfo=zone, fold=0).utcoffset()
    after = naive.replace(tzinfo=zone, fold=1).utcoffset()
    # The change happens between these two instants; find it to the second.
    low = (naive - max(before, after)).replace(tzinfo=UTC)
    high = (naive - min(before, after)).replace(tzinfo=UTC)
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == before:
            low = middle
        else:
            high = middle
    return _naive(high + before), _naive(high + after)


def _clock(value: datetime) -> str:
    return value.strftime("%H:%M")


def gap_message(naive: datetime, zone: ZoneInfo) -> str:
    start, end = _transition(naive, zone)
    return _("%(start)s–%(end)s does not exist on %(date)s in %(zone)s: clocks go forward.",
             start=_clock(start), end=_clock(end), date=format_date(start.date(), "d MMMM y"),
             zone=zone.key)


def fold_message(naive: datetime, zone: ZoneInfo) -> str:
    before, after = _transition(naive, zone)  # the clock goes back from `before` to `after`
    return _("%(time)s happens twice on %(date)s in %(zone)s: clocks go back from %(back)s to "
             "%(to)s. Choose before or after the change.",
             time=_clock(naive), date=format_date(naive.date(), "d MMMM y"), zone=zone.key,
             back=_clock(before), to=_clock(after))


def resolve_wall_times(values: dict, errors: dict) -> None:
    """Times given as wall times of a zone (tzinfo a ZoneInfo) become UTC instants. A wall
    time in a gap is refused naming the gap; one in a fold is refused as ambiguous: the
    caller picks the instant and passes it in UTC (the event form asks "before or after the
    clocks change"). Aware datetimes in one zone compare and subtract as wall times, so every
    check after this one sees instants only."""
    for name in TIME_FIELDS:
        value = values.get(name)
        if not isinstance(value, datetime) or not isinstance(value.tzinfo, ZoneInfo):
            continue
        zone = value.tzinfo
        if values.get("is_all_day") and name in ("starts_at", "ends_at"):
            # whole days: midnights, placed by whole_days()
            continue
        if not wall_time_exists(value, zone):
            errors[name] = gap_message(value, zone)
        elif wall_time_is_ambiguous(value, zone):
            errors[name] = fold_message(value, zone)
        else:
            values[name] = value.astimezone(UTC)


# ---- validation -------------------------------------------------------------------------

def enum_or_none(enum_cls, value):
    try:
        return enum_cls(value)
    except ValueError:
        return None


# Control characters (NUL above all: PostgreSQL refuses it in text) never reach the database.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value, *, one_line: bool = False) -> str:
    """Text as stored: no control characters (tabs and line breaks kept unless `one_line`)."""
    text = _CONTROL.sub("", str(value or ""))
    return " ".join(text.split()) if one_line else text.strip()


def _text(value) -> str:
    return clean_text(value, one_line=True)


def normalise(values: dict) -> dict:
    """Tidy the input: trimmed text, enums, no leftover place for the wrong format."""
    clean = dict(values)
    for language in LANGUAGES:
        for name in (f"title_{language}", f"summary_{language}"):
            if name in clean:
                clean[name] = _text(clean[name])
        name = f"description_{language}"
        if name in clean:
            clean[name] = _CONTROL.sub("", clean[name] or "").strip("\n").rstrip()
    if "online_url" in clean:
        clean["online_url"] = _text(clean["online_url"]) or None
    if "timezone" in clean:
        clean["timezone"] = _text(clean["timezone"])
    if "is_all_day" in clean:
        clean["is_all_day"] = bool(clean["is_all_day"])
    return clean


def whole_days(values: dict) -> None:
    """An all-day event runs from local midnight of its first day to local midnight after
    its last (exclusive, as iCalendar's DATE end): an end that is not a midnight is moved
    to the next one."""
    if not values.get("is_all_day") or not is_known_zone(values.get("timezone")):
        return
    zone = ZoneInfo(values["timezone"])
    starts, ends = values.get("starts_at"), values.get("ends_at")
    if isinstance(starts, datetime) and starts.tzinfo is not None:
        local = starts.astimezone(zone)
        values["starts_at"] = datetime.combine(local.date(), time(), zone).astimezone(UTC)
    if isinstance(ends, datetime) and ends.tzinfo is not None:
        local = ends.astimezone(zone)
        day = local.date() if local.time() == time() else local.date() + timedelta(days=1)
        values["ends_at"] = datetime.combine(day, time(), zone).astimezone(UTC)


def _length_errors(values: dict, errors: dict) -> None:
    limits = {"online_url": URL_MAX}
    for language in LANGUAGES:
        limits |= {f"title_{language}": TITLE_MAX, f"summary_{language}": SUMMARY_MAX,
                   f"description_{language}": DESCRIPTION_MAX}
    for name, limit in limits.items():
        if len(values.get(name) or "") > limit:
            errors[name] = _("Use at most %(n)d characters.", n=limit)


def _place_errors(values: dict, errors: dict) -> None:
    fmt = values.get("format")
    venue, url = values.get("venue"), values.get("online_url")
    if fmt in (EventFormat.IN_PERSON, EventFormat.HYBRID) and venue is None:
        errors["venue"] = _("Choose a room for an event held in person.")
    if fmt in (EventFormat.ONLINE, EventFormat.HYBRID) and not url:
        errors["online_url"] = _("Give the link of the online event.")
    if url and "online_url" not in errors:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            errors["online_url"] = _("Enter a web address starting with https:// or http://.")
    if venue is not None and not venue.is_active and "venue" in values.get("_changed", ()):
        errors["venue"] = _("This room is no longer in use.")


def _time_errors(values: dict, errors: dict, *, event: Event | None) -> None:
    starts, ends = values.get("starts_at"), values.get("ends_at")
    for name, value in (("starts_at", starts), ("ends_at", ends)):
        if name not in errors and (not isinstance(value, datetime) or value.tzinfo is None):
            errors[name] = _("Enter a date and time.")
    if "starts_at" in errors or "ends_at" in errors:
        return
    if ends <= starts:
        errors["ends_at"] = _("The end must be after the start.")
    start_changed = event is None or starts != event.starts_at
    if start_changed and starts < utcnow():
        errors["starts_at"] = _("The start is in the past.")
    if "registration_opens_at" in errors or "registration_closes_at" in errors:
        return
    opens, closes = values.get("registration_opens_at"), values.get("registration_closes_at")
    if opens is not None and closes is not None and closes <= opens:
        errors["registration_closes_at"] = _("Registration must open before it closes.")
    elif closes is not None and closes > ends:
        errors["registration_closes_at"] = _("Registration must close before the event ends.")
    if opens is not None and opens >= ends and "registration_closes_at" not in errors:
        errors["registration_opens_at"] = _("Registration must open before the event ends.")


def _capacity_errors(values: dict, errors: dict, *, event: Event | None) -> None:
    capacity = values.get("capacity")
    if capacity is None:
        return
    if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
        errors["capacity"] = _("Capacity is a whole number of at least 1 (leave it empty for "
                               "no limit).")
        return
    if capacity > CAPACITY_MAX:
        errors["capacity"] = _("Capacity is at most %(n)d.", n=CAPACITY_MAX)
        return
    if event is not None and event.id is not None:
        confirmed = hooks.confirmed_counts([event.id]).get(event.id, 0)
        if capacity < confirmed:
            errors["capacity"] = _(
                "%(n)d people are already confirmed; the capacity cannot be lower.", n=confirmed
            )


def title_errors(values: dict, errors: dict) -> None:
    """A title in at least one language, and in every language the text is written in."""
    if not any(values.get(f"title_{language}") for language in LANGUAGES):
        errors[f"title_{reader_language()}"] = _(
            "Give the event a title in Russian or in English.")
        return
    for language in LANGUAGES:
        if not values.get(f"title_{language}") and (
                values.get(f"summary_{language}") or values.get(f"description_{language}")):
            errors[f"title_{language}"] = _(
                "Give a title in this language too, or leave its summary and description "
                "empty.")


def validate(values: dict, *, event: Event | None) -> None:
    """Check a full set of event fields; raise EventInvalid naming every wrong field."""
    errors: dict[str, str] = {}
    title_errors(values, errors)
    _length_errors(values, errors)
    for name, enum_cls, message in (
        ("category", Category, _("Choose a category.")),
        ("format", EventFormat, _("Choose a format.")),
        ("audience", Audience, _("Choose an audience.")),
    ):
        converted = enum_or_none(enum_cls, values.get(name))
        if converted is None:
            errors[name] = message
        else:
            values[name] = converted
    resolve_wall_times(values, errors)
    if not is_known_zone(values.get("timezone")):
        errors["timezone"] = unknown_zone_message()
    else:
        whole_days(values)
    _place_errors(values, errors)
    _time_errors(values, errors, event=event)
    _capacity_errors(values, errors, event=event)
    programme = values.get("programme")
    if programme is not None and not isinstance(programme, Programme):
        errors["programme"] = _("Choose a programme from the list.")
    if errors:
        raise EventInvalid(errors)


def check_booking(actor, values: dict, event: Event | None) -> None:
    """Two active events may not share a room at the same time; name the one in the way."""
    venue = values.get("venue")
    if venue is None or values.get("format") == EventFormat.ONLINE:
        return
    # Serialise bookings of one room (PostgreSQL; SQLite already holds the write lock).
    db.session.execute(sa.select(Venue.id).where(Venue.id == venue.id).with_for_update())
    stmt = (
        sa.select(Event)
        .where(
            Event.venue_id == venue.id,
            Event.status != EventStatus.CANCELLED,
            Event.starts_at < values["ends_at"],
            Event.ends_at > values["starts_at"],
        )
        .order_by(Event.starts_at)
        .limit(1)
    )
    if event is not None and event.id is not None:
        stmt = stmt.where(Event.id != event.id)
    other = db.session.scalar(stmt)
    if other is None:
        return
    if can_view_event(actor, other):
        message = _("%(room)s is booked at that time for “%(title)s”.",
                    room=venue.name, title=other.title)
    else:
        lead = other.lead_partner
        message = _("%(room)s is booked at that time for an event of %(partner)s.",
                    room=venue.name, partner=lead.local_short_name if lead else "—")
    raise Conflict(message, field="venue")


def warnings_for(event: Event) -> list[str]:
    """Things worth a second look that do not stop a save (shown to the people editing)."""
    warnings = []
    venue = event.venue
    if (venue is not None and venue.capacity is not None and event.capacity is not None
            and event.format != EventFormat.ONLINE and event.capacity > venue.capacity):
        warnings.append(_(
            "The capacity (%(capacity)d) is larger than %(room)s holds (%(room_capacity)d).",
            capacity=event.capacity, room=venue.name, room_capacity=venue.capacity,
        ))
    return warnings



def drop_unused_place(values: dict) -> None:
    """An online event holds no room; an in-person one no link."""
    fmt = values.get("format")
    if fmt == EventFormat.ONLINE:
        values["venue"] = None
    elif fmt == EventFormat.IN_PERSON:
        values["online_url"] = None
