"""Read .ics files for import: what each event would become, in plain values a preview can
show and an ImportJob can keep as JSON. Pure reading — creating events is the planning
services' job (events.calendar.jobs runs them), so imported events meet every rule the form
does.

Handled here: the file's charset (UTF-8, else detected — Windows-1251 exports are common),
time zones named the IANA way, the Windows way (through CLDR's table, as the icalendar
library ships it) or with a vendor prefix; an unknown zone is refused, never guessed. All-day
events stay all-day; EXDATE removes occurrences; a repeating event becomes its first
remaining occurrence (series come later, and the preview says so)."""

import hashlib
import warnings
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
from charset_normalizer import from_bytes
from dateutil.rrule import rruleset, rrulestr
from flask_babel import gettext as _
from icalendar.error import GloballyUniqueTZIDGuessed
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from events.auth.permissions import can_create_event
from events.calendar.ical import UTC_NAMES, clean_text
from events.calendar.queries import uids_taken
from events.enums import Category, EventFormat
from events.errors import NotAllowed, ValidationFailed
from events.net import FetchFailed, TooLarge, fetch_url
from events.text import one_line

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


class UnknownZone(ValueError):
    pass


def zone_name(tzid: str | None) -> str | None:
    """An IANA zone for a TZID: IANA names as they are, Windows names through CLDR's table,
    "/vendor/Europe/Berlin" without the vendor. None for UTC; UnknownZone otherwise."""
    if not tzid:
        return None
    name = tzid.strip().strip('"')
    candidates = [name, WINDOWS_TO_OLSON.get(name)]
    if "/" in name:
        parts = name.strip("/").split("/")
        candidates += ["/".join(parts[i:]) for i in range(1, len(parts))]
    for candidate in candidates:
        if not candidate:
            continue
        if candidate in UTC_NAMES:
            return None
        try:
            ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        return candidate
    raise UnknownZone(name)


def _text(item, name: str) -> str:
    value = item.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0]
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


def _naive(value) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return datetime.combine(value, time())


def _first_occurrence(item, start):
    """DTSTART, or for a repeating event its first occurrence not removed by EXDATE; None
    when every occurrence is removed. Compared as wall times in the event's own zone."""
    excluded = set()
    for prop in (item.get("EXDATE") or []) if isinstance(item.get("EXDATE"), list) else \
            [item.get("EXDATE")] if item.get("EXDATE") is not None else []:
        for value in prop.dts:
            day = value.dt
            if isinstance(day, datetime) and isinstance(start, datetime) \
                    and day.tzinfo is not None and start.tzinfo is not None:
                day = day.astimezone(start.tzinfo)
            excluded.add(_naive(day))
    naive_start = _naive(start)
    rule = item.get("RRULE")
    if rule is None:
        return None if naive_start in excluded else start
    rules = rule if isinstance(rule, list) else [rule]
    dates = rruleset()
    for one in rules:
        text = one.to_ical().decode()
        # UNTIL in UTC or as a date: compare as naive wall times like DTSTART.
        recurrence = rrulestr(text, dtstart=naive_start, ignoretz=True)
        dates.rrule(recurrence)
    for when in excluded:
        dates.exdate(when)
    first = next(iter(dates), None)
    if first is None:
        return None
    if isinstance(start, datetime):
        return first.replace(tzinfo=start.tzinfo)
    return first.date()


def _times(item, imported: ImportedEvent, default_zone: str, now: datetime) -> None:
    start_prop = item.get("DTSTART")
    if start_prop is None:
        imported.problem = _("It has no start time.")
        return
    start = start_prop.dt
    imported.is_all_day = not isinstance(start, datetime)
    tzid = start_prop.params.get("TZID")
    try:
        zone = zone_name(tzid) if tzid else None
    except UnknownZone:
        imported.problem = _("Unknown time zone “%(zone)s”.", zone=tzid)
        return
    if tzid and zone is not None and isinstance(start, datetime):
        # The library may have read a Windows or vendor TZID as a zone of its own making.
        start = start.replace(tzinfo=None).replace(tzinfo=ZoneInfo(zone))
    imported.timezone = zone or default_zone
    tz = ZoneInfo(imported.timezone)
    end_prop = item.get("DTEND")
    duration = None
    if end_prop is not None:
        end = end_prop.dt
        if isinstance(end, datetime) and isinstance(start, datetime) and end.tzinfo is None \
                and start.tzinfo is not None:
            end = end.replace(tzinfo=start.tzinfo)
        if isinstance(end, datetime) and end_prop.params.get("TZID") and zone is not None:
            try:
                end_zone = zone_name(end_prop.params.get("TZID")) or imported.timezone
            except UnknownZone:
                end_zone = imported.timezone
            end = end.replace(tzinfo=None).replace(tzinfo=ZoneInfo(end_zone))
        duration = _as_utc(end, tz) - _as_utc(start, tz)
    elif item.get("DURATION") is not None:
        duration = item["DURATION"].dt
    else:
        duration = timedelta(days=1) if imported.is_all_day else timedelta(hours=1)
    first = _first_occurrence(item, start)
    if first is None:
        imported.problem = _("Every occurrence of it was deleted (EXDATE).")
        return
    if _naive(first) != _naive(start):
        imported.notes.append(_("Its first date was deleted; the next one is imported."))
    imported.starts_at = _as_utc(first, tz)
    imported.ends_at = imported.starts_at + duration
    if imported.is_all_day:
        day = first if not isinstance(first, datetime) else first.date()
        days = max(1, round(duration / timedelta(days=1)))
        imported.starts_at = _as_utc(day, tz)
        imported.ends_at = _as_utc(day + timedelta(days=days), tz)
    if imported.ends_at <= imported.starts_at:
        imported.problem = _("It ends before it starts.")
    elif imported.starts_at < now:
        imported.is_past = True


def _as_utc(value, zone: ZoneInfo) -> datetime:
    """DATE → local midnight; floating time → the zone; aware → as it is; then UTC."""
    if not isinstance(value, datetime) and isinstance(value, date):
        value = datetime.combine(value, time(0, 0))
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC).replace(microsecond=0)


def _read_event(index: int, item, *, default_zone: str, domain: str,
                now: datetime) -> ImportedEvent:
    imported = ImportedEvent(
        index=index, uid=stored_uid(_text(item, "UID"), domain),
        title=one_line(_text(item, "SUMMARY"))[:TITLE_MAX] or _("Untitled event"),
        description=_text(item, "DESCRIPTION"), starts_at=None, ends_at=None,
        timezone=default_zone, category=_category(item),
    )
    try:
        _times(item, imported, default_zone, now)
    except (AttributeError, KeyError, TypeError, ValueError, StopIteration):
        imported.problem = _("Its start or end time cannot be read.")
    location = one_line(_text(item, "LOCATION"))
    link = _text(item, "URL")
    if location.startswith(("http://", "https://")) and len(location) <= URL_MAX:
        imported.format, imported.online_url = EventFormat.ONLINE, location
    elif location:
        imported.location = location
        imported.description = (imported.description + "\n\n" + _("Location: %(place)s",
                                place=location)).strip()
    if link.startswith(("http://", "https://")):
        imported.description = (imported.description + "\n\n" + link).strip()
        if imported.online_url is None and len(link) <= URL_MAX:
            imported.online_url = link  # offered when the person marks it online
    if item.get("RRULE") is not None:
        imported.notes.append(_("Repeats: only the first occurrence is imported "
                                "(series come later)."))
    if _text(item, "STATUS").upper() == "CANCELLED":
        imported.problem = _("It is cancelled.")
    return imported


def parse_ics(data: bytes, *, default_zone: str, domain: str,
              now: datetime | None = None) -> list[ImportedEvent]:
    """Every VEVENT of an iCalendar file; a clear ValidationFailed for anything else."""
    if not data or not data.strip():
        raise ValidationFailed(_("The file is empty."), field="file")
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationFailed(_("The file is larger than %(size)d MB.",
                                 size=MAX_IMPORT_BYTES // 1_000_000), field="file")
    text = decode_ics(data)
    if not text.lstrip().upper().startswith("BEGIN:VCALENDAR"):
        raise ValidationFailed(_("This is not an iCalendar (.ics) file."), field="file")
    try:
        with warnings.catch_warnings():
            # Vendor-prefixed TZIDs are resolved by zone_name() below, not by the library.
            warnings.simplefilter("ignore", GloballyUniqueTZIDGuessed)
            calendar = icalendar.Calendar.from_ical(text)
            items = [c for c in calendar.walk("VEVENT") if c.get("RECURRENCE-ID") is None]
    except Exception as error:  # the parser raises many kinds on broken input
        raise ValidationFailed(_("This iCalendar file cannot be read: %(error)s",
                                 error=str(error)[:200]), field="file") from error
    if not items:
        raise ValidationFailed(_("The file holds no events."), field="file")
    if len(items) > MAX_IMPORT_EVENTS:
        raise ValidationFailed(_("The file holds more than %(count)d events.",
                                 count=MAX_IMPORT_EVENTS), field="file")
    now = now or datetime.now(UTC)
    events = [_read_event(i, item, default_zone=default_zone, domain=domain, now=now)
              for i, item in enumerate(items)]
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
