"""An event as schema.org `Event` JSON-LD and Open Graph properties. Pure: callers pass the
page's absolute URLs, the partners, the seats taken and what changed since publication;
`script_json` makes the text safe inside an HTML <script> element."""

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from markupsafe import Markup

from events.bilingual import language_of
from events.enums import EventFormat, EventStatus
from events.text import markdown_to_text, one_line

SCHEMA = "https://schema.org/"
ATTENDANCE = {
    EventFormat.IN_PERSON: "OfflineEventAttendanceMode",
    EventFormat.ONLINE: "OnlineEventAttendanceMode",
    EventFormat.HYBRID: "MixedEventAttendanceMode",
}
OG_LOCALES = {"en": "en_GB", "ru": "ru_RU"}
DESCRIPTION_MAX = 5000
OG_DESCRIPTION_MAX = 300


@dataclass(frozen=True)
class Published:
    """What the page knows beyond the event row."""

    url: str                       # the event page, absolute
    partners: Sequence             # taking part, host first (Partner objects; names are
                                   # read in the reader's language)
    partner_url: Callable          # Partner → its page, absolute
    confirmed: int                 # confirmed registrations
    now: datetime
    earlier_starts: Sequence[datetime] = field(default_factory=tuple)
    earlier_formats: Sequence[EventFormat] = field(default_factory=tuple)
    currency: str = "RUB"


def _date(event, value: datetime, *, end: bool = False) -> str:
    """ISO 8601 with the event zone's offset; all-day events as dates (the last day, inclusive,
    for the end)."""
    if event.is_all_day:
        return (event.last_day if end else event.first_day).isoformat()
    return value.astimezone(event.zone).isoformat()


def event_status(event, facts: Published) -> str:
    if event.status == EventStatus.CANCELLED:
        return "EventCancelled"
    if facts.earlier_starts:
        return "EventRescheduled"
    if event.format == EventFormat.ONLINE and any(
            f != EventFormat.ONLINE for f in facts.earlier_formats):
        return "EventMovedOnline"
    return "EventScheduled"


def availability(event, facts: Published) -> str:
    """Free registration as an offer: SoldOut when every seat is taken (a waitlist may still
    take names), PreOrder before registration opens, OutOfStock once it has closed or the
    event started, Discontinued when cancelled."""
    if event.status == EventStatus.CANCELLED:
        return "Discontinued"
    if event.starts_at <= facts.now or (
            event.registration_closes_at is not None
            and facts.now >= event.registration_closes_at):
        return "OutOfStock"
    if event.registration_opens_at is not None and facts.now < event.registration_opens_at:
        return "PreOrder"
    if event.capacity is not None and facts.confirmed >= event.capacity:
        return "SoldOut"
    return "InStock"


def _place(event) -> dict:
    venue = event.venue
    place = {"@type": "Place", "name": venue.label}
    if venue.address:
        place["address"] = {"@type": "PostalAddress", "streetAddress": venue.address}
    else:
        place["address"] = venue.site
    if venue.latitude is not None and venue.longitude is not None:
        place["geo"] = {"@type": "GeoCoordinates", "latitude": venue.latitude,
                        "longitude": venue.longitude}
    return place


def location(event, facts: Published) -> list[dict]:
    places = []
    if event.format != EventFormat.ONLINE and event.venue is not None:
        places.append(_place(event))
    if event.format != EventFormat.IN_PERSON:
        places.append({"@type": "VirtualLocation", "url": event.online_url or facts.url})
    return places


def description(event) -> str:
    parts = [one_line(event.summary), markdown_to_text(event.description).strip()]
    return "\n\n".join(p for p in parts if p)[:DESCRIPTION_MAX]


def event_data(event, facts: Published) -> dict:
    """The schema.org Event of an event page."""
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "@id": facts.url,
        "url": facts.url,
        "name": event.title,
        "inLanguage": language_of(event),
        "startDate": _date(event, event.starts_at),
        "endDate": _date(event, event.ends_at, end=True),
        "eventStatus": SCHEMA + event_status(event, facts),
        "eventAttendanceMode": SCHEMA + ATTENDANCE[event.format],
        "location": location(event, facts),
        "organizer": [{"@type": "Organization", "name": p.local_name,
                       "url": p.website or facts.partner_url(p)} for p in facts.partners],
        "offers": {
            "@type": "Offer", "url": facts.url, "price": 0, "priceCurrency": facts.currency,
            "availability": SCHEMA + availability(event, facts),
            **({"validFrom": event.registration_opens_at.isoformat()}
               if event.registration_opens_at else {}),
        },
    }
    text = description(event)
    if text:
        data["description"] = text
    if event.capacity is not None:
        data["maximumAttendeeCapacity"] = event.capacity
        data["remainingAttendeeCapacity"] = max(event.capacity - facts.confirmed, 0)
    if facts.earlier_starts:
        data["previousStartDate"] = [_date(event, s) for s in facts.earlier_starts]
    return data


def open_graph(event, *, url: str, language: str, site_name: str) -> list[tuple[str, str]]:
    """(property, content) pairs for <meta property=… content=…>."""
    summary = one_line(event.summary) or one_line(markdown_to_text(event.description))
    if len(summary) > OG_DESCRIPTION_MAX:
        summary = summary[:OG_DESCRIPTION_MAX - 1].rstrip() + "…"
    locale = OG_LOCALES.get(language, language)
    pairs = [("og:type", "website"), ("og:title", event.title), ("og:url", url),
             ("og:site_name", site_name), ("og:locale", locale)]
    pairs += [("og:locale:alternate", other) for code, other in OG_LOCALES.items()
              if other != locale]
    if summary:
        pairs.append(("og:description", summary))
    return pairs


def script_json(data) -> Markup:
    """JSON for a <script type="application/ld+json"> element: `<`, `>` and `&` written as
    \\u escapes (so no `</script>` or `<!--` can end or bend the element), as are the line and
    paragraph separators; still the same JSON to any parser."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char in ("<", ">", "&", "\u2028", "\u2029"):
        text = text.replace(char, f"\\u{ord(char):04x}")
    return Markup(text)  # noqa: S704 — every markup character is escaped above
