"""An action on the dates of a series sends each person one mail per kind that lists the
dates, with one calendar file holding them all — not one mail per date. An action on a single
date keeps that date's own mail; an action that is refused sends nothing."""

import base64
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from events.enums import InvolvementRole
from events.errors import DomainError
from events.extensions import db
from events.outbox.models import OutboxMessage
from events.planning.models import Event
from events.planning.recurrence import WEEKLY, Pattern
from events.planning.series import (
    answer_series_invitation,
    cancel_series,
    create_series,
    invite_series,
    propose_series,
    schedule_series,
    update_series,
)
from events.registrations.series import cancel_series_registration, register_for_series
from events.registrations.services import register
from tests.factories import make_event, make_user
from tests.series.conftest import BERLIN


def mails(recipient=None) -> list[OutboxMessage]:
    db.session.flush()
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if recipient is not None:
        query = query.where(OutboxMessage.recipient == recipient.email)
    return list(db.session.scalars(query))


def forget_mails() -> None:
    db.session.execute(sa.delete(OutboxMessage))


def vevents(message: OutboxMessage) -> list:
    (calendar,) = [a for a in message.attachment_data if a["filename"] == "dates.ics"]
    data = base64.b64decode(calendar["data"])
    return list(Calendar.from_ical(data).walk("VEVENT"))


def scheduled(world, values, pattern, **kwargs):
    series = create_series(world.staff_a, values, pattern, allow_series_registration=True,
                           **kwargs)
    invite_series(world.staff_a, series, world.b, InvolvementRole.CO_HOST)
    propose_series(world.staff_a, series)
    answer_series_invitation(world.coord_b, series, True)
    schedule_series(world.coord_a, series)
    return series


def test_an_invitation_to_a_series_is_one_mail_listing_its_dates(world, values, weekly):
    series = create_series(world.staff_a, values, weekly)
    assert invite_series(world.staff_a, series, world.b, InvolvementRole.CO_HOST) == 3
    forget_mails()
    assert propose_series(world.staff_a, series) == 3  # invited partners hear of it now
    (mail,) = mails(world.coord_b)  # partner B's coordinator answers invitations
    assert mail.kind == "dates_digest"
    assert "Mentor office hours" in mail.subject
    assert "3" in mail.subject
    # Boris reads Russian: the mail is in his language, dates in his form.
    assert "Приглашение" in mail.subject
    for event in series.occurrences:
        assert f"/events/{event.id}" in mail.body
    assert f"/series/{series.id}" in mail.body
    starts = sorted(item.decoded("dtstart") for item in vevents(mail))
    assert starts == [e.starts_at.astimezone(BERLIN) for e in series.occurrences]
    assert mails(world.staff_b) == []  # staff hear of it only when there is no coordinator


def test_answering_and_scheduling_a_series_are_one_mail_each(world, values, weekly):
    series = create_series(world.staff_a, values, weekly)
    invite_series(world.staff_a, series, world.b, InvolvementRole.CO_HOST)
    propose_series(world.staff_a, series)
    forget_mails()
    answer_series_invitation(world.coord_b, series, True)
    (ready,) = mails(world.coord_a)  # the lead's coordinator: ready to schedule, once
    assert ready.kind == "dates_digest"
    assert "ready to schedule" in ready.subject
    assert mails(world.coord_b) == []
    forget_mails()
    schedule_series(world.coord_a, series)
    (news,) = mails(world.coord_b)  # the co-host hears it is scheduled, once
    assert news.kind == "dates_digest"
    assert "(дат: 3)" in news.subject
    assert {str(v["status"]) for v in vevents(news)} == {"CONFIRMED"}


def test_registering_for_the_whole_series_is_one_mail_for_seats_and_one_for_waitlists(
        world, values, weekly):
    series = scheduled(world, values, weekly)
    full = series.occurrences[2]
    for _ in range(2):
        register(make_user(), full)
    forget_mails()
    register_for_series(world.resident, series)
    got = mails(world.resident)
    # Two seats make one mail; the one full date keeps its own waitlist mail.
    assert sorted(m.kind for m in got) == ["dates_digest", "registration_waitlisted"]
    (seats,) = [m for m in got if m.kind == "dates_digest"]
    assert "(2 dates)" in seats.subject
    assert "/my/events" in seats.body
    assert len(vevents(seats)) == 2
    assert {str(v["status"]) for v in vevents(seats)} == {"CONFIRMED"}

    forget_mails()
    cancel_series_registration(world.resident, series)
    got = mails(world.resident)
    # The three cancellations are one mail; its file takes the dates out of the calendar.
    (cancelled,) = got
    assert "(3 dates)" in cancelled.subject
    assert {str(v["status"]) for v in vevents(cancelled)} == {"CANCELLED"}


def test_moving_every_date_tells_each_registrant_once(world, values, weekly):
    series = scheduled(world, values, weekly)
    register_for_series(world.resident, series)
    forget_mails()
    first = series.occurrences[0]
    later = {"starts_at": first.starts_at + timedelta(hours=1),
             "ends_at": first.ends_at + timedelta(hours=1)}
    update_series(world.staff_a, first, later, "all")
    (moved,) = mails(world.resident)
    assert moved.kind == "dates_digest"
    assert "have changed" in moved.subject
    assert sorted(v.decoded("dtstart").hour for v in vevents(moved)) == [11, 11, 11]


def test_a_change_to_one_date_keeps_that_dates_own_mail(world, values, weekly):
    series = scheduled(world, values, weekly)
    register_for_series(world.resident, series)
    forget_mails()
    first = series.occurrences[0]
    update_series(world.staff_a, first, {"starts_at": first.starts_at + timedelta(hours=1),
                                         "ends_at": first.ends_at + timedelta(hours=1)},
                  "this")
    (moved,) = mails(world.resident)
    assert moved.kind == "event_moved"


def test_a_refused_series_action_sends_nothing(world, values, weekly):
    series = scheduled(world, values, weekly)
    register_for_series(world.resident, series)
    forget_mails()
    # The last date's room is taken: the move of every date is refused on it.
    last = series.occurrences[2]
    make_event(world.a, title="Board", venue=world.room,
               starts_at=last.starts_at + timedelta(hours=2),
               ends_at=last.starts_at + timedelta(hours=4))
    first = series.occurrences[0]
    with pytest.raises(DomainError):
        update_series(world.staff_a, first, {"starts_at": first.starts_at + timedelta(hours=1),
                                             "ends_at": first.ends_at + timedelta(hours=1)},
                      "all")
    assert mails() == []


def test_the_html_mail_escapes_what_people_typed(world, values):
    values = {**values, "title": "<b>Office</b> hours"}
    series = create_series(world.staff_a, values, Pattern(WEEKLY, weekdays=(2,), count=2))
    invite_series(world.staff_a, series, world.b, InvolvementRole.SUPPORTER)
    forget_mails()
    propose_series(world.staff_a, series)
    (mail,) = mails(world.coord_b)
    assert "<b>Office" not in mail.html
    assert "&lt;b&gt;Office" in mail.html


def test_a_long_series_is_still_one_mail(world, values):
    long = Pattern(WEEKLY, weekdays=(2,), until=date(2027, 12, 31))
    series = create_series(world.staff_a, values, long)
    invite_series(world.staff_a, series, world.b, InvolvementRole.CO_HOST)
    forget_mails()
    count = propose_series(world.staff_a, series)
    assert count == db.session.scalar(sa.select(sa.func.count(Event.id))
                                      .where(Event.series_id == series.id)) > 40
    assert len(mails(world.coord_b)) == 1


def test_cancelling_a_series_tells_registrants_and_co_hosts_once(world, values, weekly):
    series = scheduled(world, values, weekly)
    register_for_series(world.resident, series)
    forget_mails()
    assert cancel_series(world.coord_a, series, "The course moves online") == 3
    (told,) = mails(world.resident)
    assert "are cancelled" in told.subject
    assert {str(v["status"]) for v in vevents(told)} == {"CANCELLED"}
    (co_host,) = mails(world.coord_b)
    assert co_host.kind == "dates_digest"
