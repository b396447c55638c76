"""Series patterns expanded on wall time: every kind, month ends, clock changes, limits."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from events.planning.recurrence import (
    DAILY,
    LAST,
    MAX_DATES,
    MONTHLY,
    WEEKLY,
    Pattern,
    PatternInvalid,
    expand,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def wall(*parts) -> datetime:
    """A naive wall time, as the patterns take and report them."""
    return datetime(*parts)  # noqa: DTZ001


def walls(expansion):
    return [o.wall for o in expansion.occurrences]


def test_daily_for_a_count_gives_consecutive_days():
    result = expand(Pattern(DAILY, count=3), wall(2027, 3, 1, 9, 0), BERLIN)
    assert walls(result) == [wall(2027, 3, d, 9, 0) for d in (1, 2, 3)]
    assert result.starts[0] == datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


def test_daily_every_second_day_until_a_date_includes_the_last_day():
    result = expand(Pattern(DAILY, interval=2, until=date(2027, 3, 7)),
                    wall(2027, 3, 1, 9, 0), BERLIN)
    assert [w.day for w in walls(result)] == [1, 3, 5, 7]


def test_weekly_on_chosen_weekdays():
    # 1 March 2027 is a Monday: Mondays and Thursdays, four dates
    result = expand(Pattern(WEEKLY, weekdays=(3, 0), count=4), wall(2027, 3, 1, 18, 30),
                    BERLIN)
    assert [w.day for w in walls(result)] == [1, 4, 8, 11]


def test_every_second_week_skips_the_weeks_between():
    result = expand(Pattern(WEEKLY, interval=2, weekdays=(1,), until=date(2027, 4, 1)),
                    wall(2027, 3, 2, 10, 0), BERLIN)
    assert [w.date() for w in walls(result)] == [date(2027, 3, 2), date(2027, 3, 16),
                                                 date(2027, 3, 30)]


def test_first_date_is_the_first_match_from_the_start_day():
    # starts on a Monday, repeats on Wednesdays: the Monday itself is no date
    result = expand(Pattern(WEEKLY, weekdays=(2,), count=2), wall(2027, 3, 1, 10), BERLIN)
    assert [w.day for w in walls(result)] == [3, 10]


def test_monthly_on_a_day_of_the_month():
    result = expand(Pattern(MONTHLY, month_day=15, count=3), wall(2027, 1, 15, 8, 0),
                    BERLIN)
    assert [w.date() for w in walls(result)] == [date(2027, 1, 15), date(2027, 2, 15),
                                                 date(2027, 3, 15)]


def test_monthly_on_the_31st_skips_shorter_months():
    result = expand(Pattern(MONTHLY, month_day=31, count=3), wall(2027, 1, 31, 8, 0),
                    BERLIN)
    assert [w.date() for w in walls(result)] == [date(2027, 1, 31), date(2027, 3, 31),
                                                 date(2027, 5, 31)]


def test_monthly_on_the_second_tuesday():
    result = expand(Pattern(MONTHLY, nth=2, nth_weekday=1, count=3),
                    wall(2027, 1, 1, 9, 0), BERLIN)
    assert [w.date() for w in walls(result)] == [date(2027, 1, 12), date(2027, 2, 9),
                                                 date(2027, 3, 9)]


def test_monthly_on_the_last_friday():
    result = expand(Pattern(MONTHLY, nth=LAST, nth_weekday=4, count=3),
                    wall(2027, 1, 1, 9, 0), BERLIN)
    assert [w.date() for w in walls(result)] == [date(2027, 1, 29), date(2027, 2, 26),
                                                 date(2027, 3, 26)]


def test_fifth_weekday_skips_months_without_one():
    # fifth Monday in 2027: March 29, May 31, August 30, November 29
    result = expand(Pattern(MONTHLY, nth=5, nth_weekday=0, until=date(2027, 12, 31)),
                    wall(2027, 1, 1, 9, 0), BERLIN)
    assert [w.date() for w in walls(result)] == [date(2027, 3, 29), date(2027, 5, 31),
                                                 date(2027, 8, 30), date(2027, 11, 29)]


def test_berlin_series_keeps_its_wall_time_across_both_clock_changes():
    # Berlin: summer time from 28 March 2027, winter time again from 31 October 2027
    result = expand(Pattern(WEEKLY, weekdays=(2,), until=date(2027, 11, 10)),
                    wall(2027, 3, 24, 10, 0), BERLIN)
    assert all(o.wall.hour == 10 for o in result.occurrences)
    by_date = {o.wall.date(): o.starts_at for o in result.occurrences}
    assert by_date[date(2027, 3, 24)] == datetime(2027, 3, 24, 9, 0, tzinfo=UTC)
    assert by_date[date(2027, 3, 31)] == datetime(2027, 3, 31, 8, 0, tzinfo=UTC)
    assert by_date[date(2027, 10, 27)] == datetime(2027, 10, 27, 8, 0, tzinfo=UTC)
    assert by_date[date(2027, 11, 3)] == datetime(2027, 11, 3, 9, 0, tzinfo=UTC)
    assert result.gaps == []


def test_new_york_series_keeps_its_wall_time_across_both_clock_changes():
    # New York: DST from 14 March 2027, standard time again from 7 November 2027
    result = expand(Pattern(DAILY, interval=7, until=date(2027, 11, 14)),
                    wall(2027, 3, 7, 19, 0), NEW_YORK)
    by_date = {o.wall.date(): o.starts_at for o in result.occurrences}
    assert by_date[date(2027, 3, 7)] == datetime(2027, 3, 8, 0, 0, tzinfo=UTC)
    assert by_date[date(2027, 3, 14)] == datetime(2027, 3, 14, 23, 0, tzinfo=UTC)
    assert by_date[date(2027, 10, 31)] == datetime(2027, 10, 31, 23, 0, tzinfo=UTC)
    assert by_date[date(2027, 11, 7)] == datetime(2027, 11, 8, 0, 0, tzinfo=UTC)


def test_wall_time_in_the_spring_gap_is_reported_not_shifted():
    # 02:30 on 28 March 2027 does not exist in Berlin
    result = expand(Pattern(DAILY, count=3), wall(2027, 3, 27, 2, 30), BERLIN)
    assert result.gaps == [wall(2027, 3, 28, 2, 30)]
    assert len(result.starts) == 2
    assert [o.exists for o in result.occurrences] == [True, False, True]


def test_wall_time_in_the_autumn_fold_is_the_first_of_the_two():
    # 02:30 on 31 October 2027 happens twice in Berlin: first at 00:30 UTC (summer time)
    result = expand(Pattern(DAILY, count=1), wall(2027, 10, 31, 2, 30), BERLIN)
    assert result.starts == [datetime(2027, 10, 31, 0, 30, tzinfo=UTC)]


def test_new_york_spring_gap_is_reported():
    result = expand(Pattern(WEEKLY, weekdays=(6,), count=2), wall(2027, 3, 7, 2, 15),
                    NEW_YORK)
    assert result.gaps == [wall(2027, 3, 14, 2, 15)]


def test_count_and_until_give_the_same_dates_when_they_agree():
    by_count = expand(Pattern(WEEKLY, weekdays=(0,), count=5), wall(2027, 3, 1, 9), BERLIN)
    by_until = expand(Pattern(WEEKLY, weekdays=(0,), until=date(2027, 3, 29)),
                      wall(2027, 3, 1, 9), BERLIN)
    assert by_count == by_until


def test_aware_first_start_is_read_in_the_zone():
    result = expand(Pattern(DAILY, count=1), datetime(2027, 3, 1, 8, 0, tzinfo=UTC), BERLIN)
    assert walls(result) == [wall(2027, 3, 1, 9, 0)]


def test_count_at_the_cap_is_accepted():
    result = expand(Pattern(DAILY, count=MAX_DATES), wall(2027, 1, 1, 9), BERLIN)
    assert len(result.occurrences) == MAX_DATES


@pytest.mark.parametrize(("pattern", "field", "words"), [
    (Pattern("yearly", count=2), "frequency", "daily, weekly or monthly"),
    (Pattern(DAILY, interval=0, count=2), "interval", "1 to"),
    (Pattern(WEEKLY, count=2), "weekdays", "at least one day"),
    (Pattern(WEEKLY, weekdays=(7,), count=2), "weekdays", "from the list"),
    (Pattern(DAILY, weekdays=(1,), count=2), "weekdays", "weekly series"),
    (Pattern(MONTHLY, count=2), "month_day", "either on a day"),
    (Pattern(MONTHLY, month_day=3, nth=1, nth_weekday=1, count=2), "month_day", "either"),
    (Pattern(MONTHLY, month_day=32, count=2), "month_day", "1 to 31"),
    (Pattern(MONTHLY, nth=6, nth_weekday=1, count=2), "nth", "first to fifth"),
    (Pattern(MONTHLY, nth=2, count=2), "nth_weekday", "day of the week"),
    (Pattern(DAILY, month_day=3, count=2), "month_day", "monthly series"),
    (Pattern(DAILY), "until", "either on a date"),
    (Pattern(DAILY, count=3, until=date(2027, 5, 1)), "until", "either on a date"),
    (Pattern(DAILY, count=MAX_DATES + 1), "count", "1 to 400"),
    (Pattern(DAILY, until=date(2026, 1, 1)), "until", "on or after"),
    (Pattern(DAILY, until=date(2029, 1, 1)), "until", "at most 400"),
])
def test_invalid_pattern_is_refused_with_a_message(pattern, field, words):
    with pytest.raises(PatternInvalid) as caught:
        expand(pattern, wall(2027, 1, 1, 9), BERLIN)
    assert caught.value.field == field
    assert words in str(caught.value)


def test_pattern_that_matches_no_date_before_the_end_is_refused():
    with pytest.raises(PatternInvalid, match="no date"):
        expand(Pattern(MONTHLY, month_day=30, until=date(2027, 2, 20)),
               wall(2027, 2, 1, 9), BERLIN)
