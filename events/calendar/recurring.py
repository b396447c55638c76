"""A series in a published feed as one recurring VEVENT (RFC 5545 §3.8.5): pure, like ical.py.

The public and partner feeds show a series as a master VEVENT whose RRULE is the series'
pattern, DTSTART the first date the feed shows (wall time in the series' zone, TZID), COUNT
or UNTIL ending at the last date it shows, EXDATE for every date of the pattern in between
that the feed does not show (deleted, not yet published, cancelled long ago, another
partner's, another category), and an override (same UID, RECURRENCE-ID = the date of the
pattern) for every date that differs from the master: moved, longer or shorter, retitled,
another room, text or partners, cancelled (STATUS:CANCELLED), or spanning a clock change
(its end given exactly: clients disagree whether a DTEND-length is exact or nominal). The
master takes what most dates share. An all-day series is written in dates (VALUE=DATE).
Public feeds show no seat counts or waitlist wording, so no override is made for those.

The pattern's date of an occurrence is `events.recurrence_start` (kept when the date is
moved alone). Where the pattern does not describe the dates — a date moved off the pattern
by a series-wide edit, a date in another zone, a pattern date whose wall time the clocks
skip or repeat (clients read those differently), a single date — those dates stay plain
VEVENTs with their own UID, exactly as before: correctness first. Dates re-timed by "this
and following" make a second master: there is one per wall time of day (all-day apart),
its UID `series-<id>-<hhmmss>` (`-day`), so a series moved on the clock is a new entry for
clients rather than an old one whose every date moved.

Private feeds (a person's registrations, a partner's staff) are NOT grouped: they hold only
some dates of a series, each with that person's own state (waitlisted, won a seat), which
overrides of a master would have to repeat for nearly every date, and a client that misses
one override would show dates the person never registered for. Each date there is a plain
VEVENT with the occurrence's UID, the same UID as its single-event download.
"""

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Event as VEvent

from events.calendar import ical
from events.planning.recurrence import MONTHLY, WEEKLY, Pattern, PatternInvalid, expand

_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
FORMAT = "series-1"  # bump when the shape of a master or its overrides changes


@dataclass(frozen=True)
class SeriesRule:
    """The series' row as the feed reads it (its zone and pattern fields)."""

    series_id: int
    timezone: str
    frequency: str
    interval: int
    weekdays: str
    month_day: int | None
    nth: int | None
    nth_weekday: int | None
    until: date | None
    count: int | None

    def pattern(self) -> Pattern:
        return Pattern(self.frequency, interval=self.interval,
                       weekdays=tuple(int(d) for d in self.weekdays.split(",") if d),
                       month_day=self.month_day, nth=self.nth, nth_weekday=self.nth_weekday,
                       until=self.until, count=self.count)


@dataclass(frozen=True)
class Candidate:
    """An event of the feed that belongs to a series."""

    id: int
    slot: datetime | None  # recurrence_start, aware UTC
    timezone: str
    is_all_day: bool
    rule: SeriesRule


@dataclass
class Group:
    """Dates of one series (one wall time of day) the pattern describes: the master's
    DTSTART is `slots[0]`; `members` maps each slot shown to its event."""

    rule: SeriesRule
    wall_time: str
    all_day: bool = False
    slots: list[datetime] = field(default_factory=list)  # UTC, anchor → last member
    members: dict[datetime, int] = field(default_factory=dict)

    @property
    def ids(self) -> list[int]:
        return [self.members[s] for s in self.slots if s in self.members]

    def uid(self, domain: str) -> str:
        when = "day" if self.all_day else self.wall_time
        return f"series-{self.rule.series_id}-{when}@{domain}"


def _repeated_or_skipped(wall: datetime, zone: ZoneInfo) -> bool:
    """A wall time the clocks skip or pass twice: clients expand those differently."""
    first, second = wall.replace(tzinfo=zone, fold=0), wall.replace(tzinfo=zone, fold=1)
    return first.utcoffset() != second.utcoffset()


def _group(rule: SeriesRule, wall_time: str, all_day: bool,
           members: list[Candidate]) -> Group | None:
    zone = ZoneInfo(rule.timezone)
    if len(members) < 2:
        return None
    by_slot = {m.slot: m.id for m in members}
    anchor = min(by_slot)
    last = max(by_slot)
    try:
        expansion = expand(rule.pattern(), anchor.astimezone(zone), zone)
    except PatternInvalid:
        return None
    group = Group(rule, wall_time, all_day)
    last_wall = last.astimezone(zone).replace(tzinfo=None)
    for occurrence in expansion.occurrences:
        if occurrence.wall > last_wall:
            break
        if all_day:  # whole days are written as dates: only the day counts
            slot = occurrence.wall.replace(tzinfo=zone).astimezone(UTC)
        elif occurrence.starts_at is None or _repeated_or_skipped(occurrence.wall, zone):
            return None
        else:
            slot = occurrence.starts_at
        group.slots.append(slot)
        if slot in by_slot:
            group.members[slot] = by_slot[slot]
    while group.slots and group.slots[-1] not in group.members:
        group.slots.pop()  # the last dates shown are off the pattern: they stay plain
    if not group.slots or group.slots[0] != anchor or len(group.members) < 2:
        return None
    return group


def plan(candidates: Iterable[Candidate]) -> list[Group]:
    """The masters a feed's series occurrences make; what no group takes stays plain."""
    by_key: dict[tuple, list[Candidate]] = {}
    for c in candidates:
        if c.slot is None or c.timezone != c.rule.timezone:
            continue
        wall = c.slot.astimezone(ZoneInfo(c.rule.timezone))
        by_key.setdefault((c.rule, wall.strftime("%H%M%S"), c.is_all_day), []).append(c)
    groups = []
    for (rule, wall_time, all_day), members in by_key.items():
        seen: dict[datetime, Candidate] = {}
        for m in members:
            seen.setdefault(m.slot, m)  # two dates on one slot: the second stays plain
        ordered = sorted(seen.values(), key=lambda m: m.slot)
        for start in range(min(3, len(ordered))):  # a first date off the pattern stays plain
            group = _group(rule, wall_time, all_day, ordered[start:])
            if group is not None:
                groups.append(group)
                break
    return groups


def group_key(common: str, group: Group, stamps: Mapping[int, str]) -> str:
    """What a group's bytes are made from: the rule, its slots, its events' stamps."""
    parts = (FORMAT, common, group.rule, group.wall_time, group.all_day,
             [(s.isoformat(), group.members.get(s), stamps.get(group.members.get(s)))
              for s in group.slots])
    return hashlib.sha1(repr(parts).encode()).hexdigest()  # noqa: S324 — a cache key


# ---- the VEVENTs -----------------------------------------------------------------------

def _wall_span(event, zone: ZoneInfo) -> timedelta:
    return (event.ends_at.astimezone(zone).replace(tzinfo=None)
            - event.starts_at.astimezone(zone).replace(tzinfo=None))


def _span(event, zone: ZoneInfo, all_day: bool) -> timedelta:
    """How long a date is on the clock (whole days for an all-day series)."""
    if all_day:
        return event.ends_at.astimezone(zone).date() - event.starts_at.astimezone(zone).date()
    return _wall_span(event, zone)


def _look(event) -> tuple:
    """Everything of an event a date generated from the master would show, but its time."""
    venue = event.venue
    return (event.title, event.summary, event.description, ical._enum_value(event.status),
            ical._enum_value(event.category), event.cancel_reason, event.online_url,
            None if venue is None else (venue.label, venue.address, venue.latitude,
                                        venue.longitude),
            tuple((ical._enum_value(i.role), ical._enum_value(i.state), i.partner.name,
                   i.partner.slug) for i in event.involvements),
            event.timezone)


def _plain(event, slot: datetime, zone: ZoneInfo, all_day: bool) -> bool:
    """Could the master generate this date exactly: at its slot, no clock change inside it
    (exact and wall durations agree), its end a wall time read the same everywhere?"""
    if all_day:
        return event.starts_at == slot
    end_wall = event.ends_at.astimezone(zone).replace(tzinfo=None)
    return (event.starts_at == slot and _wall_span(event, zone) == event.ends_at
            - event.starts_at and not _repeated_or_skipped(end_wall, zone))


def _replace(item: VEvent, name: str, value, **params) -> None:
    del item[name]
    item.add(name, value, parameters=params or None)


def series_vevents(group: Group, events: Mapping[int, object], *, site_url: str,
                   domain: str, label: Callable = ical._default_label,
                   words: Mapping[str, str] = ical.WORDS) -> bytes | None:
    """The master and its overrides, or None when the master cannot be written exactly
    (the dates then stay plain VEVENTs). The master takes the text, place and length most
    dates share; every other date is an override."""
    zone = ZoneInfo(group.rule.timezone)
    all_day = group.all_day
    members = [(slot, events[group.members[slot]]) for slot in group.slots
               if slot in group.members]
    shape = {slot: (_look(e), _span(e, zone, all_day)) for slot, e in members}
    plain = {slot for slot, e in members if _plain(e, slot, zone, all_day)}
    shapes = Counter(shape[slot] for slot in plain)
    common = shapes.most_common(1)[0][0] if shapes else None
    model = next((e for slot, e in members if slot in plain and shape[slot] == common),
                 members[0][1])
    span = _span(model, zone, all_day)

    def when(slot: datetime):
        local = slot.astimezone(zone)
        return local.date() if all_day else local

    anchor = group.slots[0].astimezone(zone).replace(tzinfo=None)
    if not all_day and _repeated_or_skipped(anchor + span, zone):
        return None
    uid = group.uid(domain)
    sequence = max(e.sequence or 0 for _, e in members)
    changed = max(e.updated_at for _, e in members).astimezone(UTC)
    master = ical.vevent(model, site_url=site_url, domain=domain, label=label, words=words,
                         url=f"{site_url.rstrip('/')}/series/{group.rule.series_id}")
    _replace(master, "uid", uid)
    _replace(master, "dtstamp", changed)
    _replace(master, "last-modified", changed)
    _replace(master, "created", min(e.created_at for _, e in members).astimezone(UTC))
    _replace(master, "sequence", sequence)
    if all_day:
        _replace(master, "dtstart", anchor.date())
        _replace(master, "dtend", anchor.date() + span)
    else:
        _replace(master, "dtstart", anchor.replace(tzinfo=zone))
        _replace(master, "dtend", (anchor + span).replace(tzinfo=zone))
    master.add("rrule", _rrule(group))
    missing = [when(s) for s in group.slots if s not in group.members]
    if missing:
        master.add("exdate", missing)
    parts = [master.to_ical()]
    for slot, event in members:
        if slot in plain and shape[slot] == common:
            continue
        item = ical.vevent(event, site_url=site_url, domain=domain, label=label, words=words)
        _replace(item, "uid", uid)
        _replace(item, "sequence", sequence)
        item.add("recurrence-id", when(slot))
        parts.append(item.to_ical())
    return b"".join(parts)


def _rrule(group: Group) -> dict:
    """The pattern from the master's DTSTART to the last date shown: the series' own end
    (COUNT or UNTIL) cut to what the feed holds."""
    rule = group.rule
    recur: dict = {"freq": rule.frequency.upper(), "interval": rule.interval}
    if rule.frequency == WEEKLY:
        recur["byday"] = [_DAYS[d] for d in sorted({int(d) for d in rule.weekdays.split(",")
                                                    if d})]
        recur["wkst"] = "MO"
    elif rule.frequency == MONTHLY:
        if rule.month_day is not None:
            recur["bymonthday"] = [rule.month_day]
        else:
            recur["byday"] = [f"{rule.nth}{_DAYS[rule.nth_weekday]}"]
    if rule.count is not None:
        recur["count"] = len(group.slots)
    elif group.all_day:  # UNTIL takes the value type of DTSTART (RFC 5545 §3.3.10)
        recur["until"] = group.slots[-1].astimezone(ZoneInfo(rule.timezone)).date()
    else:
        recur["until"] = group.slots[-1].astimezone(UTC)
    return recur
