"""Events → iCalendar bytes (RFC 5545). Pure: knows nothing of Flask, the database or requests.

Callers pass what the outside world decides (site URL, domain for UIDs, translated words) and
get bytes back. Every value goes through the `icalendar` library, which escapes and folds it,
so no text typed by a person can break the file.
"""

import re
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from icalendar import Calendar, Timezone, vCalAddress, vDuration
from icalendar import Event as VEvent

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


def _one_line(value: str | None) -> str:
    return re.sub(r"\s+", " ", clean_text(value)).strip()


def param_text(value: str | None) -> str:
    """A parameter value (CN=...): one line, no double quotes (RFC 5545 §3.1 param-value)."""
    return re.sub(r"\s+", " ", clean_text(value).replace('"', "'")).strip()


def _enum_value(value) -> str:
    return getattr(value, "value", value)


def _default_label(value) -> str:
    return str(_enum_value(value)).replace("_", " ").replace("-", " ").capitalize()


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
                      words: Mapping[str, str] = WORDS) -> str:
    """Plain text: summary, the description without Markdown, partners with roles, link."""
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
    blocks.append(f"{words['details']}: {event_url(event, site_url)}")
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


def vevent(event, *, site_url: str, domain: str,
           label: Callable = _default_label, words: Mapping[str, str] = WORDS,
           waitlisted: bool = False) -> VEvent:
    """One VEVENT. DTSTAMP is the last change (RFC 5545 §3.8.7.2 for calendars without METHOD),
    so the same event state always gives the same bytes."""
    zone = ZoneInfo(event.timezone)
    status = _enum_value(event.status)
    item = VEvent()
    item.add("uid", f"{event.uid}@{domain}")
    changed = (event.updated_at or event.created_at or datetime.now(UTC)).astimezone(UTC)
    item.add("dtstamp", changed)
    item.add("dtstart", event.starts_at.astimezone(zone))
    item.add("dtend", event.ends_at.astimezone(zone))
    item.add("sequence", event.sequence or 0)
    item.add("created", (event.created_at or changed).astimezone(UTC))
    item.add("last-modified", changed)
    item.add("status", "TENTATIVE" if waitlisted and status != "cancelled" else STATUS[status])
    item.add("summary", _summary(event, words, waitlisted=waitlisted))
    item.add("description", event_description(
        event, site_url=site_url, label=label, words=words))
    location = event_location(event)
    if location:
        item.add("location", clean_text(location))
    venue = getattr(event, "venue", None)
    if venue is not None and venue.latitude is not None and venue.longitude is not None:
        item.add("geo", (float(venue.latitude), float(venue.longitude)))
    item.add("url", event_url(event, site_url))
    item.add("categories", [clean_text(str(label(event.category)))])
    lead = next((i.partner for i in event.involvements if _enum_value(i.role) == "host"), None)
    if lead is not None:
        organizer = vCalAddress(f"mailto:no-reply@{domain}")
        organizer.params["cn"] = param_text(lead.name)
        organizer.params["dir"] = f"{site_url.rstrip('/')}/partners/{lead.slug}"
        item.add("organizer", organizer)
    item.add("transp", "TRANSPARENT" if status == "cancelled" else "OPAQUE")
    return item


@lru_cache(maxsize=128)
def vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """A VTIMEZONE for `tzid` covering the given years (cached: the rules do not change)."""
    return Timezone.from_tzid(tzid, first_date=date(first_year, 1, 1),
                              last_date=date(last_year, 1, 1))


def _timezones(events: list) -> list[Timezone]:
    """One VTIMEZONE for every TZID the events use (UTC needs none: it is written with Z)."""
    spans: dict[str, list[int]] = {}
    for event in events:
        if event.timezone in UTC_NAMES:
            continue
        first = event.starts_at.year - 1
        last = event.ends_at.year + 2
        span = spans.setdefault(event.timezone, [first, last])
        span[0] = min(span[0], first)
        span[1] = max(span[1], last)
    return [vtimezone(tzid, first, last) for tzid, (first, last) in sorted(spans.items())]


def new_calendar(*, name: str = "", description: str = "",
                 refresh_minutes: int | None = None) -> Calendar:
    """An empty VCALENDAR with the calendar-level properties clients read."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    # Calendar names and descriptions are one line: X- properties are written unescaped, so
    # a line break in them (a person's name in "Events Ivan Petrov takes part in") would break
    # the file.
    if name:
        cal.add("name", _one_line(name))
        cal.add("x-wr-calname", _one_line(name))
    if description:
        cal.add("description", _one_line(description))
        cal.add("x-wr-caldesc", _one_line(description))
    if refresh_minutes:
        interval = timedelta(minutes=refresh_minutes)
        cal.add("refresh-interval", interval, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", vDuration(interval))
    return cal


def event_state(event) -> tuple:
    """Everything vevent() reads from an event, its room and its partners: equal states give
    equal VEVENT bytes (what a cache of serialised events is keyed by)."""
    venue = getattr(event, "venue", None)
    return (
        event.id, event.uid, event.title, event.summary, event.description, event.status,
        event.category, event.timezone, event.starts_at, event.ends_at, event.sequence,
        event.created_at, event.updated_at, event.cancel_reason, event.online_url,
        None if venue is None else (venue.name, venue.building, venue.site, venue.address,
                                    venue.latitude, venue.longitude),
        tuple((i.partner.name, i.partner.slug, i.role, i.state) for i in event.involvements),
    )


_END = b"END:VCALENDAR\r\n"


def build_calendar(events: Iterable, *, name: str, description: str, site_url: str,
                   domain: str, refresh_minutes: int = 60,
                   label: Callable = _default_label,
                   words: Mapping[str, str] = WORDS,
                   waitlisted: Collection[int] = (),
                   cache: Callable[[Hashable, Callable[[], bytes]], bytes] | None = None,
                   variant: Hashable = None) -> bytes:
    """A feed: VCALENDAR with one VEVENT per event and a VTIMEZONE for every TZID used.

    `events` have `venue` and `involvements` (with `partner`) loaded; `waitlisted` holds the
    ids of events the feed's owner is only waitlisted for (TENTATIVE, marked in SUMMARY).
    With `cache(key, build)`, each VEVENT is serialised by the library on its own (keyed by
    its state, the words and `variant` — the language of `label`) and the bytes are placed
    inside the library's VCALENDAR: the result is byte for byte what the library writes for
    the whole calendar, but an unchanged event is never serialised twice."""
    events = list(events)
    words = {**WORDS, **words}
    cal = new_calendar(name=name, description=description, refresh_minutes=refresh_minutes)
    for tz in _timezones(events):
        cal.add_component(tz)

    def one(event) -> VEvent:
        return vevent(event, site_url=site_url, domain=domain, label=label, words=words,
                      waitlisted=event.id in waitlisted)

    if cache is None:
        for event in events:
            cal.add_component(one(event))
        return cal.to_ical()
    common = (site_url, domain, tuple(sorted(words.items())), variant)
    head = cal.to_ical()
    parts = [head[: -len(_END)]]
    for event in events:
        key = (event_state(event), event.id in waitlisted, common)
        parts.append(cache(key, lambda event=event: one(event).to_ical()))
    parts.append(_END)
    return b"".join(parts)


def event_ics(event, *, site_url: str, domain: str, label: Callable = _default_label,
              words: Mapping[str, str] = WORDS, waitlisted: bool = False) -> bytes:
    """A single event ("add to calendar", mail attachments): VCALENDAR, VTIMEZONE, VEVENT."""
    words = {**WORDS, **words}
    # No calendar name: Apple and Outlook would offer to create a new calendar for one event.
    cal = new_calendar()
    for tz in _timezones([event]):
        cal.add_component(tz)
    cal.add_component(vevent(
        event, site_url=site_url, domain=domain, label=label, words=words, waitlisted=waitlisted))
    return cal.to_ical()


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
