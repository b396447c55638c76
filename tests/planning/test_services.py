"""The workflow rules, one by one, through the service functions every caller uses."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
import sqlalchemy as sa

from events.audit.models import AuditEntry
from events.db import utcnow
from events.enums import (
    EventFormat,
    EventStatus,
    InvolvementRole,
    InvolvementState,
    RegistrationStatus,
)
from events.errors import Conflict, NotAllowed, ValidationFailed
from events.extensions import db
from events.outbox.services import queued_messages
from events.planning import services
from events.planning.models import Programme
from events.planning.services import (
    answer_invitation,
    cancel_event,
    create_event,
    invite_partner,
    propose_event,
    schedule_event,
    update_event,
)
from events.planning.validation import EventInvalid, warnings_for
from tests.factories import make_event, make_registration, make_user, make_venue


def entries(event, action=None):
    stmt = sa.select(AuditEntry).where(AuditEntry.event_id == event.id).order_by(AuditEntry.id)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    return list(db.session.scalars(stmt))


def invalid(call, *args, **kwargs) -> dict[str, str]:
    with pytest.raises(EventInvalid) as caught:
        call(*args, **kwargs)
    return caught.value.errors


def proposed_with_b(world, values, state=InvolvementState.INVITED):
    event = create_event(world.staff_a, **values)
    involvement = invite_partner(world.staff_a, event, world.b, InvolvementRole.CO_HOST)
    propose_event(world.staff_a, event)
    if state != InvolvementState.INVITED:
        answer_invitation(world.staff_b, involvement, state == InvolvementState.ACCEPTED)
    return event, involvement


# ---- create ----------------------------------------------------------------------------

def test_create_event_makes_a_draft_led_by_the_actors_partner(world, values):
    event = create_event(world.staff_a, **values)
    assert event.status == EventStatus.DRAFT
    assert event.lead_partner == world.a
    assert event.sequence == 0
    assert event.created_by == world.staff_a
    host = event.host_involvement
    assert (host.role, host.state) == (InvolvementRole.HOST, InvolvementState.ACCEPTED)
    [entry] = entries(event, "event.create")
    assert entry.actor_id == world.staff_a.id
    assert entry.changes["title_en"] == [None, "Bioreactor workshop"]
    assert entry.changes["venue"] == [None, world.room.label]
    assert entry.changes["lead_partner"] == [None, "Alpha"]


def test_create_event_keeps_a_given_uid(world, values):
    event = create_event(world.staff_a, **values, uid="imported-123@example.org")
    assert event.uid == "imported-123@example.org"
    with pytest.raises(Conflict) as caught:
        create_event(world.staff_a, **{**values, "venue": make_venue(world.a)},
                     uid="imported-123@example.org")
    assert caught.value.field == "uid"


def test_residents_may_not_create_events(world, values):
    with pytest.raises(NotAllowed):
        create_event(world.resident, **values)


def test_visitors_may_not_create_events(world, values):
    with pytest.raises(NotAllowed):
        create_event(None, **values)


def test_admin_must_name_the_lead_partner(world, values):
    with pytest.raises(ValidationFailed) as caught:
        create_event(world.admin, **values)
    assert caught.value.field == "lead_partner"
    assert caught.value.message == "Choose the lead partner."
    event = create_event(world.admin, **values, lead_partner=world.b)
    assert event.lead_partner == world.b


def test_staff_may_not_create_for_another_partner(world, values):
    with pytest.raises(NotAllowed) as caught:
        create_event(world.staff_a, **values, lead_partner=world.b)
    assert caught.value.field == "lead_partner"


@pytest.mark.parametrize(("override", "field", "message"), [
    ({"title": "   "}, "title_en", "Give the event a title in Russian or in English."),
    ({"title": "x" * 201}, "title_en", "Use at most 200 characters."),
    ({"title_ru": "x" * 201}, "title_ru", "Use at most 200 characters."),
    ({"summary": "x" * 501}, "summary_en", "Use at most 500 characters."),
    ({"description": "x" * 20_001}, "description_en", "Use at most 20000 characters."),
    ({"summary_ru": "Только по-русски"}, "title_ru",
     "Give a title in this language too, or leave its summary and description empty."),
    ({"category": "party"}, "category", "Choose a category."),
    ({"format": "telepathy"}, "format", "Choose a format."),
    ({"audience": "everyone"}, "audience", "Choose an audience."),
    ({"timezone": "Mars/Olympus"}, "timezone",
     "Unknown time zone; use a name such as Europe/Moscow."),
    ({"timezone": "../etc/passwd"}, "timezone",
     "Unknown time zone; use a name such as Europe/Moscow."),
    ({"venue": None}, "venue", "Choose a room for an event held in person."),
    ({"format": EventFormat.ONLINE, "venue": None}, "online_url",
     "Give the link of the online event."),
    ({"format": EventFormat.HYBRID, "online_url": None}, "online_url",
     "Give the link of the online event."),
    ({"format": EventFormat.HYBRID, "venue": None, "online_url": "https://meet.example"},
     "venue", "Choose a room for an event held in person."),
    ({"format": EventFormat.ONLINE, "online_url": "javascript:alert(1)"}, "online_url",
     "Enter a web address starting with https:// or http://."),
    ({"format": EventFormat.ONLINE, "online_url": "https://" + "x" * 500}, "online_url",
     "Use at most 500 characters."),
    ({"starts_at": None}, "starts_at", "Enter a date and time."),
    ({"ends_at": datetime(2030, 1, 1, 10, 0)}, "ends_at",  # noqa: DTZ001 — naive on purpose
     "Enter a date and time."),
    ({"capacity": 0}, "capacity",
     "Capacity is a whole number of at least 1 (leave it empty for no limit)."),
    ({"capacity": -5}, "capacity",
     "Capacity is a whole number of at least 1 (leave it empty for no limit)."),
    ({"capacity": 100_001}, "capacity", "Capacity is at most 100000."),
    ({"programme": "not a programme"}, "programme", "Choose a programme from the list."),
])
def test_create_event_validation_messages(world, values, override, field, message):
    errors = invalid(create_event, world.staff_a, **(values | override))
    assert errors[field] == message


def test_end_before_start_is_refused(world, values):
    errors = invalid(create_event, world.staff_a,
                     **values | {"ends_at": values["starts_at"] - timedelta(minutes=1)})
    assert errors == {"ends_at": "The end must be after the start."}
    errors = invalid(create_event, world.staff_a, **values | {"ends_at": values["starts_at"]})
    assert errors == {"ends_at": "The end must be after the start."}


def test_start_in_the_past_is_refused_for_a_new_event(world, values):
    starts = utcnow() - timedelta(hours=1)
    errors = invalid(create_event, world.staff_a,
                     **values | {"starts_at": starts, "ends_at": starts + timedelta(hours=3)})
    assert errors == {"starts_at": "The start is in the past."}


def test_registration_window_order(world, values):
    starts, ends = values["starts_at"], values["ends_at"]
    errors = invalid(create_event, world.staff_a, **values | {
        "registration_opens_at": starts - timedelta(days=1),
        "registration_closes_at": starts - timedelta(days=2)})
    assert errors == {"registration_closes_at": "Registration must open before it closes."}
    errors = invalid(create_event, world.staff_a, **values | {
        "registration_closes_at": ends + timedelta(minutes=1)})
    assert errors == {"registration_closes_at":
                      "Registration must close before the event ends."}
    errors = invalid(create_event, world.staff_a, **values | {
        "registration_opens_at": ends})
    assert errors == {"registration_opens_at": "Registration must open before the event ends."}
    event = create_event(world.staff_a, **values | {
        "registration_opens_at": starts - timedelta(days=5), "registration_closes_at": starts})
    assert event.registration_closes_at == starts


def test_several_wrong_fields_are_reported_together(world, values):
    errors = invalid(create_event, world.staff_a, **values | {
        "title": "", "timezone": "Nowhere/City", "capacity": 0})
    assert set(errors) == {"title_en", "timezone", "capacity"}


def test_any_iana_zone_is_accepted(world, values):
    event = create_event(world.staff_a, **values | {"timezone": "America/Argentina/Ushuaia"})
    assert event.timezone == "America/Argentina/Ushuaia"


def test_online_event_drops_the_room_and_in_person_drops_the_link(world, values):
    online = create_event(world.staff_a, **values | {
        "format": EventFormat.ONLINE, "online_url": "https://meet.example/x"})
    assert online.venue is None
    in_person = create_event(world.staff_a, **values | {
        "online_url": "https://meet.example/y", "venue": make_venue(world.b)})
    assert in_person.online_url is None


def test_title_and_summary_are_trimmed(world, values):
    event = create_event(world.staff_a, **values | {"title": "  Spaced  ", "summary": " s "})
    assert (event.title, event.summary) == ("Spaced", "s")


# ---- booking ---------------------------------------------------------------------------

def test_overlapping_events_in_the_same_room_are_refused_naming_the_other(world, values):
    first = create_event(world.staff_a, **values)
    with pytest.raises(Conflict) as caught:
        create_event(world.coord_a, **values | {
            "title": "Second", "starts_at": values["starts_at"] + timedelta(hours=1),
            "ends_at": values["ends_at"] + timedelta(hours=1)})
    assert caught.value.field == "venue"
    assert first.title in caught.value.message
    assert "Hall" in caught.value.message


def test_booking_conflict_hides_the_title_of_an_event_the_actor_may_not_see(world, values):
    create_event(world.staff_a, **values | {"title": "Secret draft"})
    with pytest.raises(Conflict) as caught:
        create_event(world.staff_b, **values | {"title": "Other"})
    assert "Secret draft" not in caught.value.message
    assert "Alpha" in caught.value.message


def test_back_to_back_events_and_other_rooms_do_not_conflict(world, values):
    create_event(world.staff_a, **values)
    create_event(world.staff_a, **values | {
        "starts_at": values["ends_at"], "ends_at": values["ends_at"] + timedelta(hours=1)})
    create_event(world.staff_a, **values | {"venue": make_venue(world.a)})


def test_a_cancelled_event_frees_its_room(world, values):
    first = create_event(world.coord_a, **values)
    cancel_event(world.coord_a, first, "Speaker ill")
    assert create_event(world.staff_a, **values).venue == world.room


def test_moving_an_event_onto_a_booked_slot_is_refused(world, values):
    create_event(world.staff_a, **values)
    later = create_event(world.staff_a, **values | {
        "starts_at": values["starts_at"] + timedelta(days=1),
        "ends_at": values["ends_at"] + timedelta(days=1)})
    with pytest.raises(Conflict):
        update_event(world.staff_a, later, starts_at=values["starts_at"],
                     ends_at=values["ends_at"])
    # Editing an event never conflicts with itself.
    assert update_event(world.staff_a, later, title="Renamed")


def test_capacity_above_the_room_is_a_warning_not_an_error(world, values):
    event = create_event(world.staff_a, **values | {"capacity": 100})
    assert warnings_for(event) == [
        "The capacity (100) is larger than Hall holds (40)."]
    update_event(world.staff_a, event, capacity=40)
    assert warnings_for(event) == []


# ---- update ----------------------------------------------------------------------------

def test_update_records_changed_fields_before_and_after(world, values):
    event = create_event(world.staff_a, **values)
    changes = update_event(world.staff_a, event, summary="New summary", capacity=35)
    assert changes == {"summary_en": ["Scale-up in practice", "New summary"],
                       "capacity": [30, 35]}
    [entry] = entries(event, "event.update")
    assert entry.changes == changes
    assert event.sequence == 0  # neither time, place, status nor title changed


def test_update_without_changes_writes_nothing(world, values):
    event = create_event(world.staff_a, **values)
    assert update_event(world.staff_a, event, title="Bioreactor workshop") == {}
    assert entries(event, "event.update") == []


@pytest.mark.parametrize(("field", "value"), [
    ("title", "New title"),
    ("starts_at", "later"),
    ("venue", "other room"),
    ("format", EventFormat.HYBRID),
    ("timezone", "Asia/Yekaterinburg"),
])
def test_sequence_grows_when_time_place_or_title_change(world, values, field, value):
    event = create_event(world.staff_a, **values)
    extra = {}
    if value == "later":
        value = values["starts_at"] + timedelta(minutes=30)
    if value == "other room":
        value = make_venue(world.b)
    if field == "format":
        extra = {"online_url": "https://meet.example/z"}
    update_event(world.staff_a, event, **{field: value}, **extra)
    assert event.sequence == 1


def test_sequence_grows_with_every_status_change(world, values):
    event, _involvement = proposed_with_b(world, values, InvolvementState.ACCEPTED)
    assert event.sequence == 1
    schedule_event(world.coord_a, event)
    assert event.sequence == 2
    cancel_event(world.coord_a, event, "Weather")
    assert event.sequence == 3


def test_update_refuses_unknown_fields(world, values):
    event = create_event(world.staff_a, **values)
    with pytest.raises(TypeError):
        update_event(world.staff_a, event, status=EventStatus.SCHEDULED)


def test_only_the_lead_partner_edits(world, values):
    event, _ = proposed_with_b(world, values, InvolvementState.ACCEPTED)
    with pytest.raises(NotAllowed):
        update_event(world.staff_b, event, title="Hijack")
    with pytest.raises(NotAllowed):
        update_event(world.resident, event, title="Hijack")
    assert update_event(world.admin, event, title="Admin fix")


def test_a_cancelled_event_cannot_be_edited(world, values):
    event = create_event(world.coord_a, **values)
    cancel_event(world.coord_a, event, "No speaker")
    with pytest.raises(Conflict):
        update_event(world.coord_a, event, title="Back")


def test_moving_an_existing_event_into_the_past_is_refused(world, values):
    event = create_event(world.staff_a, **values)
    past = utcnow() - timedelta(days=1)
    errors = invalid(update_event, world.staff_a, event, starts_at=past,
                     ends_at=past + timedelta(hours=1))
    assert errors == {"starts_at": "The start is in the past."}


def test_a_running_event_can_still_be_edited_without_moving_its_start(world):
    event = make_event(lead=world.a, starts_at=utcnow() - timedelta(hours=1),
                       ends_at=utcnow() + timedelta(hours=1), venue=world.room)
    assert update_event(world.staff_a, event, summary="Slides are online")


def test_capacity_below_the_confirmed_count_is_refused(world):
    event = make_event(lead=world.a, venue=world.room, capacity=10)
    for _ in range(4):
        make_registration(event)
    make_registration(event, status=RegistrationStatus.WAITLISTED, confirmed_at=None)
    errors = invalid(update_event, world.staff_a, event, capacity=3)
    assert errors == {"capacity":
                      "4 people are already confirmed; the capacity cannot be lower."}
    assert update_event(world.staff_a, event, capacity=4)


def test_update_tells_registrations_when_the_event_moves(world, values):
    event = make_event(lead=world.a, venue=world.room)
    with mock.patch("events.planning.hooks.event_changed") as changed:
        update_event(world.staff_a, event, starts_at=event.starts_at + timedelta(hours=1),
                     ends_at=event.ends_at + timedelta(hours=1))
    changed.assert_called_once()
    args, _kwargs = changed.call_args
    assert args[:3] == (world.staff_a, event, "moved")
    assert set(args[3]) == {"starts_at", "ends_at"}


def test_update_does_not_call_a_title_change_a_move(world):
    event = make_event(lead=world.a, venue=world.room)
    with mock.patch("events.planning.hooks.event_changed") as changed:
        update_event(world.staff_a, event, title="Renamed")
    changed.assert_not_called()


@pytest.mark.parametrize(("before", "after", "called"), [
    (10, 20, True), (10, None, True), (10, 5, False), (None, 20, False), (10, 10, False)])
def test_capacity_raised_or_removed_promotes_the_waitlist(world, before, after, called):
    event = make_event(lead=world.a, venue=world.room, capacity=before)
    with mock.patch("events.planning.hooks.capacity_changed") as changed:
        update_event(world.staff_a, event, capacity=after)
    assert changed.called is called


# ---- propose, invite, answer -----------------------------------------------------------

def test_invite_in_draft_waits_and_proposing_sends_the_invitation(world, values):
    event = create_event(world.staff_a, **values)
    involvement = invite_partner(world.staff_a, event, world.b, "co-host")
    assert involvement.state == InvolvementState.INVITED
    assert not queued_messages()  # B cannot see a draft yet
    propose_event(world.staff_a, event)
    assert event.status == EventStatus.PROPOSED
    queued = queued_messages()
    assert [m.recipients for m in queued] == [[world.coord_b.email]]
    # Boris reads Russian: subject and body in his language.
    assert "Bioreactor workshop" in queued[0].subject
    assert world.coord_b.name in queued[0].body
    assert "/events/" in queued[0].body
    [ics] = queued[0].attachments  # the event as a tentative entry for their calendar
    assert ics.content_type.startswith("text/calendar")
    assert b"STATUS:TENTATIVE" in ics.data


def test_inviting_a_proposed_event_mails_the_partners_coordinators(world, values):
    event = create_event(world.staff_a, **values)
    propose_event(world.staff_a, event)
    invite_partner(world.staff_a, event, world.b, InvolvementRole.SUPPORTER)
    [mail] = queued_messages()
    assert mail.recipients == [world.coord_b.email]
    assert mail.html
    assert "Bioreactor workshop" in mail.html
    [entry] = entries(event, "involvement.invite")
    assert entry.changes["partner"] == [None, "Beta"]
    assert entry.changes["role"] == [None, "supporter"]


def test_without_a_coordinator_the_partners_staff_get_the_invitation(world, values):
    from tests.factories import make_partner

    lonely = make_partner(short_name="Gamma")
    staff = make_user("staff", lonely)
    event = create_event(world.staff_a, **values)
    propose_event(world.staff_a, event)
    invite_partner(world.staff_a, event, lonely, "supporter")
    assert [m.recipients for m in queued_messages()] == [[staff.email]]


def test_invite_rules(world, values):
    event = create_event(world.staff_a, **values)
    with pytest.raises(ValidationFailed) as caught:
        invite_partner(world.staff_a, event, world.b, InvolvementRole.HOST)
    assert (caught.value.field, caught.value.message) == (
        "role", "Invite a partner as co-host or supporter.")
    with pytest.raises(ValidationFailed) as caught:
        invite_partner(world.staff_a, event, None, "co-host")
    assert caught.value.field == "partner"
    with pytest.raises(Conflict) as caught:
        invite_partner(world.staff_a, event, world.a, "co-host")
    assert caught.value.message == "Alpha is already part of this event."
    invite_partner(world.staff_a, event, world.b, "co-host")
    with pytest.raises(Conflict):
        invite_partner(world.staff_a, event, world.b, "supporter")
    with pytest.raises(NotAllowed):
        invite_partner(world.staff_b, event, world.b, "co-host")


def test_a_declined_partner_can_be_invited_again(world, values):
    event, involvement = proposed_with_b(world, values, InvolvementState.DECLINED)
    again = invite_partner(world.staff_a, event, world.b, "supporter")
    assert again.id == involvement.id
    assert (again.state, again.role, again.answered_by) == (
        InvolvementState.INVITED, InvolvementRole.SUPPORTER, None)


def test_propose_rules(world, values):
    event = create_event(world.staff_a, **values)
    with pytest.raises(NotAllowed):
        propose_event(world.staff_b, event)
    propose_event(world.staff_a, event)
    with pytest.raises(Conflict) as caught:
        propose_event(world.staff_a, event)
    assert caught.value.message == "Only a draft can be proposed."
    [entry] = entries(event, "event.propose")
    assert entry.changes["status"] == ["draft", "proposed"]


def test_an_event_that_already_started_cannot_be_proposed(world):
    event = make_event(lead=world.a, status=EventStatus.DRAFT,
                       starts_at=utcnow() - timedelta(hours=1),
                       ends_at=utcnow() + timedelta(hours=1))
    with pytest.raises(ValidationFailed) as caught:
        propose_event(world.staff_a, event)
    assert caught.value.field == "starts_at"


def test_the_invited_partner_accepts_with_a_note(world, values):
    event, involvement = proposed_with_b(world, values)
    answer_invitation(world.staff_b, involvement, True, "  We bring two speakers. ")
    assert involvement.state == InvolvementState.ACCEPTED
    assert involvement.note == "We bring two speakers."
    assert involvement.answered_by == world.staff_b
    assert involvement.answered_at is not None
    [entry] = entries(event, "involvement.accept")
    assert entry.changes["state"] == ["invited", "accepted"]
    assert entry.changes["note"] == ["", "We bring two speakers."]


def test_the_invited_partner_declines(world, values):
    event, involvement = proposed_with_b(world, values)
    answer_invitation(world.coord_b, involvement, False, "No budget this quarter")
    assert involvement.state == InvolvementState.DECLINED
    assert entries(event, "involvement.decline")


def test_answer_rules(world, values):
    event, involvement = proposed_with_b(world, values)
    with pytest.raises(NotAllowed):
        answer_invitation(world.staff_a, involvement, True)
    with pytest.raises(NotAllowed):
        answer_invitation(world.resident, involvement, True)
    with pytest.raises(ValidationFailed) as caught:
        answer_invitation(world.staff_b, involvement, True, "x" * 2001)
    assert caught.value.field == "note"
    answer_invitation(world.staff_b, involvement, True)
    with pytest.raises(Conflict) as caught:
        answer_invitation(world.staff_b, involvement, False)
    assert caught.value.message == "This invitation is already answered."
    with pytest.raises(Conflict):
        answer_invitation(world.staff_a, event.host_involvement, True)


def test_an_invitation_to_a_draft_cannot_be_answered(world, values):
    event = create_event(world.staff_a, **values)
    involvement = invite_partner(world.staff_a, event, world.b, "co-host")
    with pytest.raises(Conflict) as caught:
        answer_invitation(world.staff_b, involvement, True)
    assert caught.value.message == "The event is not proposed yet."


def test_an_invitation_to_a_cancelled_event_cannot_be_answered(world, values):
    event, involvement = proposed_with_b(world, values)
    cancel_event(world.coord_a, event, "Merged into another event")
    with pytest.raises(Conflict):
        answer_invitation(world.staff_b, involvement, True)


# ---- schedule and cancel ---------------------------------------------------------------

def test_only_a_coordinator_of_the_lead_partner_schedules(world, values):
    event, _ = proposed_with_b(world, values, InvolvementState.ACCEPTED)
    for person in (world.staff_a, world.coord_b, world.staff_b, world.resident, None):
        with pytest.raises(NotAllowed):
            schedule_event(person, event)
    schedule_event(world.coord_a, event)
    assert event.status == EventStatus.SCHEDULED
    assert event.published_at is not None
    [entry] = entries(event, "event.schedule")
    assert entry.changes["status"] == ["proposed", "scheduled"]


def test_an_admin_schedules_any_event(world, values):
    event, _ = proposed_with_b(world, values, InvolvementState.ACCEPTED)
    schedule_event(world.admin, event)
    assert event.status == EventStatus.SCHEDULED


def test_scheduling_waits_for_every_answer(world, values):
    event, involvement = proposed_with_b(world, values)
    with pytest.raises(Conflict) as caught:
        schedule_event(world.coord_a, event)
    assert caught.value.message == "Still waiting for an answer from Beta."
    answer_invitation(world.staff_b, involvement, False)
    schedule_event(world.coord_a, event)  # a declined partner does not block


def test_only_a_proposed_event_is_scheduled(world, values):
    event = create_event(world.coord_a, **values)
    with pytest.raises(Conflict) as caught:
        schedule_event(world.coord_a, event)
    assert caught.value.message == "Only a proposed event can be scheduled."


def test_cancel_needs_a_reason_and_keeps_the_event(world, values):
    event, _ = proposed_with_b(world, values, InvolvementState.ACCEPTED)
    schedule_event(world.coord_a, event)
    with pytest.raises(ValidationFailed) as caught:
        cancel_event(world.coord_a, event, "   ")
    assert caught.value.field == "reason"
    assert caught.value.message == "Give a reason; the people registered will read it."
    with pytest.raises(ValidationFailed):
        cancel_event(world.coord_a, event, "x" * 2001)
    with mock.patch("events.planning.hooks.event_changed") as changed:
        cancel_event(world.coord_a, event, "The speaker could not travel.")
    assert event.status == EventStatus.CANCELLED
    assert event.cancel_reason == "The speaker could not travel."
    assert event.cancelled_at is not None
    assert changed.call_args.args[2] == "cancelled"
    assert db.session.get(type(event), event.id) is event  # still there
    [entry] = entries(event, "event.cancel")
    assert entry.changes["status"] == ["scheduled", "cancelled"]
    assert entry.changes["cancel_reason"] == [None, "The speaker could not travel."]


def test_cancel_rules(world, values):
    event = create_event(world.staff_a, **values)
    with pytest.raises(NotAllowed):
        cancel_event(world.staff_a, event, "Not a coordinator")
    cancel_event(world.coord_a, event, "Plans changed")
    with pytest.raises(Conflict):
        cancel_event(world.coord_a, event, "Again")
    past = make_event(lead=world.a, starts_at=datetime(2020, 1, 1, 10, tzinfo=UTC),
                      ends_at=datetime(2020, 1, 1, 12, tzinfo=UTC))
    with pytest.raises(Conflict) as caught:
        cancel_event(world.coord_a, past, "Too late")
    assert caught.value.message == "This event is over."


def test_programme_is_kept(world, values):
    programme = Programme(slug="p1", title="Action programme")
    db.session.add(programme)
    event = create_event(world.staff_a, **values | {"programme": programme})
    assert event.programme is programme
    assert entries(event, "event.create")[0].changes["programme"] == [None, "Action programme"]


# ---- the buttons mirror the services ---------------------------------------------------

ACTIONS = {
    "propose": lambda who, event, world: propose_event(who, event),
    "schedule": lambda who, event, world: schedule_event(who, event),
    "cancel": lambda who, event, world: cancel_event(who, event, "Reason"),
    "edit": lambda who, event, world: update_event(who, event, summary="changed"),
    "invite": lambda who, event, world: invite_partner(
        who, event, __import__("tests.factories").factories.make_partner(), "supporter"),
}


@pytest.mark.parametrize("who", ["staff_a", "coord_a", "staff_b", "coord_b", "admin",
                                 "resident"])
@pytest.mark.parametrize("stage", ["draft", "proposed-pending", "proposed-answered",
                                   "scheduled", "cancelled"])
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_available_actions_say_exactly_what_the_services_accept(world, values, who, stage,
                                                                action):
    event = create_event(world.staff_a, **values)
    if stage != "draft":
        involvement = invite_partner(world.staff_a, event, world.b, "co-host")
        if stage != "cancelled":
            propose_event(world.staff_a, event)
        if stage in ("proposed-answered", "scheduled"):
            answer_invitation(world.staff_b, involvement, True)
        if stage == "scheduled":
            schedule_event(world.coord_a, event)
        if stage == "cancelled":
            cancel_event(world.coord_a, event, "Gone")
    person = getattr(world, who)
    shown = services.available_actions(person, event)[action]
    if shown:
        ACTIONS[action](person, event, world)
    else:
        with pytest.raises((NotAllowed, Conflict, ValidationFailed)):
            ACTIONS[action](person, event, world)
