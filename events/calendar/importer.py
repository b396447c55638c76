"""Import events from an existing .ics file or URL as drafts of the staff member's partner:
read and check first (preview, duplicates by UID), then create the drafts the person confirms."""

import base64
import hashlib
import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from events.audit.services import record
from events.auth.permissions import can_create_event
from events.calendar.ical import UTC_NAMES, clean_text
from events.calendar.queries import uids_taken
from events.db import utcnow
from events.enums import (
    Audience,
    Category,
    EventFormat,
    EventStatus,
    InvolvementRole,
    InvolvementState,
)
from events.errors import Conflict, NotAllowed, ValidationFailed
from events.extensions import db
from events.net import FetchFailed, TooLarge, fetch_url
from events.planning.models import Event, Involvement
from events.text import one_line

MAX_IMPORT_BYTES = 1_000_000
MAX_IMPORT_EVENTS = 300
FETCH_TIMEOUT_SECONDS = 5
TITLE_MAX = 200
URL_MAX = 500


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
    category: Category = Category.OTHER
    format: EventFormat = EventFormat.IN_PERSON
    online_url: str | None = None
    location: str = ""
    notes: list[str] = field(default_factory=list)
    problem: str | None = None  # set → cannot be imported
    is_duplicate: bool = False

    @property
    def importable(self) -> bool:
        return self.problem is None and not self.is_duplicate

    def values(self) -> dict:
        """What create_draft_from_ical needs."""
        return {"uid": self.uid, "title": self.title, "description": self.description,
                "starts_at": self.starts_at, "ends_at": self.ends_at,
                "timezone": self.timezone, "category": self.category, "format": self.format,
                "online_url": self.online_url}


# ---- reading -------------------------------------------------------------------------------

def stored_uid(raw: str | None, domain: str) -> str | None:
    """The form an imported UID is stored (and compared) in: our own exports ("<uid>@domain")
    come back as the bare uid; long or odd UIDs as their SHA-256 (the column holds 64)."""
    uid = (raw or "").strip()
    if not uid:
        return None
    suffix = "@" + domain
    if uid.endswith(suffix) and len(uid) > len(suffix):
        uid = uid[: -len(suffix)]
    if len(uid) > 64 or not uid.isprintable():
        uid = hashlib.sha256(uid.encode()).hexdigest()
    return uid


def _zone_name(value, param_tzid: str | None, default_zone: str) -> str:
    """The event's IANA zone if the file names one; UTC and floating times get ours (the
    instant stays the same; only the zone the page shows it in changes)."""
    for candidate in (param_tzid, getattr(getattr(value, "tzinfo", None), "key", None)):
        if candidate and candidate not in UTC_NAMES:
            try:
                ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
            return candidate
    return default_zone


def _as_utc(value, zone: ZoneInfo) -> datetime:
    """DATE → local midnight; floating time → the zone; aware → as it is; then UTC."""
    if not isinstance(value, datetime) and isinstance(value, date):
        value = datetime.combine(value, time(0, 0))
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC).replace(microsecond=0)


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


def _times(item, imported: ImportedEvent, default_zone: str) -> None:
    start_prop = item.get("DTSTART")
    if start_prop is None:
        imported.problem = _("It has no start time.")
        return
    start = start_prop.dt
    imported.timezone = _zone_name(start, start_prop.params.get("TZID"), default_zone)
    zone = ZoneInfo(imported.timezone)
    imported.starts_at = _as_utc(start, zone)
    end_prop = item.get("DTEND")
    if end_prop is not None:
        imported.ends_at = _as_utc(end_prop.dt, zone)
    elif item.get("DURATION") is not None:
        imported.ends_at = imported.starts_at + item["DURATION"].dt
    elif isinstance(start, datetime):
        imported.ends_at = imported.starts_at + timedelta(hours=1)
    else:
        imported.ends_at = imported.starts_at + timedelta(days=1)
    if imported.ends_at <= imported.starts_at:
        imported.problem = _("It ends before it starts.")


def _read_event(index: int, item, *, default_zone: str, domain: str) -> ImportedEvent:
    imported = ImportedEvent(
        index=index, uid=stored_uid(_text(item, "UID"), domain),
        title=one_line(_text(item, "SUMMARY"))[:TITLE_MAX] or _("Untitled event"),
        description=_text(item, "DESCRIPTION"), starts_at=None, ends_at=None,
        timezone=default_zone, category=_category(item),
    )
    try:
        _times(item, imported, default_zone)
    except (AttributeError, KeyError, TypeError, ValueError):
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
    if item.get("RRULE") is not None:
        imported.notes.append(_("Repeats: only the first occurrence is imported."))
    if _text(item, "STATUS").upper() == "CANCELLED":
        imported.problem = _("It is cancelled.")
    return imported


def parse_ics(data: bytes, *, default_zone: str, domain: str) -> list[ImportedEvent]:
    """Every VEVENT of an iCalendar file; a clear ValidationFailed for anything else."""
    if not data or not data.strip():
        raise ValidationFailed(_("The file is empty."), field="file")
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationFailed(_("The file is larger than %(size)d kB.",
                                 size=MAX_IMPORT_BYTES // 1000), field="file")
    text = data.removeprefix(b"\xef\xbb\xbf")
    if not text.lstrip().upper().startswith(b"BEGIN:VCALENDAR"):
        raise ValidationFailed(_("This is not an iCalendar (.ics) file."), field="file")
    try:
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
    events = [_read_event(i, item, default_zone=default_zone, domain=domain)
              for i, item in enumerate(items)]
    _mark_duplicates(events)
    return events


def _mark_duplicates(events: list[ImportedEvent]) -> None:
    """Duplicates by UID: against events we already have, and within the file itself."""
    taken = uids_taken({e.uid for e in events if e.uid})
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
        raise ValidationFailed(_("The file is larger than %(size)d kB.",
                                 size=max_bytes // 1000), field="url") from error
    except FetchFailed as error:
        raise ValidationFailed(_("No calendar could be read from this address."),
                               field="url") from error


# ---- carrying the file from preview to confirmation ---------------------------------------

def pack(data: bytes) -> str:
    """The file, compressed, in a hidden form field between preview and confirmation."""
    return base64.urlsafe_b64encode(zlib.compress(data, 9)).decode()


def unpack(packed: str) -> bytes:
    try:
        inflater = zlib.decompressobj()
        data = inflater.decompress(base64.urlsafe_b64decode(packed.encode()),
                                   MAX_IMPORT_BYTES + 1)
    except (ValueError, zlib.error) as error:
        raise ValidationFailed(_("The import form was damaged; please start again.")) from error
    if len(data) > MAX_IMPORT_BYTES or inflater.unconsumed_tail:
        raise ValidationFailed(_("The file is larger than %(size)d kB.",
                                 size=MAX_IMPORT_BYTES // 1000))
    return data


# ---- writing -------------------------------------------------------------------------------

def check_can_import(actor) -> None:
    if not can_create_event(actor):
        raise NotAllowed(_("Only partner staff can import events."))
    if getattr(actor, "partner_id", None) is None:
        raise NotAllowed(_("Imported events become drafts led by the importer's partner "
                           "organisation; your account belongs to none."))


def create_draft_from_ical(actor, values: dict) -> Event:
    """One imported event → a draft led by the actor's partner, with its audit entry."""
    check_can_import(actor)
    now = utcnow()
    fields = {
        "title": values["title"][:TITLE_MAX], "description": values.get("description", ""),
        "category": values.get("category", Category.OTHER),
        "format": values.get("format", EventFormat.IN_PERSON),
        "online_url": values.get("online_url"), "starts_at": values["starts_at"],
        "ends_at": values["ends_at"], "timezone": values["timezone"],
        "audience": Audience.PUBLIC, "status": EventStatus.DRAFT, "capacity": None,
    }
    event = Event(**fields, created_by_id=actor.id)
    if values.get("uid"):
        event.uid = values["uid"]
    try:
        with db.session.begin_nested():
            db.session.add(event)
            db.session.add(Involvement(
                event=event, partner_id=actor.partner_id, role=InvolvementRole.HOST,
                state=InvolvementState.ACCEPTED, invited_by_id=actor.id, invited_at=now,
                answered_by_id=actor.id, answered_at=now))
            db.session.flush()
    except IntegrityError as error:
        raise Conflict(_("An event with this UID exists already.")) from error
    record(actor, "event.import", event,
           {name: [None, value] for name, value in fields.items()} | {"uid": [None, event.uid]})
    return event


def import_events(actor, data: bytes, chosen: set[int], *, default_zone: str,
                  domain: str) -> tuple[list[Event], int]:
    """Create drafts for the chosen, importable events; (created, skipped)."""
    check_can_import(actor)
    found = parse_ics(data, default_zone=default_zone, domain=domain)
    created = [create_draft_from_ical(actor, item.values())
               for item in found if item.index in chosen and item.importable]
    return created, len([i for i in found if i.index in chosen]) - len(created)
