"""Time zone names as calendar files write them, read as IANA zones.

IANA names are taken as they are; Windows / Outlook names ("New Zealand Standard Time")
through the CLDR windowsZones table that the icalendar library ships and keeps current
(icalendar.timezone.windows_to_olson); "globally unique" names with a vendor prefix
("/mozilla.org/20050126_1/Europe/Berlin") without the prefix. Anything else is unknown and
is refused by the importer: a zone is never guessed."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from events.calendar.ical import UTC_NAMES

_WINDOWS_FOLDED = {name.casefold(): zone for name, zone in WINDOWS_TO_OLSON.items()}


class UnknownZone(ValueError):
    """A TZID that names no IANA zone, Windows zone or vendor-prefixed IANA zone."""


def _known(name: str) -> bool:
    if not name or name.startswith("/") or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def zone_name(tzid: str | None) -> str | None:
    """The IANA zone a TZID means: None for UTC (and for no TZID); UnknownZone otherwise."""
    if not tzid:
        return None
    name = str(tzid).strip().strip('"').strip()
    candidates = [name, WINDOWS_TO_OLSON.get(name), _WINDOWS_FOLDED.get(name.casefold())]
    if "/" in name:
        parts = name.strip("/").split("/")
        candidates += ["/".join(parts[i:]) for i in range(len(parts))]
    for candidate in candidates:
        if not candidate:
            continue
        if candidate in UTC_NAMES:
            return None
        if _known(candidate):
            return candidate
    raise UnknownZone(name)
