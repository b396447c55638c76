"""VTIMEZONE components in the usual yearly-rule form, built from the zoneinfo database.

`icalendar.Timezone.from_tzid()` writes each observance as one DTSTART plus a comma-separated
RDATE list. That is legal, but Mozilla's ical.js (Thunderbird) reads only some of those
periods and vobject gets other years wrong, so daylight-saving zones came out an hour off.
Here every transition of the span is found in zoneinfo; transitions that repeat yearly by the
same rule ("last Sunday of March at 02:00") become one STANDARD or DAYLIGHT component with an
RRULE (with UNTIL when the rule ends inside the span, open-ended when it is still in force),
one-off changes (Moscow 2014, Novosibirsk 2016) a component of their own. Pure: no Flask.
"""

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_STEP = timedelta(hours=6)  # no zone changes its offset twice within six hours


@dataclass(frozen=True)
class Transition:
    at: datetime            # the UTC instant the new offset begins
    offset_from: timedelta
    offset_to: timedelta
    name: str
    is_dst: bool

    @property
    def local_start(self) -> datetime:
        """DTSTART of the observance: the onset in the local time before it (naive)."""
        return (self.at + self.offset_from).replace(tzinfo=None)

    def weekday_positions(self) -> set[int]:
        """Which BYDAY positions describe the day: n-th weekday of the month, and -1 if last."""
        day = self.local_start
        positions = {(day.day - 1) // 7 + 1}
        if day.day + 7 > calendar.monthrange(day.year, day.month)[1]:
            positions.add(-1)
        return positions

    def rule_key(self) -> tuple:
        local = self.local_start
        return (self.is_dst, self.offset_from, self.offset_to, self.name, local.month,
                local.weekday(), local.time())


def _state(zone: ZoneInfo, instant: datetime) -> tuple[timedelta, str, bool]:
    local = instant.astimezone(zone)
    dst = local.dst()
    return local.utcoffset(), local.tzname() or "", bool(dst and dst > timedelta(0))


def transitions(tzid: str, first_year: int, last_year: int) -> list[Transition]:
    """Every change of offset or name between 1 January `first_year` and the end of
    `last_year` (UTC), each found to the second."""
    zone = ZoneInfo(tzid)
    cursor = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    found = []
    state = _state(zone, cursor)
    while cursor < end:
        following = cursor + _STEP
        new_state = _state(zone, following)
        if new_state != state:
            low, high = cursor, following  # state(low) = old, state(high) = new
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if middle <= low:
                    break
                if _state(zone, middle) == state:
                    low = middle
                else:
                    high = middle
            found.append(Transition(high, state[0], new_state[0], new_state[1], new_state[2]))
            state = new_state
        cursor = following
    return found


@dataclass
class _Run:
    """Transitions of one yearly rule in consecutive years."""

    items: list[Transition]
    positions: set[int]


def _runs(found: list[Transition]) -> list[_Run]:
    runs: list[_Run] = []
    open_runs: dict[tuple, _Run] = {}
    for item in found:
        key = item.rule_key()
        run = open_runs.get(key)
        if run is not None and item.at.year == run.items[-1].at.year + 1:
            shared = run.positions & item.weekday_positions()
            if shared:
                run.items.append(item)
                run.positions = shared
                continue
        run = _Run([item], item.weekday_positions())
        runs.append(run)
        # A rule of the other kind (DST vs standard) never breaks this one.
        for other_key in [k for k in open_runs if k[0] == key[0]]:
            del open_runs[other_key]
        open_runs[key] = run
    return runs


def _component(run: _Run, *, ongoing: bool):
    first = run.items[0]
    part = TimezoneDaylight() if first.is_dst else TimezoneStandard()
    part.add("dtstart", first.local_start)
    part.add("tzoffsetfrom", first.offset_from)
    part.add("tzoffsetto", first.offset_to)
    if first.name:
        part.add("tzname", first.name)
    if len(run.items) > 1:
        position = -1 if -1 in run.positions else min(run.positions)
        rule = {"freq": "yearly", "bymonth": first.local_start.month,
                "byday": f"{position}{_DAYS[first.local_start.weekday()]}"}
        if not ongoing:
            rule["until"] = run.items[-1].at.astimezone(UTC)
        part.add("rrule", rule)
    return part


@lru_cache(maxsize=256)
def vtimezone(tzid: str, first_year: int, last_year: int) -> Timezone:
    """A VTIMEZONE for `tzid` that is right for every instant from `first_year` to
    `last_year` (and, for a rule still in force at the end, for the years after)."""
    zone = ZoneInfo(tzid)
    tz = Timezone()
    tz.add("tzid", tzid)
    found = transitions(tzid, first_year, last_year)
    # The offset at the start of the span, as an observance of its own: ical.js reads times
    # before the first observance as UTC instead of using its TZOFFSETFROM.
    offset, name, is_dst = _state(zone, datetime(first_year, 1, 1, tzinfo=UTC))
    part = TimezoneDaylight() if is_dst else TimezoneStandard()
    part.add("dtstart", datetime.combine(date(first_year, 1, 1), datetime.min.time()))
    part.add("tzoffsetfrom", offset)
    part.add("tzoffsetto", offset)
    if name:
        part.add("tzname", name)
    tz.add_component(part)
    if not found:
        return tz
    runs = _runs(found)
    last_of_kind = {}
    for run in runs:
        last_of_kind[run.items[0].is_dst] = run
    latest_year = found[-1].at.year
    for run in runs:
        # A rule is still in force when it is the last of its kind and ran until the end.
        ongoing = (last_of_kind[run.items[0].is_dst] is run
                   and run.items[-1].at.year >= latest_year - 1 and len(run.items) > 1)
        tz.add_component(_component(run, ongoing=ongoing))
    return tz
