"""Read .ics files for import: what each event would become, in plain values a preview can
show and an ImportJob can keep as JSON. Pure reading — creating events is the planning
services' job (events.calendar.jobs runs them), so imported events meet every rule the form
does.

What the file says is what the draft says:
- the file's charset (UTF-8, else detected — Windows-1251 exports are common); two
  VCALENDARs in one file; a line that is no property, or a value the library cannot read,
  is skipped (the preview names its line) rather than refusing the file;
- time zones named the IANA way, the Windows way (CLDR's table, events.calendar.zones) or
  with a vendor prefix; any other zone is refused with a sentence naming zone and event,
  never guessed. Floating and UTC times are shown in the calendar's X-WR-TIMEZONE, else ours;
- all-day events stay all-day (an all-day DTEND equal to DTSTART is that one day); a timed
  event without end or length is imported as one hour and the preview says so (an event
  needs a length here: rooms are booked by it);
- a series whose RRULE is a pattern here (daily, weekly on days, monthly on a date or an Nth
  weekday, ending on a date or after a count, no RDATE) becomes a series: one date per
  occurrence, those the file deletes (EXDATE) or cancels left out, changed ones
  (RECURRENCE-ID) at their own time with their own title and text; the preview row shows
  its first real date and says so. Any other series becomes its first real date and the
  preview says how many dates the file holds; changed dates whose series is not in the
  file are single events;
- descriptions are plain text: they are stored as Markdown that renders exactly that text;
- every refusal is one sentence naming what is wrong and where (line or UID)."""

import hashlib
import logging
import re
import warnings
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from charset_normalizer import from_bytes
from dateutil.rrule import rruleset, rrulestr
from flask_babel import gettext as _
from flask_babel import ngettext
from icalendar import Calendar, Component, vRecur
from icalendar.parser import Contentline
from icalendar.prop import TypesFactory, vBroken

from events.auth.permissions import can_create_event
from events.calendar.ical import clean_text
from events.calendar.queries import uids_taken
from events.calendar.zones import UnknownZone, zone_name
from events.enums import Category, EventFormat
from events.errors import NotAllowed, ValidationFailed
from events.net import FetchFailed, TooLarge, fetch_url
from events.planning.recurrence import (
    DAILY,
    MAX_DATES,
    MONTHLY,
    WEEKLY,
    Pattern,
    PatternInvalid,
    expand,
)
from events.text import one_line

log = logging.getLogger(__name__)
types_factory = TypesFactory.instance() if hasattr(TypesFactory, "instance") else TypesFactory()

MAX_IMPORT_BYTES = 20_000_000
MAX_IMPORT_EVENTS = 10_000
FETCH_TIMEOUT_SECONDS = 10
TITLE_MAX = 200
URL_MAX = 500
UID_MAX = 255


@dataclass
class ImportedEvent:
    """One VEVENT read from the file, ready to become a draft (or why it cannot)."""

    index: int
    uid: str | None
    title: str
    description: str
    starts_at: datetime | None
    ends_at: datetime | None
    timezone: str
    is_all_day: bool = False
    category: Category = Category.OTHER
    format: EventFormat = EventFormat.IN_PERSON
    online_url: str | None = None
    location: str = ""
    notes: list[str] = field(default_factory=list)
    problem: str | None = None  # set → cannot be imported at all
    is_duplicate: bool = False
    is_past: bool = False
    # A series whose repeat rule is a pattern here (_series_plan): created as a series.
    series: dict | None = None

    @property
    def importable(self) -> bool:
        return self.problem is None and not self.is_duplicate

    def to_json(self) -> dict:
        data = asdict(self)
        for name in ("starts_at", "ends_at"):
            data[name] = data[name].isoformat() if data[name] else None
        data["category"], data["format"] = self.category.value, self.format.value
        return data

    @classmethod
    def from_json(cls, data: dict) -> "ImportedEvent":
        values = dict(data)
        for name in ("starts_at", "ends_at"):
            values[name] = datetime.fromisoformat(values[name]) if values[name] else None
        values["category"] = Category(values["category"])
        values["format"] = EventFormat(values["format"])
        return cls(**values)


# ---- reading -------------------------------------------------------------------------------

def stored_uid(raw: str | None, domain: str) -> str | None:
    """The form an imported UID is stored (and compared) in: our own exports ("<uid>@domain")
    come back as the bare uid; a foreign UID as it was (SHA-256 only if it is too long or
    not printable)."""
    uid = (raw or "").strip()
    if not uid:
        return None
    suffix = "@" + domain
    if uid.endswith(suffix) and len(uid) > len(suffix):
        uid = uid[: -len(suffix)]
    if len(uid) > UID_MAX or not uid.isprintable():
        uid = hashlib.sha256(uid.encode()).hexdigest()
    return uid


def decode_ics(data: bytes) -> str:
    """The file's text: UTF-8 (with or without BOM) when it is, else the detected charset."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data, cp_isolation=["cp1251", "koi8_r", "cp1252", "latin_1",
                                          "utf_16", "cp866", "iso8859_5"]).best()
    if best is None:
        raise ValidationFailed(_("The file's characters cannot be read."), field="file")
    return str(best)


# ---- the file's lines: where each event is, which lines cannot be read ------------------

_LINE_BREAK = re.compile(r"\r\n|\n|\r")
_GOOD_LINE = re.compile(
    r'^[A-Za-z0-9-]+(?:;[A-Za-z0-9-]+=(?:"[^"]*"|[^";:,]*)(?:,(?:"[^"]*"|[^";:,]*))*)*:')


@dataclass
class _Scan:
    """The file as the parser gets it (unfolded, unreadable lines left out) and where things
    are in the original: the line of each BEGIN:VEVENT in document order, with its last line,
    and the lines skipped as (line, property name)."""

    text: str
    events: list[tuple[int, int]] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    zone_skips: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # by TZID


def _logical_lines(text: str):
    """(first physical line number, unfolded line) for every content line."""
    current, number = None, 0
    for position, line in enumerate(_LINE_BREAK.split(text), start=1):
        if line[:1] in (" ", "\t") and current is not None:
            current += line[1:]
            continue
        if current is not None:
            yield number, current
        current, number = line, position
    if current is not None:
        yield number, current


def _readable(line: str) -> bool:
    if _GOOD_LINE.match(line):
        return True
    try:
        Contentline(line).parts()
    except Exception:  # the library raises several kinds for one unreadable line
        return False
    return True


def _scan(text: str, *, drop: frozenset[int] = frozenset()) -> _Scan:
    """Unfold, check BEGIN/END nesting (a clear refusal with the line when it is wrong) and
    leave out lines that are no property at all (kept as notes), and the lines in `drop`."""
    scan = _Scan(text="")
    out: list[str] = []
    stack: list[tuple[str, int]] = []
    zone: dict | None = None  # the VTIMEZONE being read: its TZID and its skipped lines
    for number, line in _logical_lines(text):
        if not line.strip():
            continue
        head = line.split(":", 1)
        word = head[0].strip().upper()
        value = head[1].strip().upper() if len(head) == 2 else ""
        if word == "BEGIN" and value:
            stack.append((value, number))
            if value == "VTIMEZONE":
                zone = {"tzid": None, "skipped": []}
            if value == "VEVENT":
                scan.events.append((number, number))
        elif word == "END" and value:
            if not stack or stack[-1][0] != value:
                if any(name == value for name, _line in stack):
                    name, begun = stack[-1]
                    raise ValidationFailed(_(
                        "The %(name)s begun on line %(begun)d is not ended before line "
                        "%(line)d.", name=name, begun=begun, line=number), field="file")
                raise ValidationFailed(_(
                    "Line %(line)d ends a %(name)s that was never begun.",
                    line=number, name=value), field="file")
            name, begun = stack.pop()
            if name == "VTIMEZONE" and zone is not None:
                if zone["tzid"] and zone["skipped"]:
                    scan.zone_skips.setdefault(zone["tzid"], []).extend(zone["skipped"])
                zone = None
            if name == "VEVENT":
                for i in range(len(scan.events) - 1, -1, -1):
                    if scan.events[i][0] == begun:
                        scan.events[i] = (begun, number)
                        break
        elif not stack:
            if line.strip():
                scan.skipped.append((number, word[:40]))
            continue
        elif number in drop or not _readable(line):
            skipped = (number, re.split(r"[;:]", line, maxsplit=1)[0][:40])
            scan.skipped.append(skipped)
            if zone is not None:
                zone["skipped"].append(skipped)
            continue
        elif zone is not None and word == "TZID" and stack[-1][0] == "VTIMEZONE":
            zone["tzid"] = head[1].strip() if len(head) == 2 else None
        out.append(line)
    if stack:
        name, begun = stack[-1]
        raise ValidationFailed(_("The %(name)s begun on line %(begun)d is never ended.",
                                 name=name, begun=begun), field="file")
    scan.text = "\r\n".join(out) + "\r\n"
    return scan


def _unreadable_values(text: str) -> set[int]:
    """Lines whose value the library cannot read (for a file it refused as a whole): each
    property is read on its own with its type."""
    bad = set()
    for number, line in _logical_lines(text):
        try:
            name, params, value = Contentline(line).parts()
        except Exception:  # noqa: S112 — _scan leaves such lines out already
            continue
        if name.upper() in ("BEGIN", "END"):
            continue
        try:
            kind = types_factory.for_property(name, params.get("VALUE"))
            kind.from_ical(value)
        except Exception:
            bad.add(number)
    return bad


def _parse(text: str) -> tuple[list, _Scan]:
    """Every calendar in the file (two VCALENDARs in one file happen) and the scan."""
    scan = _scan(text)
    with warnings.catch_warnings():
        # Vendor-prefixed TZIDs are resolved by zone_name(), not by the library.
        warnings.simplefilter("ignore")
        try:
            return Calendar.from_ical(scan.text, multiple=True), scan
        except Exception:  # noqa: S110 — the library refuses a whole file for one bad value
            pass
        drop = frozenset(_unreadable_values(text))
        if drop:
            scan = _scan(text, drop=drop)
            try:
                return Calendar.from_ical(scan.text, multiple=True), scan
            except Exception:  # noqa: S110 — refused just below, in a sentence
                pass
    raise ValidationFailed(_("This iCalendar file cannot be read: its components are not "
                             "nested as iCalendar requires."), field="file")


# ---- reading one event ---------------------------------------------------------------------

@dataclass
class _Source:
    """One VEVENT with where it is in the file."""

    item: Component
    line: int | None
    last_line: int | None
    zones: dict  # the TZIDs the file defines with a VTIMEZONE (as keys)

    def where(self) -> str:
        if self.line:
            return _("line %(line)d", line=self.line)
        uid = _text(self.item, "UID")
        return _("UID %(uid)s", uid=uid[:60]) if uid else _("no UID")


class _Refused(ValueError):
    """An event that cannot become a draft; the message is the sentence the preview shows."""


def _text(item, name: str) -> str:
    value = item.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, vBroken):
        value = str(value)
    # No control characters (PostgreSQL refuses NUL; RFC 5545 TEXT allows none but TAB).
    return clean_text(str(value)).strip()


def _category(item) -> Category:
    raw = item.get("CATEGORIES")
    values = raw if isinstance(raw, list) else [raw] if raw is not None else []
    words = []
    for value in values:
        words += [str(c) for c in getattr(value, "cats", [value])]
    for word in words:
        key = word.strip().lower().replace(" ", "_").replace("-", "_")
        if key in Category._value2member_map_:
            return Category(key)
    return Category.OTHER


def _prop_value(source: _Source, name: str, label: str):
    """A date or date-time property's value, or None if it is absent; _Refused when the
    file has it but it cannot be read."""
    prop = source.item.get(name)
    if prop is None:
        return None, None
    if isinstance(prop, list):
        prop = prop[0]
    try:
        value = prop.dt
    except Exception as error:  # a vBroken value raises on .dt
        raise _Refused(_("The event (%(where)s) has a %(what)s that cannot be read.",
                         where=source.where(), what=label)) from error
    if not isinstance(value, (date, datetime)):
        raise _Refused(_("The event (%(where)s) has a %(what)s that cannot be read.",
                         where=source.where(), what=label))
    return value, prop.params.get("TZID")


def _zone_of(source: _Source, tzid: str | None, value) -> str | None:
    """The IANA zone of a date-time value: its TZID resolved, UTC → None, floating → None
    (the caller decides). _Refused names the zone and the event when it stays unknown."""
    if not isinstance(value, datetime):
        return None
    if tzid:
        try:
            return zone_name(tzid)
        except UnknownZone:
            title = one_line(_text(source.item, "SUMMARY"))[:80] or _("Untitled event")
            if tzid in source.zones:
                raise _Refused(_(
                    "The event “%(title)s” (%(where)s) uses the time zone “%(zone)s”, "
                    "defined only in this file and neither an IANA nor a Windows zone "
                    "name.", title=title,
                    where=source.where(), zone=str(tzid)[:80])) from None
            raise _Refused(_(
                "The event “%(title)s” (%(where)s) uses the unknown time zone “%(zone)s”.",
                title=title, where=source.where(), zone=str(tzid)[:80])) from None
    if value.tzinfo is not None:
        if value.utcoffset() == timedelta(0):
            return None
        raise _Refused(_("The event (%(where)s) has a time whose zone cannot be read.",
                         where=source.where()))
    return None


def _wall(value, zone: ZoneInfo):
    """A date, or a date-time as a naive wall time in `zone`."""
    if not isinstance(value, datetime):
        return value
    if value.tzinfo is None:
        return value
    return value.astimezone(zone).replace(tzinfo=None)


def _to_utc(value, zone: ZoneInfo) -> datetime:
    """A date (local midnight) or a naive wall time in `zone` → UTC."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC).replace(microsecond=0)


@dataclass
class _When:
    """A component's own times: start as a date or a naive wall time in `zone`, its length
    (None when the file gives none), and whether the zone came from the file."""

    start: date | datetime
    length: timedelta | None
    zone: str
    all_day: bool
    zoned: bool  # False: floating or UTC times, read in the file's zone
    series_zone: str = ""  # the zone its dates repeat in: UTC for UTC times, else `zone`

    def __post_init__(self):
        self.series_zone = self.series_zone or self.zone


def _when(source: _Source, file_zone: str) -> _When:
    start, tzid = _prop_value(source, "DTSTART", "DTSTART")
    if start is None:
        raise _Refused(_("The event (%(where)s) has no start time (DTSTART).",
                         where=source.where()))
    all_day = not isinstance(start, datetime)
    zone = _zone_of(source, tzid, start)
    zone_name_ = zone or file_zone
    tz = ZoneInfo(zone_name_)
    if isinstance(start, datetime) and start.tzinfo is not None and zone is not None:
        start = start.replace(tzinfo=None)  # the wall time, in the resolved IANA zone
    wall_start = _wall(start, tz)
    end, end_tzid = _prop_value(source, "DTEND", "DTEND")
    length = None
    if end is not None and all_day != (not isinstance(end, datetime)):
        raise _Refused(_("The event (%(where)s) has a start and an end of different kinds: "
                         "one a date, the other a date and time.", where=source.where()))
    if end is not None:
        if all_day:
            end_day = end.date() if isinstance(end, datetime) else end
            start_day = start.date() if isinstance(start, datetime) else start
            length = timedelta(days=(end_day - start_day).days)
        else:
            end_floating = end.tzinfo is None and not end_tzid
            if end_floating != (start.tzinfo is None and zone is None):
                raise _Refused(_("The event (%(where)s) has a start and an end of different "
                                 "kinds: one in a time zone, the other floating.",
                                 where=source.where()))
            end_zone = _zone_of(source, end_tzid, end) if end_tzid else None
            if end_zone is not None:
                end = end.replace(tzinfo=None).replace(tzinfo=ZoneInfo(end_zone))
            # Wall-clock length in the start's zone, as calendars repeat it.
            length = _wall(end, tz) - wall_start if end.tzinfo is not None \
                else end - wall_start
    elif source.item.get("DURATION") is not None:
        duration, _tz = _duration(source)
        length = duration
    is_utc = isinstance(start, datetime) and start.tzinfo is not None and zone is None
    return _When(start=wall_start, length=length, zone=zone_name_, all_day=all_day,
                 zoned=zone is not None, series_zone="UTC" if is_utc else zone_name_)


def _duration(source: _Source):
    prop = source.item.get("DURATION")
    try:
        value = prop.dt
    except Exception as error:
        raise _Refused(_("The event (%(where)s) has a DURATION that cannot be read.",
                         where=source.where())) from error
    if not isinstance(value, timedelta):
        raise _Refused(_("The event (%(where)s) has a DURATION that cannot be read.",
                         where=source.where()))
    return value, None


def _recurrence_key(value, zone: ZoneInfo):
    """A RECURRENCE-ID, RDATE or EXDATE value as the key occurrences are compared by: a
    naive wall time in the series' zone (a date stays a date-time at midnight)."""
    if isinstance(value, tuple):  # RDATE as a PERIOD: its start
        value = value[0]
    if not isinstance(value, datetime):
        return datetime.combine(value, time())
    return _wall(value, zone)


def _values(item, name: str) -> list:
    """Every value of a multi-valued date property (EXDATE, RDATE), skipping unreadable ones."""
    raw = item.get(name)
    props = raw if isinstance(raw, list) else [raw] if raw is not None else []
    out = []
    for prop in props:
        try:
            out += [d.dt for d in prop.dts if isinstance(d.dt, (date, tuple))]
        except Exception:  # noqa: S112 — an unreadable EXDATE/RDATE line is skipped
            continue
    return out


SERIES_LIMIT = 1000  # dates counted for the preview's sentence; past that "more than 1000"


def _rules(item) -> list:
    """The RRULEs of a component that say something (an empty "RRULE:" line says nothing)."""
    rules = item.get("RRULE")
    rules = rules if isinstance(rules, list) else [rules] if rules is not None else []
    return [rule for rule in rules if hasattr(rule, "items") and dict(rule)]


def _series_dates(master: _Source, when: _When, notes: list[str], lengths: dict):
    """The series' dates as naive wall times (or midnights) in its zone, in order, EXDATEs
    removed; DTSTART is always the first (RFC 5545 §3.8.5.3)."""
    tz = ZoneInfo(when.series_zone)
    start = when.start if isinstance(when.start, datetime) \
        else datetime.combine(when.start, time())
    if when.series_zone != when.zone:
        start = _wall(_to_utc(start, ZoneInfo(when.zone)), tz)
    dates = rruleset()
    dates.rdate(start)
    for rule in _rules(master.item):
        recur = dict(rule)
        until = recur.get("UNTIL")
        if until:
            value = until[0] if isinstance(until, list) else until
            if isinstance(value, datetime):
                value = _wall(value, tz) if value.tzinfo is not None else value
            else:
                value = datetime.combine(value, time(23, 59, 59))
            recur["UNTIL"] = [value]
            if "COUNT" in recur:
                recur.pop("COUNT")  # both are not allowed; UNTIL wins as it does elsewhere
            if value < start:
                raise _Refused(_("The series (%(where)s) ends (UNTIL) before its first date.",
                                 where=master.where()))
        text = vRecur(recur).to_ical().decode()
        try:
            dates.rrule(rrulestr(text, dtstart=start, ignoretz=True))
        except (ValueError, TypeError, KeyError, AttributeError):
            notes.append(_("Its repeat rule (RRULE) cannot be read; the dates it would add "
                           "are not counted."))
    for value in _values(master.item, "RDATE"):
        dates.rdate(_recurrence_key(value, tz))
        if isinstance(value, tuple):  # a PERIOD: that date's own length
            begin, end = value
            length = end if isinstance(end, timedelta) else (
                _recurrence_key(end, tz) - _recurrence_key(begin, tz))
            lengths[_recurrence_key(value, tz)] = length
    for value in _values(master.item, "EXDATE"):
        dates.exdate(_recurrence_key(value, tz))
    return dates


def _sequence(item) -> int:
    try:
        return int(str(item.get("SEQUENCE", 0)))
    except ValueError:
        return 0


def _is_cancelled(item) -> bool:
    return _text(item, "STATUS").upper() == "CANCELLED"


def _unbounded(item) -> bool:
    return any(not rule.get("COUNT") and not rule.get("UNTIL") for rule in _rules(item))


@dataclass
class _Chosen:
    source: _Source
    start: datetime | date   # wall time (or date) in `zone`
    length: timedelta | None
    zone: str
    all_day: bool
    notes: list[str]
    series: dict | None = None


_WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_PATTERN_PARTS = {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "UNTIL", "COUNT", "WKST"}


def _one(value):
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def _pattern_of(rule, start: datetime, zone: ZoneInfo) -> Pattern | None:
    """The file's RRULE as a series pattern here (daily, weekly on days, monthly on a date or
    an Nth weekday; ending on a date or after a count), or None when it says more."""
    recur = {str(k).upper(): v for k, v in dict(rule).items()}
    if set(recur) - _PATTERN_PARTS:
        return None
    freq = str(_one(recur.get("FREQ", ""))).upper()
    try:
        interval = int(_one(recur.get("INTERVAL", 1)))
        count = int(_one(recur["COUNT"])) if "COUNT" in recur else None
    except (TypeError, ValueError):
        return None
    until = _one(recur.get("UNTIL"))
    if isinstance(until, datetime):
        until = (_wall(until, zone) if until.tzinfo is not None else until).date()
    if (until is None) == (count is None):
        return None  # endless, or both (refused elsewhere)
    days = recur.get("BYDAY") or []
    days = days if isinstance(days, list) else [days]
    parsed = []
    for day in days:
        match = re.fullmatch(r"([+-]?\d)?(MO|TU|WE|TH|FR|SA|SU)", str(day).upper())
        if match is None:
            return None
        parsed.append((int(match.group(1)) if match.group(1) else None,
                       _WEEKDAY_CODES.index(match.group(2))))
    month_days = recur.get("BYMONTHDAY") or []
    month_days = month_days if isinstance(month_days, list) else [month_days]
    end = {"until": until, "count": count}
    if freq == "DAILY" and not parsed and not month_days:
        return Pattern(DAILY, interval, **end)
    if freq == "WEEKLY" and not month_days and all(n is None for n, _d in parsed):
        weekdays = tuple(sorted({d for _n, d in parsed})) or (start.weekday(),)
        return Pattern(WEEKLY, interval, weekdays=weekdays, **end)
    if freq == "MONTHLY" and not parsed and len(month_days) <= 1:
        day = int(month_days[0]) if month_days else start.day
        return Pattern(MONTHLY, interval, month_day=day, **end) if day > 0 else None
    if freq == "MONTHLY" and not month_days and len(parsed) == 1 and parsed[0][0]:
        nth, weekday = parsed[0]
        return Pattern(MONTHLY, interval, nth=nth, nth_weekday=weekday, **end)
    return None


def _series_plan(master: _Source, when: _When, changed: dict, file_zone: str) -> dict | None:
    """How the file's series becomes a series here: its pattern, the dates the file deletes
    or cancels, and the changed dates' own times and texts — or None when the repeat rule is
    no pattern here (then only the first real date is imported). Checked: the pattern gives
    exactly the dates the file's rule gives."""
    rules = _rules(master.item)
    if len(rules) != 1 or _values(master.item, "RDATE") or when.series_zone != when.zone:
        return None
    zone = ZoneInfo(when.zone)
    first = when.start if isinstance(when.start, datetime) \
        else datetime.combine(when.start, time())
    pattern = _pattern_of(rules[0], first, zone)
    if pattern is None:
        return None
    try:
        walls = [o.wall for o in expand(pattern, first, zone).occurrences]
        theirs = list(islice(rrulestr(vRecur(dict(rules[0])).to_ical().decode(),
                                      dtstart=first, ignoretz=True), MAX_DATES + 1))
    except (PatternInvalid, ValueError, TypeError, KeyError):
        return None
    if walls != theirs:
        return None
    deleted = {_recurrence_key(v, zone) for v in _values(master.item, "EXDATE")}
    skip, changes = [], {}
    for wall in walls:
        change = changed.get(wall)
        if wall in deleted or (change is not None and _is_cancelled(change.item)):
            skip.append(wall.isoformat())
        elif change is not None:
            own = _when(change, file_zone)
            if own.all_day != when.all_day or own.zone != when.zone:
                return None
            length = own.length if own.length is not None else when.length
            changes[wall.isoformat()] = {
                "starts_at": _to_utc(own.start, zone).isoformat(),
                "ends_at": _to_utc(own.start + (length or timedelta(hours=1)), zone)
                .isoformat(),
                "title": one_line(_text(change.item, "SUMMARY"))[:TITLE_MAX],
                "description": plain_to_markdown(_text(change.item, "DESCRIPTION")),
            }
    if len(walls) - len(skip) < 2:
        return None
    return {"pattern": {"frequency": pattern.frequency, "interval": pattern.interval,
                        "weekdays": list(pattern.weekdays), "month_day": pattern.month_day,
                        "nth": pattern.nth, "nth_weekday": pattern.nth_weekday,
                        "until": pattern.until.isoformat() if pattern.until else None,
                        "count": pattern.count},
            "first": first.isoformat(), "skip": skip, "changes": changes,
            "length": (when.length or timedelta(hours=1)).total_seconds(),
            "title": one_line(_text(master.item, "SUMMARY"))[:TITLE_MAX],
            "description": plain_to_markdown(_text(master.item, "DESCRIPTION")),
            "dates": len(walls) - len(skip)}


def pattern_from_plan(plan: dict) -> Pattern:
    values = dict(plan["pattern"])
    values["weekdays"] = tuple(values["weekdays"])
    values["until"] = date.fromisoformat(values["until"]) if values["until"] else None
    return Pattern(**values)


def _first_of_series(master: _Source, when: _When, changes: list[_Source],
                     file_zone: str) -> _Chosen:
    """The series' first real date: EXDATEs removed, changed dates (RECURRENCE-ID) at their
    changed time and with their changed text, cancelled ones left out."""
    tz = ZoneInfo(when.series_zone)
    changed = {}
    for change in changes:
        try:
            rid, _rid_tzid = _prop_value(change, "RECURRENCE-ID", "RECURRENCE-ID")
        except _Refused:
            continue
        changed[_recurrence_key(rid, tz)] = change
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dateutil's notes on odd rules
        notes: list[str] = []
        lengths: dict = {}
        dates = _series_dates(master, when, notes, lengths)
        candidates = []
        count, first_plain = 0, None
        endless = _unbounded(master.item)
        for key in islice(dates, SERIES_LIMIT + 1):
            change = changed.get(key)
            if change is not None and _is_cancelled(change.item):
                continue
            count += 1
            if first_plain is None and change is None:
                first_plain = key
                if endless:
                    break  # nothing to count: the sentence says "without end"
    if first_plain is not None:
        instant = _to_utc(first_plain, tz)
        start = first_plain.date() if when.all_day else _wall(instant, ZoneInfo(when.zone))
        candidates.append((instant, _Chosen(master, start, lengths.get(first_plain, when.length),
                                            when.zone, when.all_day, [])))
    for change in changed.values():
        if _is_cancelled(change.item):
            continue
        own = _when(change, file_zone)
        length = own.length if own.length is not None else when.length
        candidates.append((_to_utc(own.start, ZoneInfo(own.zone)),
                           _Chosen(change, own.start, length, own.zone, own.all_day, [])))
    if not candidates:
        raise _Refused(_("Every date of the series (%(where)s) is deleted or cancelled in "
                         "the file.", where=master.where()))
    _instant, chosen = min(candidates, key=lambda pair: pair[0])
    chosen.notes += notes
    first_key = datetime.combine(when.start, time()) if when.all_day \
        else _wall(_to_utc(when.start, ZoneInfo(when.zone)), tz)
    plan = None if endless else _series_plan(master, when, changed, file_zone)
    if plan is not None:
        chosen.series = plan
        chosen.notes.append(_(
            "Imported as a series of %(num)d dates (%(changed)d changed, %(gone)d deleted or "
            "cancelled in the file); the row shows its first date.", num=plan["dates"],
            changed=len(plan["changes"]), gone=len(plan["skip"])))
    elif endless:
        chosen.notes.append(_("The file holds a series that repeats without end; only its "
                              "first date is imported."))
    elif count > SERIES_LIMIT:
        chosen.notes.append(_("The file holds a series of more than %(num)d dates; only the "
                              "first is imported.", num=SERIES_LIMIT))
    elif count > 1:  # one date only (COUNT=1, or a single event with a changed copy)
        chosen.notes.append(ngettext(
            "The file holds a series of %(num)d date whose repeat rule is no series "
            "pattern here; only the first is imported.",
            "The file holds a series of %(num)d dates whose repeat rule is no series "
            "pattern here; only the first is imported.", count))
    first_change = changed.get(first_key)
    if first_key in {_recurrence_key(v, tz) for v in _values(master.item, "EXDATE")} or (
            first_change is not None and _is_cancelled(first_change.item)):
        chosen.notes.append(_("Its first date is cancelled in the file; the next one is "
                              "imported."))
    if chosen.source is not master:
        chosen.notes.append(_("This date is changed in the file (RECURRENCE-ID); it is "
                              "imported as changed."))
    return chosen


# ---- plain text stays plain: descriptions are stored as Markdown -----------------------

_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_ENTITY = re.compile(r"&(?=#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)")
_LINE_START = re.compile(r"^([#>+=\-:]|\d{1,9}(?=[.)]))")


def plain_to_markdown(text: str) -> str:
    """Markdown that renders exactly `text`: on the page (every line break kept) and back to
    plain text in calendars and mail (events.text.markdown_to_text gives `text` again).
    Markdown punctuation is escaped, entities stay literal, indentation and line breaks are
    kept; a run of blank lines is one paragraph break (Markdown has no more)."""
    lines = [line.rstrip() for line in clean_text(text).split("\n")]
    paragraphs, current = [], []
    for line in lines:
        if line.strip():
            current.append(line)
        elif current:
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)
    out = []
    for paragraph in paragraphs:
        rendered = []
        for line in paragraph:
            line = _INLINE_SPECIAL.sub(r"\\\1", line)
            line = _ENTITY.sub(r"\\&", line)
            body = line.lstrip(" \t")
            indent = line[: len(line) - len(body)]
            body = _LINE_START.sub(lambda m: m.group(1) + "\\" if m.group(1)[0].isdigit()
                                   else "\\" + m.group(1), body, count=1)
            if body[:1].isdigit():
                body = re.sub(r"^(\d{1,9})([.)])", r"\1\\\2", body)
            indent = indent.replace(" ", "&#32;").replace("\t", "&#9;")
            rendered.append(indent + body)
        out.append("\\\n".join(rendered))
    return "\n\n".join(out)


def plain_text_of(text: str) -> str:
    """What plain_to_markdown keeps of `text`: the same text, lines without trailing spaces
    and at most one blank line between paragraphs."""
    lines = [line.rstrip() for line in clean_text(text).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


# ---- reading the whole file ----------------------------------------------------------------

def _file_zone(calendar, default_zone: str) -> str:
    """The zone floating and UTC times are shown in: the calendar's X-WR-TIMEZONE (Google
    writes it) when it names a zone, else ours."""
    raw = calendar.get("X-WR-TIMEZONE")
    if raw:
        try:
            return zone_name(str(raw)) or default_zone
        except UnknownZone:
            return default_zone
    return default_zone


def _defined_zones(calendar) -> dict:
    return {str(tz.get("TZID")): True for tz in calendar.walk("VTIMEZONE") if tz.get("TZID")}


def _finish(chosen: _Chosen, imported: ImportedEvent, now: datetime) -> None:
    tz = ZoneInfo(chosen.zone)
    imported.timezone = chosen.zone
    imported.is_all_day = chosen.all_day
    imported.notes += chosen.notes
    where = chosen.source.where()
    if chosen.all_day:
        day = chosen.start.date() if isinstance(chosen.start, datetime) else chosen.start
        days = 1 if chosen.length is None else chosen.length.days
        if days < 0:
            raise _Refused(_("The event (%(where)s) ends (DTEND) before it starts (DTSTART).",
                             where=where))
        # DTEND equal to DTSTART in an all-day export means that one day.
        imported.starts_at = _to_utc(day, tz)
        imported.ends_at = _to_utc(day + timedelta(days=max(days, 1)), tz)
        return
    starts_at = _to_utc(chosen.start, tz)
    length = chosen.length
    if length is not None and length < timedelta(0):
        raise _Refused(_("The event (%(where)s) ends (DTEND) before it starts (DTSTART).",
                         where=where))
    if length is None:
        imported.notes.append(_("No end in the file: imported as lasting one hour."))
        length = timedelta(hours=1)
    elif length < timedelta(minutes=1):
        imported.notes.append(_("The file gives it no length: imported as lasting one "
                                "hour."))
        length = timedelta(hours=1)
    imported.starts_at = starts_at
    imported.ends_at = _to_utc(chosen.start + length, tz)
    if imported.ends_at <= imported.starts_at:  # a wall-clock length across a DST change
        imported.ends_at = starts_at + length


def _imported(index: int, chosen: _Chosen | None, source: _Source, *, default_zone: str,
              domain: str, now: datetime, refusal: str | None = None) -> ImportedEvent:
    item = (chosen.source if chosen else source).item
    imported = ImportedEvent(
        index=index, uid=stored_uid(_text(source.item, "UID"), domain),
        title=one_line(_text(item, "SUMMARY"))[:TITLE_MAX] or _("Untitled event"),
        description=_text(item, "DESCRIPTION"), starts_at=None, ends_at=None,
        timezone=default_zone, category=_category(item),
    )
    extra = []
    location = one_line(_text(item, "LOCATION"))
    link = _text(item, "URL")
    if location.startswith(("http://", "https://")) and len(location) <= URL_MAX:
        imported.format, imported.online_url = EventFormat.ONLINE, location
    elif location:
        imported.location = location
        extra.append(_("Location: %(place)s", place=location))
    if link.startswith(("http://", "https://")):
        extra.append(link)
        if imported.online_url is None and len(link) <= URL_MAX:
            imported.online_url = link  # offered when the person marks it online
    imported.description = plain_to_markdown("\n\n".join(
        [p for p in [imported.description, *extra] if p]))
    if refusal is not None:
        imported.problem = refusal
        return imported
    imported.series = chosen.series if chosen else None
    try:
        _finish(chosen, imported, now)
    except _Refused as error:
        imported.problem = str(error)
        return imported
    if _is_cancelled(item):
        imported.problem = _("The event (%(where)s) is cancelled in the file.",
                             where=chosen.source.where())
    elif imported.starts_at < now:
        imported.is_past = True
    return imported


def _read_one(index: int, source: _Source, changes: list[_Source], *, file_zone: str,
              default_zone: str, domain: str, now: datetime) -> ImportedEvent:
    try:
        when = _when(source, file_zone)
        if _rules(source.item) or _values(source.item, "RDATE") or changes:
            chosen = _first_of_series(source, when, changes, file_zone)
        elif _values(source.item, "EXDATE") and _recurrence_key(
                when.start, ZoneInfo(when.zone)) in {
                    _recurrence_key(v, ZoneInfo(when.zone))
                    for v in _values(source.item, "EXDATE")}:
            raise _Refused(_("The event's only date (%(where)s) is deleted in the file "
                             "(EXDATE).", where=source.where()))
        else:
            chosen = _Chosen(source, when.start, when.length, when.zone, when.all_day, [])
    except _Refused as error:
        return _imported(index, None, source, default_zone=default_zone, domain=domain,
                         now=now, refusal=str(error))
    except (ArithmeticError, AttributeError, KeyError, LookupError, TypeError, ValueError,
            OverflowError) as error:
        log.info("unreadable times in an imported event: %r", error)
        return _imported(index, None, source, default_zone=default_zone, domain=domain,
                         now=now, refusal=_("The times of the event (%(where)s) cannot be "
                                            "read.", where=source.where()))
    if not chosen.zone and not chosen.all_day:
        chosen.zone = file_zone
    return _imported(index, chosen, source, default_zone=default_zone, domain=domain, now=now)


def _sources(calendars, scan: _Scan) -> list[tuple[_Source, str]]:
    """(VEVENT with its line, the zone its floating times are read in) in file order."""
    found = []
    for calendar in calendars:
        zones = _defined_zones(calendar)
        for item in calendar.walk("VEVENT"):
            found.append((item, zones, calendar))
    lines = scan.events if len(scan.events) == len(found) else [(None, None)] * len(found)
    return [(_Source(item, line, last, zones), calendar)
            for (item, zones, calendar), (line, last) in zip(found, lines, strict=True)]


def _skipped_notes(scan: _Scan, source: _Source) -> list[str]:
    """Lines skipped inside this event, or inside the VTIMEZONE its start names."""
    skipped = []
    if source.line is not None:
        skipped = [(line, name) for line, name in scan.skipped
                   if source.line < line < (source.last_line or source.line)]
    start = source.item.get("DTSTART")
    tzid = getattr(start, "params", {}).get("TZID") if start is not None else None
    if tzid:
        skipped += scan.zone_skips.get(str(tzid), [])
    return [_("Line %(line)d (%(name)s) cannot be read and was skipped.", line=line,
              name=name or "?") for line, name in skipped]


def parse_ics(data: bytes, *, default_zone: str, domain: str,
              now: datetime | None = None) -> list[ImportedEvent]:
    """Every event of an iCalendar file as it would be imported; a clear ValidationFailed,
    one sentence, for a file that cannot be read at all."""
    if not data or not data.strip():
        raise ValidationFailed(_("The file is empty."), field="file")
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationFailed(_("The file is larger than %(size)d MB.",
                                 size=MAX_IMPORT_BYTES // 1_000_000), field="file")
    text = decode_ics(data)
    if not text.lstrip().upper().startswith("BEGIN:VCALENDAR"):
        raise ValidationFailed(_("This is not an iCalendar (.ics) file: it does not begin "
                                 "with BEGIN:VCALENDAR."), field="file")
    calendars, scan = _parse(text)
    sources = _sources(calendars, scan)
    if not sources:
        kinds = sorted({c.name for cal in calendars for c in cal.walk()
                        if c.name in ("VTODO", "VJOURNAL", "VFREEBUSY", "VAVAILABILITY")})
        if kinds:
            raise ValidationFailed(_("The file holds no events (VEVENT), only %(kinds)s.",
                                     kinds=", ".join(kinds)[:100]), field="file")
        raise ValidationFailed(_("The file holds no events (VEVENT)."), field="file")
    masters: dict[str, _Source] = {}
    changes: dict[str, list[_Source]] = {}
    for source, _calendar in sources:
        uid = _text(source.item, "UID")
        if source.item.get("RECURRENCE-ID") is not None and uid:
            changes.setdefault(uid, []).append(source)
        elif uid and (uid not in masters
                      or _sequence(source.item) > _sequence(masters[uid].item)):
            masters[uid] = source  # one UID twice: the higher SEQUENCE, else the first
    rows = []
    for source, calendar in sources:
        uid = _text(source.item, "UID")
        is_change = source.item.get("RECURRENCE-ID") is not None and uid
        if is_change and uid in masters:
            continue  # read with its series
        if not is_change and uid and masters[uid] is not source:
            continue  # an older version of the same event
        rows.append((source, calendar, [] if is_change else changes.get(uid, []) if uid
                     else [], is_change))
    if len(rows) > MAX_IMPORT_EVENTS:
        raise ValidationFailed(_("The file holds more than %(count)d events.",
                                 count=MAX_IMPORT_EVENTS), field="file")
    now = now or datetime.now(UTC)
    events = []
    for index, (source, calendar, its_changes, is_change) in enumerate(rows):
        file_zone = _file_zone(calendar, default_zone)
        event = _read_one(index, source, its_changes, file_zone=file_zone,
                          default_zone=default_zone, domain=domain, now=now)
        if is_change:
            # Each changed date is its own draft: its UID names the date it changes.
            rid = source.item.get("RECURRENCE-ID")
            event.uid = stored_uid(f"{_text(source.item, 'UID')}/{rid.to_ical().decode()}",
                                   domain)
            event.notes.append(_("A changed date of a series whose other dates are not in "
                                 "the file: imported as a single event."))
        event.notes += _skipped_notes(scan, source)
        events.append(event)
    _mark_duplicates(events)
    return events


def _mark_duplicates(events: list[ImportedEvent]) -> None:
    """Duplicates by UID: against events we already have, and within the file itself."""
    wanted = [e.uid for e in events if e.uid]
    taken: set[str] = set()
    for start in range(0, len(wanted), 500):
        taken |= uids_taken(set(wanted[start:start + 500]))
    seen: set[str] = set()
    for event in events:
        if event.uid and (event.uid in taken or event.uid in seen):
            event.is_duplicate = True
        if event.uid:
            seen.add(event.uid)


# ---- fetching a URL ------------------------------------------------------------------------

def fetch_ics(url: str, *, timeout: float = FETCH_TIMEOUT_SECONDS,
              max_bytes: int = MAX_IMPORT_BYTES) -> bytes:
    """GET an .ics from a public http(s) address (webcal:// tries https://, then http://),
    within one total deadline and the size cap (events.net: no internal addresses)."""
    url = (url or "").strip()
    if urlsplit(url).scheme.lower() not in ("http", "https", "webcal"):
        raise ValidationFailed(_("Only http:// and https:// addresses can be imported."),
                               field="url")
    try:
        return fetch_url(url, max_bytes=max_bytes, deadline=timeout,
                         headers={"Accept": "text/calendar, */*;q=0.5"})
    except TooLarge as error:
        raise ValidationFailed(_("The file is larger than %(size)d MB.",
                                 size=max_bytes // 1_000_000), field="url") from error
    except FetchFailed as error:
        raise ValidationFailed(_("No calendar could be read from this address."),
                               field="url") from error


# ---- who may import ------------------------------------------------------------------------

def check_can_import(actor) -> None:
    if not can_create_event(actor):
        raise NotAllowed(_("Only partner staff can import events."))
    if getattr(actor, "partner_id", None) is None:
        raise NotAllowed(_("Imported events become drafts led by the importer's partner "
                           "organisation; your account belongs to none."))
