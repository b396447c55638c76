"""The month and week grids: days, today, navigation, and events on every day they touch."""

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from events.planning.calendar_grid import (
    _days,
    _fill,
    month_from_arg,
    month_grid,
    week_from_arg,
    week_grid,
)
from tests.factories import make_event

MOSCOW = ZoneInfo("Europe/Moscow")


def test_month_from_arg():
    assert month_from_arg("2031-02", "Europe/Moscow") == date(2031, 2, 1)
    today = datetime.now(MOSCOW).date().replace(day=1)
    for bad in (None, "", "2031-13", "x", "99999-01", "0001-01"):
        assert month_from_arg(bad, "Europe/Moscow") == today


def test_week_from_arg_gives_the_monday():
    assert week_from_arg("2031-03-06", "Europe/Moscow") == date(2031, 3, 3)
    assert week_from_arg("garbage", "Europe/Moscow").weekday() == 0


def test_month_grid_has_whole_weeks_and_neighbours(app):
    grid = month_grid(None, date(2031, 2, 1), "Europe/Moscow")
    assert all(len(week) == 7 for week in grid.weeks)
    assert grid.weeks[0][0].date.weekday() == 0
    assert grid.weeks[0][0].date <= date(2031, 2, 1) <= grid.weeks[-1][-1].date
    assert (grid.prev_month, grid.next_month) == (date(2031, 1, 1), date(2031, 3, 1))
    assert all(day.in_month is (day.date.month == 2) for week in grid.weeks for day in week)


def test_today_is_marked(app):
    today = datetime.now(MOSCOW).date()
    grid = week_grid(None, today - timedelta(days=today.weekday()), "Europe/Moscow")
    assert [d.date for d in grid.days if d.is_today] == [today]


def test_event_is_placed_by_its_local_day_in_the_grid_zone(app):
    # 22:30 UTC on the 4th is 01:30 on the 5th in Moscow.
    make_event(title="Late", starts_at=datetime(2031, 3, 4, 22, 30, tzinfo=UTC),
               ends_at=datetime(2031, 3, 4, 23, 30, tzinfo=UTC))
    grid = week_grid(None, date(2031, 3, 3), "Europe/Moscow")
    placed = {d.date: [i.event.title for i in d.events] for d in grid.days}
    assert placed[date(2031, 3, 5)] == ["Late"]
    assert placed[date(2031, 3, 4)] == []


@settings(max_examples=200, deadline=None)
@given(start_hours=st.integers(-24 * 10, 24 * 40), length_minutes=st.integers(1, 60 * 24 * 9))
def test_every_event_shows_on_each_day_it_touches_and_nowhere_else(start_hours, length_minutes):
    first, last = date(2031, 3, 3), date(2031, 4, 6)
    days = _days(first, last, None, date(2031, 3, 10))
    starts = datetime(2031, 3, 3, tzinfo=MOSCOW) + timedelta(hours=start_hours)
    event = SimpleNamespace(starts_at=starts.astimezone(UTC),
                            ends_at=(starts + timedelta(minutes=length_minutes)).astimezone(UTC))
    if event.starts_at < datetime(2031, 4, 7, tzinfo=MOSCOW) and \
            event.ends_at > datetime(2031, 3, 3, tzinfo=MOSCOW):
        _fill(days, [event], MOSCOW)
    shown = [d.date for d in days.values() if d.events]
    local_start = event.starts_at.astimezone(MOSCOW)
    local_end = event.ends_at.astimezone(MOSCOW) - timedelta(microseconds=1)
    expected = [d for d in days if local_start.date() <= d <= local_end.date()]
    assert shown == expected
    for day in days.values():
        for item in day.events:
            assert item.continues == (day.date != local_start.date())


def _link(page: str, label: str) -> str:
    import re

    match = re.search(r'<a href="([^"]+)"[^>]*>' + label + "</a>", page)
    assert match, label
    return match.group(1).replace("&amp;", "&")


def test_week_opens_on_the_week_holding_today_not_the_months_first(app, client):
    today = datetime.now(MOSCOW).date()
    page = client.get("/calendar").get_data(as_text=True)
    assert f"week={today.isoformat()}" in _link(page, "Week")
    # Another month has no today: its week is the one holding its 1st.
    page = client.get("/calendar?month=2031-02").get_data(as_text=True)
    assert "week=2031-02-01" in _link(page, "Week")


def test_week_anchor_and_month_anchor():
    from events.planning.calendar_grid import MonthGrid, WeekGrid

    month = MonthGrid(date(2031, 3, 1), [], date(2031, 2, 1), date(2031, 4, 1), "UTC",
                      today=date(2031, 3, 19))
    assert month.week_anchor == date(2031, 3, 19)
    month.today = date(2031, 4, 2)
    assert month.week_anchor == date(2031, 3, 1)
    # Monday 30 March – Sunday 5 April: with today in it, "Month" is today's month...
    week = WeekGrid(date(2031, 3, 31), [], date(2031, 3, 24), date(2031, 4, 7), "UTC",
                    today=date(2031, 4, 2))
    assert week.month_anchor.month == 4
    # ...without it, the month holding most of the week (its Thursday).
    week.start = date(2031, 3, 31)
    week.today = date(2031, 1, 1)
    assert week.month_anchor == date(2031, 4, 3)
    week.start = date(2031, 3, 24)
    assert week.month_anchor.month == 3


def test_month_link_from_a_week_opens_that_weeks_month(app, client):
    page = client.get("/calendar?view=week&week=2031-04-01").get_data(as_text=True)
    assert "month=2031-04" in _link(page, "Month")
