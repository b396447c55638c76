"""After the event: the people who came rate it once (1–5 and a comment), asked by one mail
from the worker's sweep; staff see attendance and ratings per event, and the reports per
partner, category and programme. Comments are shown without names."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from events.auth.personal_data import delete_account, export_personal_data
from events.db import utcnow
from events.enums import Category, EventStatus
from events.errors import Conflict, NotAllowed, ValidationFailed
from events.extensions import db
from events.outbox.models import OutboxMessage
from events.planning.models import Event
from events.registrations.feedback import (
    attendance_by,
    give_feedback,
    queue_feedback_requests,
    refusal_to_give_feedback,
)
from events.registrations.models import Feedback
from tests.conftest import login
from tests.factories import PASSWORD, make_event, make_registration, make_user


def past_event(host, hours_ago=3, **overrides):
    ends = utcnow().replace(microsecond=0) - timedelta(hours=hours_ago)
    return make_event(lead=host, title="Bioreactor workshop", starts_at=ends - timedelta(hours=2),
                      ends_at=ends, capacity=10, **overrides)


def came(event, person=None):
    return make_registration(event, person, checked_in_at=event.starts_at)


@pytest.fixture
def over(host):
    return past_event(host)


def test_only_the_people_who_came_rate_an_event_that_is_over(app, host, over):
    guest, absent = make_user(), make_user()
    came(over, guest)
    make_registration(over, absent)
    assert refusal_to_give_feedback(guest, over) is None
    assert isinstance(refusal_to_give_feedback(absent, over), NotAllowed)
    upcoming = make_event(lead=host)
    came(upcoming, guest)
    assert "when the event is over" in refusal_to_give_feedback(guest, upcoming).message
    over.status = EventStatus.CANCELLED
    assert isinstance(refusal_to_give_feedback(guest, over), Conflict)


def test_the_form_closes_feedback_days_after_the_end(app, host):
    old = past_event(host, hours_ago=24 * 15)
    guest = make_user()
    came(old, guest)
    refusal = refusal_to_give_feedback(guest, old)
    assert "closed" in refusal.message
    app.config["FEEDBACK_DAYS"] = 30
    assert refusal_to_give_feedback(guest, old) is None


def test_a_rating_is_one_to_five_and_given_once(app, over):
    guest = make_user()
    came(over, guest)
    for wrong in (None, "", "0", "6", "five", 4.5, "²", "05", True):
        with pytest.raises(ValidationFailed) as refused:
            give_feedback(guest, over, wrong)
        assert refused.value.field == "rating"
    with pytest.raises(ValidationFailed):
        give_feedback(guest, over, 4, "x" * 2001)
    feedback = give_feedback(guest, over, "4", "  Good speakers.\r\nMore time next time.  ")
    assert (feedback.rating, feedback.comment) == (4, "Good speakers.\nMore time next time.")
    with pytest.raises(Conflict, match="already sent"):
        give_feedback(guest, over, 5)
    assert db.session.scalar(sa.select(sa.func.count(Feedback.id))) == 1


def test_feedback_page_over_http(client, host, over):
    guest, absent = make_user(), make_user()
    came(over, guest)
    make_registration(over, absent)
    login(client, absent)
    refused = client.get(f"/events/{over.id}/feedback")
    assert refused.status_code == 403
    assert "people who came" in refused.get_data(as_text=True)
    login(client, guest)
    page = client.get(f"/events/{over.id}")
    assert f"/events/{over.id}/feedback" in page.get_data(as_text=True)  # the panel offers it
    blank = client.post(f"/events/{over.id}/feedback", data={"comment": "Nice"})
    assert blank.status_code == 422
    text = blank.get_data(as_text=True)
    assert "Choose a rating from 1 to 5." in text
    assert "Nice" in text  # what was typed stays
    done = client.post(f"/events/{over.id}/feedback", data={"rating": "5", "comment": "Nice"})
    assert done.status_code == 302
    again = client.post(f"/events/{over.id}/feedback", data={"rating": "1"})
    assert again.status_code == 409
    shown = client.get(f"/events/{over.id}/feedback")
    assert shown.status_code == 200
    assert "You have already sent your feedback" in shown.get_data(as_text=True)
    rows = db.session.execute(sa.select(Feedback.rating, Feedback.comment)).all()
    assert [tuple(r) for r in rows] == [(5, "Nice")]


def test_staff_see_attendance_and_ratings_without_names(client, host, staff, over):
    people = [make_user(name=f"Guest {n}") for n in range(4)]
    for person, rating, comment in zip(people[:3], (5, 4, 2), ("Great", "", "Too long"),
                                       strict=True):
        came(over, person)
        give_feedback(person, over, rating, comment)
    make_registration(over, people[3])  # confirmed, did not come
    login(client, people[0])
    assert client.get(f"/events/{over.id}/feedback/results").status_code == 403
    login(client, staff)
    page = client.get(f"/events/{over.id}/feedback/results")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Average 3.7 of 5 from 3 answers" in text
    assert "25 %" in text  # 1 of 4 confirmed seats did not come
    assert "Too long" in text
    assert "Great" in text
    assert "Guest 0" not in text
    assert f"/events/{over.id}/feedback/results" in client.get(
        f"/events/{over.id}").get_data(as_text=True)


def test_the_people_who_came_are_asked_once_after_the_end(app, host, over):
    asked, already, absent = make_user(), make_user(), make_user()
    came(over, asked)
    came(over, already)
    give_feedback(already, over, 5)
    make_registration(over, absent)
    recent = past_event(host, hours_ago=1)  # ended an hour ago: not yet
    came(recent, make_user())
    db.session.commit()
    assert queue_feedback_requests() == 1
    (mail,) = db.session.scalars(sa.select(OutboxMessage)).all()
    assert mail.recipient == asked.email
    assert mail.kind == "feedback_request"
    assert f"/events/{over.id}/feedback" in mail.body
    assert queue_feedback_requests() == 0  # once, across sweeps
    assert queue_feedback_requests(utcnow() + timedelta(hours=2)) == 1  # the recent one now
    app.config["FEEDBACK_AFTER_HOURS"] = 0
    assert queue_feedback_requests(utcnow() + timedelta(hours=5)) == 0


def test_attendance_groups_count_each_event_once_and_only_events_that_are_over(app, host):
    workshop, seminar = past_event(host), past_event(host, category=Category.WORKSHOP)
    upcoming = make_event(lead=host, category=Category.WORKSHOP)
    for event in (workshop, seminar, upcoming):
        came(event)
        make_registration(event)
    rows = attendance_by(Event.category, [])
    assert {c: (r.events, r.confirmed, r.came) for c, r in rows.items()} == {
        Category.SEMINAR: (1, 2, 1), Category.WORKSHOP: (1, 2, 1)}
    assert rows[Category.WORKSHOP].no_show_rate == 0.5


def test_reports_show_attendance_per_partner_category_and_programme(client, host, staff, over):
    guest = make_user()
    came(over, guest)
    make_registration(over)
    give_feedback(guest, over, 4)
    login(client, staff)
    start = (utcnow() - timedelta(days=30)).date().isoformat()
    end = (utcnow() + timedelta(days=1)).date().isoformat()
    text = client.get(f"/reports?start={start}&end={end}").get_data(as_text=True)
    assert "Attendance and feedback" in text
    assert "Host partner" in text
    assert "4.0" in text
    assert "50 %" in text


def test_personal_data_carries_feedback_and_deletion_drops_the_words(app, over):
    guest = make_user()
    came(over, guest)
    give_feedback(guest, over, 2, "The room was cold")
    assert export_personal_data(guest)["feedback"][0]["comment"] == "The room was cold"
    delete_account(guest, PASSWORD)
    (row,) = db.session.execute(sa.select(Feedback.rating, Feedback.comment)).all()
    assert tuple(row) == (2, "")
