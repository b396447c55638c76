"""The series screens over HTTP: the form with its preview, the series page and its buttons,
registration for the whole series, the edit scope, and the badge on the agenda."""

import sqlalchemy as sa

from events.enums import EventStatus, RegistrationStatus
from events.extensions import db
from events.planning.models import Event, Series
from events.registrations.models import Registration
from tests.conftest import login
from tests.factories import make_event


def series_data(world, **overrides):
    data = {"title_en": "Mentor office hours", "summary_en": "", "description_en": "",
            "category": "workshop", "format": "in_person", "venue": str(world.room.id),
            "online_url": "", "timezone": "Europe/Berlin", "starts_at": "2027-03-17T10:00",
            "ends_at": "2027-03-17T12:00", "capacity": "2", "audience": "public",
            "programme": "0", "registration_opens_at": "", "registration_closes_at": "",
            "frequency": "weekly", "interval": "1", "weekdays": ["2"], "month_day": "",
            "nth": "", "nth_weekday": "0", "until": "", "count": "3",
            "allow_series_registration": "y", "create": "1"}
    return data | overrides


def series_count():
    return db.session.scalar(sa.select(sa.func.count()).select_from(Series))


def test_series_form_is_for_staff(client, world):
    login(client, world.resident)
    assert client.get("/series/new").status_code == 403
    login(client, world.staff_a)
    assert "Weekly on" in client.get("/series/new").get_data(as_text=True)


def test_preview_lists_the_dates_and_names_a_room_conflict_without_saving(client, world):
    from datetime import UTC, datetime
    make_event(world.a, title="Board meeting", venue=world.room,
               starts_at=datetime(2027, 3, 24, 9, 0, tzinfo=UTC),
               ends_at=datetime(2027, 3, 24, 10, 0, tzinfo=UTC))
    login(client, world.staff_a)
    data = series_data(world, preview="1")
    data.pop("create")
    response = client.post("/series/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "3 dates" in html
    assert "Board meeting" in html
    assert series_count() == 0


def test_create_series_through_the_form_opens_the_series_page(client, world):
    login(client, world.staff_a)
    response = client.post("/series/new", data=series_data(world))
    assert response.status_code == 302
    series = db.session.scalar(sa.select(Series))
    assert response.headers["Location"].endswith(f"/series/{series.id}")
    page = client.get(f"/series/{series.id}").get_data(as_text=True)
    assert "Propose the series to partners" in page
    assert page.count("/events/") >= 3


def test_a_bad_pattern_is_a_422_with_its_message(client, world):
    login(client, world.staff_a)
    response = client.post("/series/new", data=series_data(world, weekdays=[]))
    assert response.status_code == 422
    assert "Choose at least one day of the week." in response.get_data(as_text=True)
    assert series_count() == 0


def test_draft_series_is_not_there_for_visitors(client, world):
    login(client, world.staff_a)
    client.post("/series/new", data=series_data(world))
    series_id = db.session.scalar(sa.select(Series.id))
    client.get("/signout")
    with client.session_transaction() as session:
        session.clear()
    assert client.get(f"/series/{series_id}").status_code == 404


def test_workflow_buttons_and_registration_for_the_whole_series(client, world):
    login(client, world.staff_a)
    client.post("/series/new", data=series_data(world))
    series_id = db.session.scalar(sa.select(Series.id))
    assert client.post(f"/series/{series_id}/invite",
                       data={"partner": str(world.b.id), "role": "co-host"}).status_code == 302
    assert client.post(f"/series/{series_id}/propose").status_code == 302
    login(client, world.coord_b)
    assert client.post(f"/series/{series_id}/answer", data={"accept": "1"}).status_code == 302
    login(client, world.staff_a)
    refused = client.post(f"/series/{series_id}/schedule")
    assert refused.status_code == 403
    assert "17 March 2027" in refused.get_data(as_text=True)
    login(client, world.coord_a)
    assert client.post(f"/series/{series_id}/schedule").status_code == 302
    statuses = db.session.scalars(sa.select(Event.status).where(
        Event.series_id == series_id)).all()
    assert statuses == [EventStatus.SCHEDULED] * 3
    login(client, world.resident)
    page = client.get(f"/series/{series_id}").get_data(as_text=True)
    assert "Register for the whole series" in page
    response = client.post(f"/series/{series_id}/register", follow_redirects=True)
    assert "You are registered for 3 dates." in response.get_data(as_text=True)
    assert client.post(f"/series/{series_id}/unregister").status_code == 302
    assert set(db.session.scalars(sa.select(Registration.status).where(
        Registration.user_id == world.resident.id))) == {RegistrationStatus.CANCELLED}


def test_edit_with_scope_all_changes_every_date(client, world):
    login(client, world.staff_a)
    client.post("/series/new", data=series_data(world))
    events = db.session.scalars(sa.select(Event).order_by(Event.starts_at)).all()
    form = client.get(f"/events/{events[1].id}/edit").get_data(as_text=True)
    assert "Every coming date of the series" in form
    data = series_data(world, title_en="Office hours", starts_at="2027-03-24T10:00",
                       ends_at="2027-03-24T12:00", scope="all")
    response = client.post(f"/events/{events[1].id}/edit", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert [e.title for e in events] == ["Office hours"] * 3


def test_agenda_marks_occurrences_with_a_link_to_the_series(client, world):
    login(client, world.staff_a)
    client.post("/series/new", data=series_data(world))
    series_id = db.session.scalar(sa.select(Series.id))
    login(client, world.coord_a)
    client.post(f"/series/{series_id}/propose")
    client.post(f"/series/{series_id}/schedule")
    html = client.get("/").get_data(as_text=True)
    assert f'href="/series/{series_id}"' in html
    week = client.get("/calendar?view=week&week=2027-03-17").get_data(as_text=True)
    assert f'href="/series/{series_id}"' in week


def test_history_of_a_date_says_the_scope_of_a_series_edit(client, world):
    login(client, world.staff_a)
    client.post("/series/new", data=series_data(world))
    events = db.session.scalars(sa.select(Event).order_by(Event.starts_at)).all()
    client.post(f"/events/{events[0].id}/edit",
                data=series_data(world, title_en="Office hours", scope="this_and_following"))
    html = client.get(f"/events/{events[2].id}").get_data(as_text=True)
    assert "changed dates of the series" in html
    assert "This and the following dates" in html


def test_coordinator_cancels_every_coming_date_with_one_reason(client, world):
    login(client, world.staff_a)
    client.post("/series/new", data=series_data(world))
    series_id = db.session.scalar(sa.select(Series.id))
    client.post(f"/series/{series_id}/propose")
    login(client, world.coord_a)
    client.post(f"/series/{series_id}/schedule")
    first = db.session.scalars(sa.select(Event).order_by(Event.starts_at)).first()
    client.post(f"/events/{first.id}/cancel", data={"reason": "Room flooded"})
    page = client.get(f"/series/{series_id}").get_data(as_text=True)
    assert "Cancel every coming date" in page
    # Staff may not; a blank reason is a 4xx with the message beside the field.
    login(client, world.staff_a)
    assert client.post(f"/series/{series_id}/cancel",
                       data={"reason": "Moving"}).status_code == 403
    login(client, world.coord_a)
    blank = client.post(f"/series/{series_id}/cancel", data={"reason": " "})
    assert blank.status_code == 422
    assert "Give a reason" in blank.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Event.id)).where(
        Event.status == EventStatus.CANCELLED)) == 1
    done = client.post(f"/series/{series_id}/cancel", data={"reason": "Course moved online"},
                       follow_redirects=True)
    assert "2 dates cancelled." in done.get_data(as_text=True)
    db.session.expire_all()
    events = db.session.scalars(sa.select(Event).order_by(Event.starts_at)).all()
    assert [e.status for e in events] == [EventStatus.CANCELLED] * 3
    assert [e.cancel_reason for e in events] == ["Room flooded"] + ["Course moved online"] * 2
    # Nothing left to cancel: the button is gone and a second post is refused in words.
    assert "Cancel every coming date" not in client.get(f"/series/{series_id}").get_data(
        as_text=True)
    again = client.post(f"/series/{series_id}/cancel", data={"reason": "Again"})
    assert again.status_code == 409
