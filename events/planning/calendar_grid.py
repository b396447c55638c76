"""Month and week grids: days in one zone (the site's default), each with the events that
touch it. Built from one select of the visible events, so the query count stays constant."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from events.db import utcnow
from events.planning.queries import EventFilters, events_between


@dataclass
class DayEvent:
    """An event as one day shows it: continuing from the day before, or starting that day.
    `there` is its start in its own zone when that zone's clocks differ from the grid's (a
    Berlin event on a Moscow grid): the grid shows it as a hint beside the grid's time."""

    event: object
    continues: bool
    starts: datetime
    there: datetime | None = None

    @property
    def place(self) -> str:
        """The event zone's city, as the zone's name spells it ("New York")."""
        return self.event.timezone.rsplit("/", 1)[-1].replace("_", " ")


def _there(event, starts: datetime) -> datetime | None:
    if getattr(event, "is_all_day", False) or not getattr(event, "timezone", None):
        return None
    try:
        local = event.starts_at.astimezone(ZoneInfo(event.timezone))
    except (KeyError, ValueError):  # a zone this host does not know: no hint
        return None
    return local if local.utcoffset() != starts.utcoffset() else None


@dataclass
class Day:
    date: date
    in_month: bool
    is_today: bool
    events: list = field(default_factory=list)


@dataclass
class MonthGrid:
    month: date
    weeks: list[list[Day]]
    prev_month: date
    next_month: date
    zone: str
    today: date

    @property
    def week_anchor(self) -> date:
        """The day "Week" opens on: today when this month holds it, else the month's 1st."""
        same_month = (self.today.year, self.today.month) == (self.month.year, self.month.month)
        return self.today if same_month else self.month


@dataclass
class WeekGrid:
    start: date
    days: list[Day]
    prev_week: date
    next_week: date
    zone: str
    today: date

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)

    @property
    def month_anchor(self) -> date:
        """The month "Month" opens: today's when this week holds today, else the month most
        of the week lies in (its Thursday's, as ISO weeks count)."""
        if self.start <= self.today <= self.end:
            return self.today
        return self.start + timedelta(days=3)


def today_in(zone: str) -> date:
    return utcnow().astimezone(ZoneInfo(zone)).date()


def month_from_arg(value: str | None, zone: str) -> date:
    """The first day of ?month=YYYY-MM, or of this month when missing or malformed."""
    if value:
        try:
            month = datetime.strptime(value, "%Y-%m").date().replace(day=1)  # noqa: DTZ007
            if 1900 < month.year < 2200:
                return month
        except ValueError:
            pass
    return today_in(zone).replace(day=1)


def week_from_arg(value: str | None, zone: str) -> date:
    """The Monday of the week holding ?week=YYYY-MM-DD, or of this week."""
    day = None
    if value:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            day = None
        if day is not None and not 1900 < day.year < 2200:
            day = None
    day = day or today_in(zone)
    return day - timedelta(days=day.weekday())


def _fill(days: dict[date, Day], events, tz: ZoneInfo) -> None:
    """Put each event on every day it touches (a three-day exhibition shows three times)."""
    for event in events:
        if getattr(event, "is_all_day", False):  # its own days, whatever the grid's zone
            first, last = event.first_day, event.last_day
        else:
            first = event.starts_at.astimezone(tz).date()
            # An event ending at midnight does not touch the next day.
            last = (event.ends_at.astimezone(tz) - timedelta(microseconds=1)).date()
        cursor = max(first, min(days))
        starts = event.starts_at.astimezone(tz)
        there = _there(event, starts)
        while cursor <= min(last, max(days)):
            days[cursor].events.append(
                DayEvent(event, continues=cursor != first, starts=starts, there=there))
            cursor += timedelta(days=1)


def _days(first: date, last: date, month: date | None, today: date) -> dict[date, Day]:
    days = {}
    cursor = first
    while cursor <= last:
        in_month = month is None or cursor.month == month.month
        days[cursor] = Day(cursor, in_month, cursor == today)
        cursor += timedelta(days=1)
    return days


def _bounds(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    end = datetime.combine(last + timedelta(days=1), time(), tz)
    return datetime.combine(first, time(), tz), end


def month_grid(user, month: date, zone: str,
               filters: EventFilters | None = None) -> MonthGrid:
    tz = ZoneInfo(zone)
    first = month - timedelta(days=month.weekday())
    next_month = (month + timedelta(days=32)).replace(day=1)
    last_of_month = next_month - timedelta(days=1)
    last = last_of_month + timedelta(days=6 - last_of_month.weekday())
    today = today_in(zone)
    days = _days(first, last, month, today)
    _fill(days, events_between(user, *_bounds(first, last, tz), filters), tz)
    ordered = list(days.values())
    weeks = [ordered[i:i + 7] for i in range(0, len(ordered), 7)]
    prev_month = (month - timedelta(days=1)).replace(day=1)
    return MonthGrid(month, weeks, prev_month, next_month, zone, today)


def week_grid(user, monday: date, zone: str,
              filters: EventFilters | None = None) -> WeekGrid:
    tz = ZoneInfo(zone)
    last = monday + timedelta(days=6)
    today = today_in(zone)
    days = _days(monday, last, None, today)
    _fill(days, events_between(user, *_bounds(monday, last, tz), filters), tz)
    return WeekGrid(monday, list(days.values()), monday - timedelta(days=7),
                    monday + timedelta(days=7), zone, today)
