"""Series services: preview with the planning rules, creation as one, the workflow once for
every date, edits with a scope, and registration for the whole series."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from events.audit.models import AuditEntry
from events.enums import EventStatus, InvolvementRole, InvolvementState, RegistrationStatus
from events.errors import Conflict, NotAllowed, ValidationFailed
from events.extensions import db
from events.planning import services
from events.planning.models import Event, Series
from events.planning.recurrence import DAILY, Pattern
from events.planning.series import (
    answer_series_invitation,
    create_series,
    invite_series,
    preview_series,
    propose_series,
    schedule_series,
    series_actions,
    update_series,
)
from events.registrations.models import Registration
from events.registrations.series import cancel_series_registration, register_for_series
from events.registrations.services import register
from tests.factories import make_event, make_user
from tests.series.conftest import BERLIN


def scheduled_series(world, values, pattern, **kwargs):
    series = create_series(world.staff_a, values, pattern, allow_series_registration=True,
                           **kwargs)
    propose_series(world.staff_a, series)
    schedule_series(world.coord_a, series)
    return series


def local_starts(series):
    return [e.starts_at.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M")
            for e in series.occurrences]


def test_preview_lists_every_date_with_utc_instants_across_the_clock_change(world, values,
                                                                            weekly):
    preview = preview_series(world.staff_a, values, weekly)
    assert [d.starts_at for d in preview.dates] == [
        datetime(2027, 3, 17, 9, 0, tzinfo=UTC), datetime(2027, 3, 24, 9, 0, tzinfo=UTC),
        datetime(2027, 3, 31, 8, 0, tzinfo=UTC)]
    assert preview.refused == []


def test_preview_names_the_event_holding_the_room(world, values, weekly):
    make_event(world.a, title="Board meeting", venue=world.room,
               starts_at=datetime(2027, 3, 24, 9, 30, tzinfo=UTC),
               ends_at=datetime(2027, 3, 24, 10, 30, tzinfo=UTC))
    preview = preview_series(world.staff_a, values, weekly)
    refused = preview.refused
    assert [d.day.isoformat() for d in refused] == ["2027-03-24"]
    assert "Board meeting" in refused[0].refusal


def test_preview_reports_a_wall_time_the_clocks_skip(world, values):
    values |= {"starts_at": datetime(2027, 3, 27, 2, 30, tzinfo=BERLIN),
               "ends_at": datetime(2027, 3, 27, 3, 30, tzinfo=BERLIN)}
    preview = preview_series(world.staff_a, values, Pattern(DAILY, count=3))
    assert [d.day.isoformat() for d in preview.refused] == ["2027-03-28"]
    assert "clocks go forward" in preview.refused[0].refusal


def test_preview_refuses_a_bad_pattern_beside_its_field(world, values):
    with pytest.raises(ValidationFailed) as caught:
        preview_series(world.staff_a, values, Pattern("weekly", count=3))
    assert caught.value.field == "weekdays"


def test_preview_warns_of_a_capacity_above_the_room(world, values, weekly):
    values["capacity"] = 90
    assert "larger than Hall holds" in preview_series(world.staff_a, values, weekly).warnings[0]


def test_create_series_makes_a_draft_per_date_through_the_event_service(world, values, weekly):
    series = create_series(world.staff_a, values, weekly)
    assert local_starts(series) == ["2027-03-17 10:00", "2027-03-24 10:00", "2027-03-31 10:00"]
    assert {e.status for e in series.occurrences} == {EventStatus.DRAFT}
    assert {e.lead_partner.id for e in series.occurrences} == {world.a.id}
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert actions.count("event.create") == 3
    assert actions.count("series.create") == 1
    assert series.lead_partner == world.a
    assert series.weekday_list == (2,)


def test_create_series_is_refused_as_a_whole_naming_the_dates(world, values, weekly):
    make_event(world.a, title="Board meeting", venue=world.room,
               starts_at=datetime(2027, 3, 31, 8, 0, tzinfo=UTC),
               ends_at=datetime(2027, 3, 31, 9, 0, tzinfo=UTC))
    with pytest.raises(Conflict, match=r"31 March 2027.*Board meeting"):
        create_series(world.staff_a, values, weekly)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Series)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)
                             .where(Event.series_id.is_not(None))) == 0


def test_create_series_is_refused_to_residents(world, values, weekly):
    with pytest.raises(NotAllowed):
        create_series(world.resident, values, weekly)


def test_workflow_runs_once_for_every_date(world, values, weekly):
    series = create_series(world.staff_a, values, weekly)
    assert invite_series(world.staff_a, series, world.b, InvolvementRole.CO_HOST) == 3
    assert propose_series(world.staff_a, series) == 3
    assert series_actions(world.coord_b, series)["answer"]
    assert answer_series_invitation(world.coord_b, series, True, "Glad to") == 3
    assert schedule_series(world.coord_a, series) == 3
    for event in series.occurrences:
        assert event.status == EventStatus.SCHEDULED
        partner = next(i for i in event.involvements if i.partner_id == world.b.id)
        assert partner.state == InvolvementState.ACCEPTED


def test_workflow_skips_a_cancelled_date(world, values, weekly):
    series = create_series(world.staff_a, values, weekly)
    services.cancel_event(world.coord_a, series.occurrences[1], "Room closed")
    assert propose_series(world.staff_a, series) == 2
    assert series.occurrences[1].status == EventStatus.CANCELLED


def test_first_refusal_stops_the_series_naming_the_date(world, values, weekly):
    series = create_series(world.staff_a, values, weekly)
    with pytest.raises(NotAllowed, match="17 March 2027: Only the lead partner"):
        propose_series(world.staff_b, series)
    propose_series(world.staff_a, series)
    with pytest.raises(NotAllowed, match="17 March 2027"):
        schedule_series(world.staff_a, series)  # staff, not a coordinator


def test_schedule_series_waits_for_the_partner_naming_it(world, values, weekly):
    series = create_series(world.staff_a, values, weekly)
    invite_series(world.staff_a, series, world.b, InvolvementRole.SUPPORTER)
    propose_series(world.staff_a, series)
    with pytest.raises(Conflict, match="Beta"):
        schedule_series(world.coord_a, series)


def test_update_this_changes_one_date_and_says_the_scope(world, values, weekly):
    series = create_series(world.staff_a, values, weekly)
    second = series.occurrences[1]
    update_series(world.staff_a, second, {"title": "Special edition"}, "this")
    assert [e.title for e in series.occurrences] == [
        "Mentor office hours", "Special edition", "Mentor office hours"]
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "series.update"))
    assert entry.event_id == second.id
    assert entry.changes["scope"] == [None, "this"]


def test_update_this_and_following_leaves_earlier_dates(world, values, weekly):
    series = create_series(world.staff_a, values, weekly)
    update_series(world.staff_a, series.occurrences[1], {"title": "Part two", "capacity": 5},
                  "this_and_following")
    assert [(e.title, e.capacity) for e in series.occurrences] == [
        ("Mentor office hours", 2), ("Part two", 5), ("Part two", 5)]
    scopes = db.session.scalars(sa.select(AuditEntry.changes)
                                .where(AuditEntry.action == "series.update")).all()
    assert [c["scope"][1] for c in scopes] == ["this_and_following"] * 2


def test_update_all_shifts_the_wall_time_across_the_clock_change(world, values, weekly):
    series = create_series(world.staff_a, values, weekly)
    first = series.occurrences[0]
    moved = dict(values, starts_at=datetime(2027, 3, 17, 11, 0, tzinfo=BERLIN),
                 ends_at=datetime(2027, 3, 17, 13, 0, tzinfo=BERLIN), summary="Later")
    update_series(world.staff_a, first, moved, "all")
    assert local_starts(series) == ["2027-03-17 11:00", "2027-03-24 11:00", "2027-03-31 11:00"]
    assert [e.ends_at - e.starts_at for e in series.occurrences] == [timedelta(hours=2)] * 3
    assert {e.summary for e in series.occurrences} == {"Later"}


def test_update_all_renames_the_series_in_each_language_with_its_history(world, values,
                                                                          weekly):
    series = create_series(world.staff_a, values, weekly)
    update_series(world.staff_a, series.occurrences[0],
                  {"title_ru": "Часы наставников", "title_en": "Mentor hours"}, "all")
    assert (series.title_ru, series.title_en) == ("Часы наставников", "Mentor hours")
    assert {(e.title_ru, e.title_en) for e in series.occurrences} == {
        ("Часы наставников", "Mentor hours")}
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "series.update", AuditEntry.event_id.is_(None)))
    assert entry.changes["title_en"] == ["Mentor office hours", "Mentor hours"]
    assert entry.changes["title_ru"] == ["", "Часы наставников"]


def test_update_all_refuses_a_room_conflict_naming_the_date(world, values, weekly):
    series = create_series(world.staff_a, values, weekly)
    make_event(world.a, title="Board meeting", venue=world.room,
               starts_at=datetime(2027, 3, 24, 11, 0, tzinfo=UTC),
               ends_at=datetime(2027, 3, 24, 12, 0, tzinfo=UTC))
    moved = dict(values, starts_at=datetime(2027, 3, 17, 11, 0, tzinfo=BERLIN),
                 ends_at=datetime(2027, 3, 17, 13, 0, tzinfo=BERLIN))
    with pytest.raises(Conflict, match=r"24 March 2027: .*Board meeting"):
        update_series(world.staff_a, series.occurrences[0], moved, "all")


def test_update_with_an_unknown_scope_is_refused(world, values, weekly):
    series = create_series(world.staff_a, values, weekly)
    with pytest.raises(ValidationFailed):
        update_series(world.staff_a, series.occurrences[0], {"title": "X"}, "some")


def test_register_for_series_takes_a_seat_in_every_date_waitlisted_where_full(world, values,
                                                                            weekly):
    series = scheduled_series(world, values, weekly)
    full = series.occurrences[2]
    for _ in range(2):
        register(make_user(), full)
    results = register_for_series(world.resident, series)
    assert [r.registration.status for r in results] == [
        RegistrationStatus.CONFIRMED, RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED]
    assert cancel_series_registration(world.resident, series) == 3
    statuses = db.session.scalars(sa.select(Registration.status)
                                  .where(Registration.user_id == world.resident.id)).all()
    assert set(statuses) == {RegistrationStatus.CANCELLED}


def test_register_for_series_is_refused_when_the_lead_partner_does_not_allow_it(world, values,
                                                                              weekly):
    series = scheduled_series(world, values, weekly)
    series.allow_series_registration = False
    with pytest.raises(Conflict, match="per date only"):
        register_for_series(world.resident, series)


def test_register_for_series_twice_keeps_one_registration_per_date(world, values, weekly):
    series = scheduled_series(world, values, weekly)
    register_for_series(world.resident, series)
    again = register_for_series(world.resident, series)
    assert [r.is_new for r in again] == [False] * 3


def test_register_for_series_is_refused_in_words_when_a_date_asks_questions(world, values,
                                                                             weekly, app):
    from events.registrations.questions import add_question

    series = scheduled_series(world, values, weekly)
    with app.test_request_context("/", method="POST"):
        add_question(world.staff_a, series.occurrences[1], kind="text", label="Diet",
                     is_required=True)
    with pytest.raises(Conflict, match="asks questions"):
        register_for_series(world.resident, series)
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 0
