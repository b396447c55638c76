"""The month grid: weeks of days in the default zone, each day with its events."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from events.db import utcnow
from events.planning.queries import events_between


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


def month_from_arg(value: str | None, zone: str) -> date:
    """The first day of ?month=YYYY-MM, or of this month when missing or malformed."""
    if value:
        try:
            return datetime.strptime(value, "%Y-%m").date().replace(day=1)  # noqa: DTZ007
        except ValueError:
            pass
    return utcnow().astimezone(ZoneInfo(zone)).date().replace(day=1)


def month_grid(user, month: date, zone: str = "Europe/Moscow") -> MonthGrid:
    tz = ZoneInfo(zone)
    first = month - timedelta(days=month.weekday())
    next_month = (month + timedelta(days=32)).replace(day=1)
    last = next_month + timedelta(days=(6 - next_month.weekday()) % 7)
    start = datetime.combine(first, time(), tz)
    end = datetime.combine(last + timedelta(days=1), time(), tz)
    today = utcnow().astimezone(tz).date()
    days = {}
    cursor = first
    while cursor <= last:
        days[cursor] = Day(cursor, cursor.month == month.month, cursor == today)
        cursor += timedelta(days=1)
    for event in events_between(user, start, end):
        local_day = event.starts_at.astimezone(tz).date()
        if local_day in days:
            days[local_day].events.append(event)
    ordered = list(days.values())
    weeks = [ordered[i:i + 7] for i in range(0, len(ordered), 7)]
    prev_month = (month - timedelta(days=1)).replace(day=1)
    return MonthGrid(month, weeks, prev_month, next_month, zone)
