"""Staff manage the list: add an account or a walk-in, cancel a seat, move someone to the head
of the waitlist with a reason, message a group; capacity and first-come rules still hold."""

import re

import pytest
import sqlalchemy as sa

from events.audit.models import AuditEntry
from events.auth.models import User
from events.enums import EventStatus, RegistrationStatus
from events.errors import Conflict, NotAllowed, ValidationFailed
from events.extensions import db
from events.outbox.worker import wake_worker
from events.registrations.queries import waitlist_positions
from events.registrations.services import register
from events.registrations.staff import (
    Group,
    add_person,
    cancel_seat,
    message_attendees,
    move_ahead,
)
from tests.conftest import login
from tests.factories import make_registration, make_user
from tests.registrations.helpers import statuses

CONFIRMED, WAITLISTED = RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED


def delivered(outbox):
    db.session.commit()
    wake_worker()
    return list(outbox)


def test_staff_add_an_account_by_email(in_request, event, staff, residents, outbox):
    person = residents[0]
    registration = add_person(staff, event, email=person.email.upper())
    assert registration.user == person
    assert registration.status == CONFIRMED
    (mail,) = delivered(outbox)
    assert mail.recipients == [person.email]
    assert "/cancel/" in mail.body
    assert "/ticket" in mail.body
    action = db.session.scalar(sa.select(AuditEntry.action).where(
        AuditEntry.subject_id == registration.id, AuditEntry.subject_type == "registrations"))
    assert action == "registration.add"


def test_added_people_wait_when_the_event_is_full(in_request, event, staff, residents):
    for person in residents[:2]:
        register(person, event)
    added = add_person(staff, event, email=residents[2].email)
    assert added.status == WAITLISTED
    assert waitlist_positions([event.id])[added.id] == 1


def test_adding_someone_already_on_the_list_is_refused(in_request, event, staff, residents):
    register(residents[0], event)
    with pytest.raises(Conflict, match="already on the list"):
        add_person(staff, event, email=residents[0].email)


def test_walk_in_needs_a_name_and_gets_a_claim_mail(app, client, event, staff, outbox):
    with app.test_request_context("/", method="POST"):
        with pytest.raises(ValidationFailed, match="enter the person's name"):
            add_person(staff, event, email="walk.in@example.org")
        registration = add_person(staff, event, email="walk.in@example.org", name="Wally In")
    assert registration.status == CONFIRMED
    walk_in = db.session.scalar(sa.select(User).where(User.email == "walk.in@example.org"))
    assert walk_in.name == "Wally In"
    (mail,) = delivered(outbox)
    assert mail.recipients == ["walk.in@example.org"]
    assert "Staff Person registered you" in mail.body
    link = re.search(r"http://localhost(/\S*invitation\S*)", mail.body).group(1)
    assert client.get(link).status_code == 200  # the claim link opens the set-password page
    # Claiming: a password, then the place and its ticket are on the person's events page.
    password = "a-long-walk-in-passphrase-42"
    claimed = client.post(link, data={"password": password, "confirm": password})
    assert claimed.status_code == 302
    mine = client.get("/my/events").get_data(as_text=True)
    assert f'href="/registrations/{registration.id}/ticket"' in mine
    assert walk_in.check_password(password)
    assert walk_in.is_verified  # the mailed link proved the address


def test_add_refuses_bad_addresses_outsiders_and_over_events(in_request, event, staff):
    with pytest.raises(ValidationFailed):
        add_person(staff, event, email="not an address", name="X")
    with pytest.raises(NotAllowed):
        add_person(make_user("staff"), event, email="a@example.org", name="A")
    with pytest.raises(NotAllowed):
        add_person(make_user(), event, email="a@example.org", name="A")
    event.status = EventStatus.CANCELLED
    with pytest.raises(Conflict):
        add_person(staff, event, email="a@example.org", name="A")


def test_staff_cancel_a_seat_and_the_waitlist_moves_up(in_request, event, staff, residents,
                                                       outbox):
    regs = [register(person, event).registration for person in residents[:3]]
    cancel_seat(staff, regs[0])
    assert statuses(event) == {residents[0].id: "cancelled", residents[1].id: "confirmed",
                               residents[2].id: "confirmed"}
    with pytest.raises(Conflict):
        cancel_seat(staff, regs[0])
    with pytest.raises(NotAllowed):
        cancel_seat(residents[1], regs[1])
    actor = db.session.scalar(sa.select(AuditEntry.actor_id).where(
        AuditEntry.action == "registration.cancel", AuditEntry.subject_id == regs[0].id))
    assert actor == staff.id


def test_move_ahead_puts_a_person_first_with_the_reason_in_the_history(
        in_request, event, staff, residents):
    regs = [register(person, event).registration for person in residents[:5]]  # 2 seats, 3 waiting
    third = regs[4]
    assert waitlist_positions([event.id])[third.id] == 3
    move_ahead(staff, third, "Speaker's assistant")
    positions = waitlist_positions([event.id])
    assert [positions[r.id] for r in regs[2:]] == [2, 3, 1]
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "registration.move_ahead"))
    assert entry.changes["reason"] == [None, "Speaker's assistant"]
    assert entry.actor_id == staff.id
    # The next freed seat is theirs.
    cancel_seat(staff, regs[0])
    assert third.status == CONFIRMED
    assert regs[2].status == WAITLISTED


def test_move_ahead_needs_a_reason_and_a_waitlisted_person(in_request, event, staff, residents):
    regs = [register(person, event).registration for person in residents[:3]]
    with pytest.raises(ValidationFailed):
        move_ahead(staff, regs[2], "   ")
    with pytest.raises(Conflict):
        move_ahead(staff, regs[0], "VIP")  # already has a seat
    with pytest.raises(NotAllowed):
        move_ahead(make_user("staff"), regs[2], "VIP")


def test_message_goes_to_the_chosen_group_through_the_outbox(app, event, staff, residents,
                                                             outbox):
    event.capacity = 3
    confirmed = [make_registration(event, person) for person in residents[:3]]
    confirmed[0].checked_in_at = confirmed[0].confirmed_at
    waiting = make_registration(event, residents[3], status=WAITLISTED, confirmed_at=None)
    make_registration(event, residents[4], status=RegistrationStatus.CANCELLED)
    with app.test_request_context("/", method="POST"):
        assert message_attendees(staff, event, Group.CHECKED_IN, "100% on time", "Hi") == 1
        assert message_attendees(staff, event, Group.WAITLISTED, "Waiting", "Hi") == 1
        assert message_attendees(staff, event, Group.CONFIRMED, "Seat", "Hi") == 3
        assert message_attendees(staff, event, Group.ALL, "Parking", "Use gate 3.") == 4
    mails = delivered(outbox)
    assert len(mails) == 9
    subjects = {(m.recipients[0], m.subject) for m in mails}
    assert (residents[0].email, "100% on time") in subjects
    assert (waiting.user.email, "Waiting") in subjects
    assert all(m.recipients != [residents[4].email] for m in mails)  # cancelled: not written to
    assert "Use gate 3." in next(m.body for m in mails if m.subject == "Parking")


def test_message_refuses_an_empty_group_and_empty_text(in_request, event, staff):
    with pytest.raises(Conflict):
        message_attendees(staff, event, Group.ALL, "Hello", "Text")
    make_registration(event)
    with pytest.raises(ValidationFailed):
        message_attendees(staff, event, Group.ALL, " ", "Text")
    with pytest.raises(ValidationFailed):
        message_attendees(staff, event, Group.ALL, "Hello", "")
    with pytest.raises(NotAllowed):
        message_attendees(make_user(), event, Group.ALL, "Hello", "Text")


# ---- the attendee page's forms ----------------------------------------------------------

def test_attendee_page_forms_add_move_cancel_and_message(app, client, event, staff, residents,
                                                         outbox):
    regs = [make_registration(event, person) for person in residents[:2]]
    waiting = make_registration(event, residents[2], status=WAITLISTED, confirmed_at=None)
    db.session.commit()
    login(client, staff)
    page = client.get(f"/events/{event.id}/attendees").get_data(as_text=True)
    assert f'action="/events/{event.id}/attendees/add"' in page
    assert f'action="/registrations/{waiting.id}/move-ahead"' in page
    assert f'action="/registrations/{regs[0].id}/cancel-seat"' in page
    added = client.post(f"/events/{event.id}/attendees/add",
                        data={"email": residents[3].email})
    assert added.status_code == 302
    assert statuses(event)[residents[3].id] == "waitlisted"
    moved = client.post(f"/registrations/{residents_reg(event, residents[3]).id}/move-ahead",
                        data={"reason": "Press"})
    assert moved.status_code == 302
    client.post(f"/registrations/{regs[0].id}/cancel-seat")
    assert statuses(event)[residents[3].id] == "confirmed"  # moved ahead of the earlier one
    assert statuses(event)[residents[2].id] == "waitlisted"
    sent = client.post(f"/events/{event.id}/attendees/message",
                       data={"group": "confirmed", "subject": "Parking", "body": "Gate 3"})
    assert sent.status_code == 302
    assert sorted(m.recipients[0] for m in outbox if m.subject == "Parking") == sorted(
        [residents[1].email, residents[3].email])


def residents_reg(event, person):
    from events.registrations.services import active_registration_of

    return active_registration_of(person, event)


def test_attendee_page_forms_refuse_bad_input_with_a_message(app, client, event, staff):
    db.session.commit()
    login(client, staff)
    response = client.post(f"/events/{event.id}/attendees/add", data={"email": ""})
    assert response.status_code == 422
    response = client.post(f"/events/{event.id}/attendees/add",
                           data={"email": "nobody@example.org"})
    assert response.status_code == 422
    assert "walk-in" in response.get_data(as_text=True)
    response = client.post(f"/events/{event.id}/attendees/message",
                           data={"group": "everyone", "subject": "S", "body": "B"})
    assert response.status_code == 422
    outsider = make_user("staff")
    db.session.commit()
    login(client, outsider)
    assert client.post(f"/events/{event.id}/attendees/add",
                       data={"email": "a@example.org", "name": "A"}).status_code == 403
