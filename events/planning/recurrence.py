"""Recurrence patterns of a series, expanded to dates: plain Python (no Flask, no database).

A pattern repeats a WALL TIME in the event's zone: a 10:00 Berlin series is at 10:00 in
winter and in summer, so its UTC instants move by an hour across the clock changes. The
dates follow RFC 5545 (dateutil.rrule): a monthly "31st" or "5th Tuesday" skips the months
that have none, and the first date is the first one from the start date on that matches the
pattern. A wall time that does not exist on some date (the clocks jump over it) is reported
on that date, never shifted; one that happens twice is the first of the two (RFC 5545).

Refusals are `PatternInvalid` with an English msgid and its parameters: the caller
translates them (the series service does, through gettext)."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from dateutil import rrule


def N_(message: str) -> str:  # noqa: N802 — the gettext convention for "extract me, translate later"
    return message


MAX_DATES = 400
MAX_INTERVAL = 52
DAILY, WEEKLY, MONTHLY = "daily", "weekly", "monthly"
FREQUENCIES = (DAILY, WEEKLY, MONTHLY)
LAST = -1  # nth weekday: the last one of the month
_RRULE_FREQ = {DAILY: rrule.DAILY, WEEKLY: rrule.WEEKLY, MONTHLY: rrule.MONTHLY}
_WEEKDAYS = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)


class PatternInvalid(ValueError):
    """A pattern that cannot be expanded: `field` names the input, `message` is a msgid
    with %(name)s parameters in `params`."""

    def __init__(self, field: str, message: str, **params):
        super().__init__(message % params if params else message)
        self.field = field
        self.message = message
        self.params = params


@dataclass(frozen=True)
class Pattern:
    """How a series repeats.

    frequency: "daily", "weekly" or "monthly"; interval: every N days/weeks/months.
    weekly: `weekdays` (0 = Monday … 6 = Sunday), at least one.
    monthly: either `month_day` (1–31) or `nth` (1–5, or -1 for the last) with `nth_weekday`.
    End: exactly one of `until` (a date, inclusive) or `count` (1–400 dates)."""

    frequency: str
    interval: int = 1
    weekdays: tuple[int, ...] = ()
    month_day: int | None = None
    nth: int | None = None
    nth_weekday: int | None = None
    until: date | None = None
    count: int | None = None

    def check(self, first_day: date | None = None) -> None:
        """Raise PatternInvalid naming the first wrong field."""
        if self.frequency not in FREQUENCIES:
            raise PatternInvalid("frequency", N_("Choose daily, weekly or monthly."))
        if (isinstance(self.interval, bool) or not isinstance(self.interval, int)
                or not 1 <= self.interval <= MAX_INTERVAL):
            raise PatternInvalid("interval", N_("Repeat every 1 to %(n)d periods."),
                                 n=MAX_INTERVAL)
        if self.frequency == WEEKLY:
            if not self.weekdays:
                raise PatternInvalid("weekdays", N_("Choose at least one day of the week."))
            if any(not isinstance(d, int) or not 0 <= d <= 6 for d in self.weekdays):
                raise PatternInvalid("weekdays", N_("Choose days of the week from the list."))
        elif self.weekdays:
            raise PatternInvalid("weekdays", N_("Days of the week are for a weekly series."))
        if self.frequency == MONTHLY:
            by_day = self.month_day is not None
            by_nth = self.nth is not None or self.nth_weekday is not None
            if by_day == by_nth:
                raise PatternInvalid("month_day", N_(
                    "Repeat monthly either on a day of the month or on a weekday such as "
                    "the second Tuesday."))
            if by_day and not 1 <= self.month_day <= 31:
                raise PatternInvalid("month_day", N_("The day of the month is 1 to 31."))
            if by_nth:
                if self.nth not in (1, 2, 3, 4, 5, LAST):
                    raise PatternInvalid("nth", N_("Choose first to fifth, or last."))
                if self.nth_weekday is None or not 0 <= self.nth_weekday <= 6:
                    raise PatternInvalid("nth_weekday", N_("Choose the day of the week."))
        elif self.month_day is not None or self.nth is not None or self.nth_weekday is not None:
            raise PatternInvalid("month_day", N_("Days of the month are for a monthly series."))
        if (self.until is None) == (self.count is None):
            raise PatternInvalid("until", N_("End the series either on a date or after a "
                                             "number of dates."))
        if self.count is not None and (isinstance(self.count, bool)
                                       or not 1 <= self.count <= MAX_DATES):
            raise PatternInvalid("count", N_("A series has 1 to %(n)d dates."), n=MAX_DATES)
        if self.until is not None and first_day is not None and self.until < first_day:
            raise PatternInvalid("until", N_("The series must end on or after its first "
                                             "date."))

    def rule(self, first: datetime) -> rrule.rrule:
        """The dateutil rule from `first`, a naive wall time; `until` ends at its day's end."""
        kwargs: dict = {"dtstart": first, "interval": self.interval}
        if self.frequency == WEEKLY:
            kwargs["byweekday"] = [_WEEKDAYS[d] for d in sorted(set(self.weekdays))]
        elif self.frequency == MONTHLY:
            if self.month_day is not None:
                kwargs["bymonthday"] = self.month_day
            else:
                kwargs["byweekday"] = _WEEKDAYS[self.nth_weekday](self.nth)
        if self.count is not None:
            kwargs["count"] = self.count
        else:
            kwargs["until"] = datetime.combine(self.until, time.max)
        return rrule.rrule(_RRULE_FREQ[self.frequency], **kwargs)


@dataclass(frozen=True)
class Occurrence:
    """One date of the series: its wall time, and its instant in UTC (None when the wall
    time does not exist that day: the clocks jump over it)."""

    wall: datetime
    starts_at: datetime | None

    @property
    def exists(self) -> bool:
        return self.starts_at is not None


@dataclass(frozen=True)
class Expansion:
    occurrences: list[Occurrence] = field(default_factory=list)

    @property
    def starts(self) -> list[datetime]:
        return [o.starts_at for o in self.occurrences if o.starts_at is not None]

    @property
    def gaps(self) -> list[datetime]:
        """The wall times that do not exist on their date."""
        return [o.wall for o in self.occurrences if o.starts_at is None]


def _instant(wall: datetime, zone: ZoneInfo) -> datetime | None:
    aware = wall.replace(tzinfo=zone, fold=0)
    back = aware.astimezone(UTC)
    if back.astimezone(zone).replace(tzinfo=None, fold=0) != wall:
        return None  # in a spring-forward gap
    return back


def expand(pattern: Pattern, first: datetime, zone: ZoneInfo | str) -> Expansion:
    """The dates of `pattern` from `first`, a wall time (naive, or aware in any zone: read in
    `zone`), as UTC instants. Refuses a bad pattern or more than MAX_DATES dates."""
    zone = ZoneInfo(zone) if isinstance(zone, str) else zone
    if first.tzinfo is not None:
        first = first.astimezone(zone)
    first = first.replace(tzinfo=None, fold=0)
    pattern.check(first.date())
    occurrences = []
    for wall in pattern.rule(first):
        if len(occurrences) == MAX_DATES:
            raise PatternInvalid("until", N_("A series has at most %(n)d dates; end it "
                                             "sooner."), n=MAX_DATES)
        occurrences.append(Occurrence(wall, _instant(wall, zone)))
    if not occurrences:
        raise PatternInvalid("until", N_("The pattern gives no date before the end."))
    return Expansion(occurrences)
