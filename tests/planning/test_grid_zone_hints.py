"""Month and week grids show times in the site's zone; an event planned in a zone whose
clocks differ also shows its own local start as a hint ("09:00 local time, Berlin")."""

from datetime import UTC, date, datetime, timedelta

import pytest

from events.extensions import db
from events.planning.calendar_grid import month_grid, week_grid
from tests.factories import make_event

# 2031-03-04 08:00 UTC: 11:00 in Moscow (the site's zone), 09:00 in Berlin, 08:00 in London.
STARTS = datetime(2031, 3, 4, 8, 0, tzinfo=UTC)

SITE_ZONE = "Europe/Moscow"  # the site's zone (DEFAULT_EVENT_TIMEZONE)


def _event(title, zone, **extra):
    return make_event(title=title, timezone=zone, starts_at=STARTS,
                      ends_at=STARTS + timedelta(hours=2), **extra)


@pytest.fixture
def zones(app):
    _event("Berlin talk", "Europe/Berlin")
    _event("Moscow talk", "Europe/Moscow")
    _event("Istanbul talk", "Europe/Istanbul")  # UTC+3 like Moscow: the same wall time
    _event("New York call", "America/New_York")
    db.session.commit()


def hints(grid_days) -> dict[str, str | None]:
    found = {}
    for day in grid_days:
        for item in day.events:
            found[item.event.title] = (f"{item.there:%H:%M} {item.place}" if item.there
                                       else None)
    return found


def test_week_grid_gives_the_start_in_the_events_own_zone_when_clocks_differ(zones):
    grid = week_grid(None, date(2031, 3, 3), SITE_ZONE)
    assert hints(grid.days) == {"Berlin talk": "09:00 Berlin", "Moscow talk": None,
                                "Istanbul talk": None, "New York call": "03:00 New York"}


def test_month_grid_gives_the_same_hints(zones):
    grid = month_grid(None, date(2031, 3, 1), SITE_ZONE)
    assert hints(day for week in grid.weeks for day in week)["Berlin talk"] == "09:00 Berlin"


def test_all_day_events_get_no_hint(app):
    make_event(title="Fair", timezone="Europe/Berlin", is_all_day=True,
               starts_at=datetime(2031, 3, 3, 23, 0, tzinfo=UTC),
               ends_at=datetime(2031, 3, 4, 23, 0, tzinfo=UTC))
    db.session.commit()
    grid = week_grid(None, date(2031, 3, 3), SITE_ZONE)
    assert hints(grid.days) == {"Fair": None}


def test_month_page_shows_the_hint_beside_the_sites_time(zones, client):
    page = client.get("/calendar?month=2031-03").get_data(as_text=True)
    assert "11:00" in page
    assert "09:00 local time, Berlin" in page
    assert "03:00 local time, New York" in page
    assert "local time, Moscow" not in page
    assert "local time, Istanbul" not in page


def test_week_page_shows_the_hint_in_russian(zones, client):
    page = client.get("/calendar?view=week&week=2031-03-03",
                      headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "09:00 по местному времени, Berlin" in page
    assert page.count("по местному времени") == 2  # Berlin and New York only
