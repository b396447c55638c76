"""Events → iCalendar bytes (RFC 5545). Pure: knows nothing of Flask, the database or requests.

Callers pass what the outside world decides (site URL, domain for UIDs, translated words) and
get bytes back. Every value goes through the `icalendar` library, which escapes and folds it,
so no text typed by a person can break the file.

Feeds and downloads are published calendars, not scheduling messages: no METHOD and no
ORGANIZER. RFC 5546 §3.2.1 makes ORGANIZER mandatory in METHOD:PUBLISH, and RFC 5545
§3.8.4.3 forbids ORGANIZER on components that are not group-scheduled; an ORGANIZER without
attendees is what made Outlook show our events as meetings someone invited you to. The lead
partner is named in CONTACT (with its page as ALTREP) and in DESCRIPTION instead.

Mails to a registrant are scheduling messages (RFC 5546 iTIP): `event_ics(..., itip=Itip(...))`
adds METHOD:REQUEST (a seat: confirmed, won from the waitlist, moved) or METHOD:CANCEL (the
seat or the event is gone) with ORGANIZER and the recipient as ATTENDEE, the same UID as the
feeds and a SEQUENCE the caller makes grow with every message, so a client updates or removes
its entry instead of adding a copy.
"""

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from icalendar import Calendar, Timezone, vCalAddress, vDuration, vText
from icalendar import Event as VEvent

from events.calendar.vtimezone import vtimezone as yearly_vtimezone
from events.text import markdown_to_text

PRODID = "-//Joint Events//Joint Events Calendar 1.0//EN"

# What each event status is called in iCalendar (draft has no STATUS of its own).
STATUS = {
    "draft": "TENTATIVE",
    "proposed": "TENTATIVE",
    "scheduled": "CONFIRMED",
    "cancelled": "CANCELLED",
}

# English defaults; callers pass translated words through `words=`.
WORDS = {
    "cancelled": "Cancelled",
    "draft": "Draft",
    "waitlist": "Waitlist",
    "partners": "Partners",
    "online": "Online",
    "details": "Details",
    "reason": "Reason",
}

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
UTC_NAMES = {"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Zulu", "Etc/Zulu", "GMT", "Etc/GMT"}


def clean_text(value: str | None) -> str:
    """Text as RFC 5545 TEXT allows it: CR LF → LF, other control characters dropped.

    Escaping of ; , \\ and newlines, and line folding, are the library's job."""
    if not value:
        return ""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", value)


def param_text(value: str | None) -> str:
    """A parameter value (CN=...): one line, no double quotes (RFC 5545 §3.1 param-value)."""
    return re.sub(r"\s+", " ", clean_text(value).replace('"', "'")).strip()


def _enum_value(value) -> str:
    return getattr(value, "value", value)


def _default_label(value) -> str:
    return str(_enum_value(value)).replace("_", " ").replace("-", " ").capitalize()


_OWN_UID = re.compile(r"[0-9a-f]{32}")


def ical_uid(uid: str, domain: str) -> str:
    """Our own events' UIDs get our domain; an imported event keeps its UID as it was."""
    return f"{uid}@{domain}" if _OWN_UID.fullmatch(uid) else uid


@dataclass(frozen=True)
class Attendance:
    """How a private feed shows an event to one registrant: a waitlisted place is TENTATIVE
    and marked; a place won from the waitlist is a change the client must notice, so SEQUENCE
    grows by one and DTSTAMP moves to that moment."""

    waitlisted: bool = False
    promoted_at: datetime | None = None


NOT_REGISTERED = Attendance()

REQUEST, CANCEL = "REQUEST", "CANCEL"


@dataclass(frozen=True)
class Itip:
    """One scheduling message to one attendee (RFC 5546 §3.2.2 REQUEST, §3.2.5 CANCEL).

    `sequence` is the VEVENT's SEQUENCE: the caller's count of what changed for this person,
    never lower than an earlier message's. `sent_at` is DTSTAMP (with a METHOD it is when the
    message was made, RFC 5545 §3.8.7.2)."""

    method: str
    sequence: int
    sent_at: datetime
    organizer_email: str
    organizer_name: str
    attendee_email: str
    attendee_name: str

    def __post_init__(self):
        if self.method not in (REQUEST, CANCEL):
            raise ValueError(f"unsupported iTIP method: {self.method!r}")


def event_url(event, site_url: str) -> str:
    return f"{site_url.rstrip('/')}/events/{event.id}"


def event_location(event) -> str:
    """Room, building, site and address; the online link for an online-only event."""
    venue = getattr(event, "venue", None)
    if venue is not None:
        parts = [venue.label]
        if venue.address:
            parts.append(venue.address)
        return ", ".join(p for p in parts if p)
    return event.online_url or ""


def event_description(event, *, site_url: str, label: Callable = _default_label,
                      words: Mapping[str, str] = WORDS, url: str | None = None) -> str:
    """Plain text: summary, the description without Markdown, partners with roles, link
    (`url`, the event's page unless given)."""
    blocks = []
    if _enum_value(event.status) == "cancelled":
        line = words["cancelled"]
        if event.cancel_reason:
            line += f". {words['reason']}: {event.cancel_reason}"
        blocks.append(line)
    if event.summary:
        blocks.append(event.summary)
    body = markdown_to_text(event.description or "")
    if body:
        blocks.append(body)
    partners = [f"{inv.partner.name} ({label(inv.role)})" for inv in event.involvements
                if _enum_value(inv.state) != "declined"]
    if partners:
        blocks.append(f"{words['partners']}: " + "; ".join(partners))
    if event.online_url and getattr(event, "venue", None) is not None:
        blocks.append(f"{words['online']}: {event.online_url}")
    blocks.append(f"{words['details']}: {url or event_url(event, site_url)}")
    return clean_text("\n\n".join(blocks))


def _summary(event, words: Mapping[str, str], *, waitlisted: bool) -> str:
    title = event.title
    status = _enum_value(event.status)
    if status == "draft":
        title = f"[{words['draft']}] {title}"
    if status == "cancelled":
        title = f"[{words['cancelled']}] {title}"
    if waitlisted:
        title = f"[{words['waitlist']}] {title}"
    return clean_text(title)


def _local(value: datetime, zone: ZoneInfo) -> datetime:
    """The time in the event's zone; in UTC when that wall time happens twice (the hour
    clocks go back). RFC 5545 §3.3.5 says a TZID time then means the first one, but ical.js
    reads the second: only UTC is read the same everywhere."""
    local = value.astimezone(zone)
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return value.astimezone(UTC)
    return local


def lead_partner(event):
    return next((i.partner for i in event.involvements if _enum_value(i.role) == "host"), None)


def vevent(event, *, site_url: str, domain: str,
           label: Callable = _default_label, words: Mapping[str, str] = WORDS,
           attendance: Attendance = NOT_REGISTERED, url: str | None = None) -> VEvent:
    """One VEVENT (`url`: the page it links to, the event's unless given). DTSTAMP is the
    last change (RFC 5545 §3.8.7.2 for calendars without METHOD), so the same event state
    always gives the same bytes. An all-day event has VALUE=DATE start and end, the end
    exclusive (the day after the last day)."""
    zone = ZoneInfo(event.timezone)
    status = _enum_value(event.status)
    waitlisted = attendance.waitlisted
    item = VEvent()
    item.add("uid", ical_uid(event.uid, domain))
    changed = (event.updated_at or event.created_at or datetime.now(UTC)).astimezone(UTC)
    if attendance.promoted_at is not None:
        changed = max(changed, attendance.promoted_at.astimezone(UTC))
    item.add("dtstamp", changed)
    if getattr(event, "is_all_day", False):
        item.add("dtstart", event.starts_at.astimezone(zone).date())
        item.add("dtend", event.ends_at.astimezone(zone).date())
    else:
        item.add("dtstart", _local(event.starts_at, zone))
        item.add("dtend", _local(event.ends_at, zone))
    item.add("sequence", (event.sequence or 0) + (attendance.promoted_at is not None))
    item.add("created", (event.created_at or changed).astimezone(UTC))
    item.add("last-modified", changed)
    item.add("status", "TENTATIVE" if waitlisted and status != "cancelled" else STATUS[status])
    item.add("summary", _summary(event, words, waitlisted=waitlisted))
    item.add("description", event_description(
        event, site_url=site_url, label=label, words=words, url=url))
    location = event_location(event)
    if location:
        item.add("location", clean_text(location))
    venue = getattr(event, "venue", None)
    if venue is not None and venue.latitude is not None and venue.longitude is not None:
        item.add("geo", (float(venue.latitude), float(venue.longitude)))
    item.add("url", url or event_url(event, site_url))
    item.add("categories", [clean_text(str(label(event.category)))])
    lead = lead_partner(event)
    if lead is not None:
        item.add("contact", clean_text(lead.name), parameters={
            "ALTREP": f"{site_url.rstrip('/')}/partners/{lead.slug}"})
    item.add("transp", "TRANSPARENT" if status == "cancelled"
             or getattr(event, "is_all_day", False) else "OPAQUE")
    return item


def vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """A VTIMEZONE for `tzid` in yearly-rule form covering the given years (cached)."""
    return yearly_vtimezone(tzid, first_year, last_year)


def zone_spans(events: Iterable) -> list[tuple[str, int, int]]:
    """(zone, first year, last year) of the timed events (all-day events name no zone)."""
    spans: dict[str, list[int]] = {}
    for event in events:
        if getattr(event, "is_all_day", False):
            continue
        span = spans.setdefault(event.timezone, [event.starts_at.year, event.ends_at.year])
        span[0] = min(span[0], event.starts_at.year)
        span[1] = max(span[1], event.ends_at.year)
    return [(zone, first, last) for zone, (first, last) in sorted(spans.items())]


def timezones(spans: Iterable[tuple[str, int, int]]) -> list[Timezone]:
    """One VTIMEZONE for every zone used, a year either side of its span (UTC needs none: it
    is written with Z)."""
    return [vtimezone(zone, first - 1, last + 1) for zone, first, last in spans
            if zone not in UTC_NAMES]


def _timezones(events: list) -> list[Timezone]:
    return timezones(zone_spans(events))


def new_calendar(*, name: str = "", description: str = "",
                 refresh_minutes: int | None = None, method: str | None = None) -> Calendar:
    """An empty VCALENDAR with the calendar-level properties clients read (METHOD only for a
    scheduling message; published calendars have none)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    # X-WR-* are TEXT like NAME/DESCRIPTION (RFC 7986): escaped, line breaks as \\n.
    if name:
        cal.add("name", vText(clean_text(name)))
        cal.add("x-wr-calname", vText(clean_text(name)))
    if description:
        cal.add("description", vText(clean_text(description)))
        cal.add("x-wr-caldesc", vText(clean_text(description)))
    if refresh_minutes:
        interval = timedelta(minutes=refresh_minutes)
        cal.add("refresh-interval", interval, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", vDuration(interval))
    return cal


END = b"END:VCALENDAR\r\n"


def calendar_head(spans: Iterable[tuple[str, int, int]], *, name: str, description: str,
                  refresh_minutes: int = 60, method: str | None = None) -> bytes:
    """VCALENDAR's properties and the VTIMEZONEs for `spans` (see zone_spans), without the
    closing line: a feed is this, its VEVENTs' bytes, and END — byte for byte what the
    library writes for the whole calendar."""
    cal = new_calendar(name=name, description=description, refresh_minutes=refresh_minutes,
                       method=method)
    for tz in timezones(spans):
        cal.add_component(tz)
    return cal.to_ical()[: -len(END)]


def build_calendar(events: Iterable, *, name: str, description: str, site_url: str,
                   domain: str, refresh_minutes: int = 60,
                   label: Callable = _default_label,
                   words: Mapping[str, str] = WORDS,
                   attendance: Mapping[int, Attendance] | None = None) -> bytes:
    """A feed: VCALENDAR with one VEVENT per event and a VTIMEZONE for every TZID used.

    `events` have `venue` and `involvements` (with `partner`) loaded; `attendance` says how
    the feed's owner is registered for some of them (waitlisted, won a seat)."""
    events = list(events)
    words = {**WORDS, **words}
    attendance = attendance or {}
    parts = [calendar_head(zone_spans(events), name=name, description=description,
                           refresh_minutes=refresh_minutes)]
    parts += [vevent(event, site_url=site_url, domain=domain, label=label, words=words,
                     attendance=attendance.get(event.id, NOT_REGISTERED)).to_ical()
              for event in events]
    parts.append(END)
    return b"".join(parts)


def _address(email: str, name: str, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if param_text(name):
        address.params["CN"] = param_text(name)
    address.params.update(params)
    return address


def _schedule(item: VEvent, itip: Itip) -> None:
    """Turn a published VEVENT into the REQUEST or CANCEL of one attendee's seat."""
    for name in ("DTSTAMP", "SEQUENCE"):
        del item[name]
    item.add("dtstamp", itip.sent_at.astimezone(UTC))
    item.add("sequence", itip.sequence)
    item.add("organizer", _address(itip.organizer_email, itip.organizer_name))
    attendee = {"CUTYPE": "INDIVIDUAL", "ROLE": "REQ-PARTICIPANT", "RSVP": "FALSE"}
    if itip.method == REQUEST:
        attendee["PARTSTAT"] = "ACCEPTED"
    item.add("attendee", _address(itip.attendee_email, itip.attendee_name, **attendee))
    if itip.method == CANCEL:
        # The message goes to this one person only: for them the whole entry is gone.
        for name in ("STATUS", "TRANSP"):
            del item[name]
        item.add("status", "CANCELLED")
        item.add("transp", "TRANSPARENT")


def event_ics(event, *, site_url: str, domain: str, label: Callable = _default_label,
              words: Mapping[str, str] = WORDS, waitlisted: bool = False,
              itip: Itip | None = None) -> bytes:
    """A single event: VCALENDAR, VTIMEZONE, VEVENT. Without `itip` a published calendar ("add
    to calendar", partners' mails); with it a scheduling message to one registrant."""
    words = {**WORDS, **words}
    # No calendar name: Apple and Outlook would offer to create a new calendar for one event.
    head = calendar_head(zone_spans([event]), name="", description="", refresh_minutes=0,
                         method=itip.method if itip else None)
    item = vevent(event, site_url=site_url, domain=domain, label=label, words=words,
                  attendance=Attendance(waitlisted=waitlisted and itip is None))
    if itip is not None:
        _schedule(item, itip)
    return head + item.to_ical() + END


def utc_stamp(value: datetime) -> str:
    """20261201T070000Z — the form Google Calendar's template link wants."""
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def google_calendar_url(event, *, site_url: str) -> str:
    """A Google Calendar "add event" template link (no account data leaves our site)."""
    details = event.summary or ""
    details = (details + "\n\n" if details else "") + event_url(event, site_url)
    query = urlencode({
        "action": "TEMPLATE",
        "text": clean_text(event.title),
        "dates": f"{utc_stamp(event.starts_at)}/{utc_stamp(event.ends_at)}",
        "details": clean_text(details),
        "location": clean_text(event_location(event)),
        "ctz": event.timezone,
    })
    return f"https://calendar.google.com/calendar/render?{query}"
