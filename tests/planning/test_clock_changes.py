"""Wall times that do not exist (the clocks go forward) or exist twice (they go back): the
form and the services refuse the first naming the gap, ask which one for the second, and
store and show the real instants and durations."""

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from events.db import utcnow
from events.extensions import db
from events.planning import services
from events.planning.models import Event
from events.planning.validation import EventInvalid, gap_message, wall_time_is_ambiguous
from tests.conftest import login
from tests.planning.test_views import form_data

BERLIN = ZoneInfo("Europe/Berlin")
YEAR = utcnow().year + 1  # always ahead (2027 when this was written)
MONTHS = {3: "March", 10: "October"}


def last_sunday(month: int) -> date:
    day = date(YEAR, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() - 6) % 7)


SPRING, AUTUMN = last_sunday(3), last_sunday(10)


def at(day: date, clock: str) -> str:
    return f"{day}T{clock}"


def wall(day: date, hour: int, minute: int = 0, fold: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN, fold=fold)


def gap_text() -> str:
    return (f"02:00–03:00 does not exist on {SPRING.day} March {YEAR} in Europe/Berlin: "
            f"clocks go forward.")


# ---- the rules ----------------------------------------------------------------------------

def test_the_gap_is_named_in_both_languages(app):
    with app.test_request_context():
        naive = wall(SPRING, 2, 30).replace(tzinfo=None)
        assert gap_message(naive, BERLIN) == gap_text()
        with force_locale("ru"):
            assert gap_message(naive, BERLIN) == (
                f"{SPRING.day} марта {YEAR} в Europe/Berlin нет времени с 02:00 до 03:00: "
                f"часы переводят вперёд.")
    assert wall_time_is_ambiguous(wall(AUTUMN, 2, 30).replace(tzinfo=None), BERLIN)
    assert not wall_time_is_ambiguous(wall(AUTUMN, 3, 30).replace(tzinfo=None), BERLIN)
    assert not wall_time_is_ambiguous(wall(SPRING, 2, 30).replace(tzinfo=None), BERLIN)


def test_services_refuse_a_time_in_the_gap(world, values):
    values |= {"timezone": "Europe/Berlin", "starts_at": wall(SPRING, 2, 30),
               "ends_at": wall(SPRING, 4)}
    with pytest.raises(EventInvalid) as caught:
        services.create_event(world.staff_a, **values)
    assert caught.value.errors == {"starts_at": gap_text()}


def test_services_ask_which_one_for_a_time_that_happens_twice(world, values):
    values |= {"timezone": "Europe/Berlin", "starts_at": wall(AUTUMN, 2, 30),
               "ends_at": wall(AUTUMN, 3, 30)}
    with pytest.raises(EventInvalid) as caught:
        services.create_event(world.staff_a, **values)
    assert caught.value.errors == {"starts_at": (
        f"02:30 happens twice on {AUTUMN.day} October {YEAR} in Europe/Berlin: clocks go "
        "back from 03:00 to 02:00. Choose before or after the change.")}


@pytest.mark.parametrize(("start", "end", "minutes"), [
    ((2, 30, 0), (2, 30, 1), 60),    # the first 02:30 to the second
    ((2, 30, 0), (3, 30, 0), 120),   # the first 02:30 to 03:30 (after the change)
    ((2, 30, 1), (3, 30, 0), 60),    # the second 02:30 to 03:30
    ((2, 30, 0), (2, 45, 0), 15),
])
def test_services_store_the_chosen_instants(world, values, start, end, minutes):
    starts, ends = wall(AUTUMN, *start).astimezone(UTC), wall(AUTUMN, *end).astimezone(UTC)
    event = services.create_event(world.staff_a, **values | {
        "timezone": "Europe/Berlin", "starts_at": starts, "ends_at": ends})
    assert event.ends_at - event.starts_at == timedelta(minutes=minutes)


def test_an_update_into_the_gap_is_refused(world, values):
    event = services.create_event(world.staff_a, **values | {"timezone": "Europe/Berlin"})
    with pytest.raises(EventInvalid) as caught:
        services.update_event(world.staff_a, event, starts_at=wall(SPRING, 2, 30),
                              ends_at=wall(SPRING, 5))
    assert caught.value.errors == {"starts_at": gap_text()}


# ---- the form -----------------------------------------------------------------------------

def berlin_form(world, starts, ends, **extra):
    return form_data(world, timezone="Europe/Berlin", starts_at=starts, ends_at=ends, **extra)


def stored() -> Event | None:
    return db.session.scalar(sa.select(Event).where(Event.title == "Pitch training"))


def test_the_form_refuses_a_start_in_the_gap(client, world):
    db.session.commit()
    login(client, world.staff_a)
    response = client.post("/events/new", data=berlin_form(
        world, at(SPRING, "02:30"), at(SPRING, "04:00")))
    assert response.status_code == 422
    assert gap_text() in response.get_data(as_text=True)
    assert stored() is None


def test_the_form_asks_before_or_after_and_stores_a_two_hour_event(client, world):
    db.session.commit()
    login(client, world.staff_a)
    plain = client.get("/events/new").get_data(as_text=True)
    assert 'name="starts_at_fold"' not in plain  # asked only when needed

    data = berlin_form(world, at(AUTUMN, "02:30"), at(AUTUMN, "02:30"))
    response = client.post("/events/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "02:30 happens twice" in page
    assert 'name="starts_at_fold"' in page
    assert 'name="ends_at_fold"' in page
    assert "Before the clocks change" in page
    assert stored() is None

    response = client.post("/events/new", data=data | {"starts_at_fold": "0",
                                                         "ends_at_fold": "1"})
    assert response.status_code == 302, response.get_data(as_text=True)
    event = stored()
    assert event.starts_at == datetime(AUTUMN.year, 10, AUTUMN.day, 0, 30, tzinfo=UTC)
    assert event.ends_at == datetime(AUTUMN.year, 10, AUTUMN.day, 1, 30, tzinfo=UTC)
    assert event.ends_at - event.starts_at == timedelta(hours=1)

    detail = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "1 hour: the clocks change during the event" in detail


def test_an_end_in_the_repeated_hour_gives_the_true_duration(client, world):
    db.session.commit()
    login(client, world.staff_a)
    data = berlin_form(world, at(AUTUMN, "02:30"), at(AUTUMN, "03:30"), starts_at_fold="0")
    response = client.post("/events/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    event = stored()
    # 03:30 exists once (after the change): 02:30 CEST → 03:30 CET is two hours
    assert event.ends_at - event.starts_at == timedelta(hours=2)
    detail = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "2 hours: the clocks change during the event" in detail

    # the edit form shows the choice made, and saving it unchanged changes nothing
    edit = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    chosen = re.search(r'<input[^>]*name="starts_at_fold"[^>]*value="0"[^>]*>', edit).group(0)
    assert "checked" in chosen
    assert 'name="ends_at_fold"' not in edit
    response = client.post(f"/events/{event.id}/edit", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert stored().ends_at - stored().starts_at == timedelta(hours=2)

    # choose the later 02:30: a one-hour event, stored as such
    response = client.post(f"/events/{event.id}/edit", data=data | {"starts_at_fold": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert stored().ends_at - stored().starts_at == timedelta(hours=1)
    edit = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    chosen = re.search(r'<input[^>]*name="starts_at_fold"[^>]*value="1"[^>]*>', edit).group(0)
    assert "checked" in chosen


def test_the_form_speaks_russian(client, world):
    db.session.commit()
    login(client, world.staff_b)
    data = form_data(world, timezone="Europe/Berlin", format="online", venue="0",
                     online_url="https://meet.example.org/x")
    response = client.post("/events/new", data=data | {
        "starts_at": at(SPRING, "02:30"), "ends_at": at(SPRING, "04:00")})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "нет времени с 02:00 до 03:00: часы переводят вперёд." in page
    response = client.post("/events/new", data=data | {
        "starts_at": at(AUTUMN, "02:30"), "ends_at": at(AUTUMN, "04:00")})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "До перевода часов" in page
    assert "02:30 бывает дважды" in page
