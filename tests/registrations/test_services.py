"""The rules: capacity, waitlist order, promotion, cancellation, check-in, audit."""


from datetime import timedelta

import pytest
import sqlalchemy as sa

from events.audit.models import AuditEntry
from events.db import utcnow
from events.enums import Audience, EventStatus, RegistrationStatus
from events.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from events.extensions import db
from events.registrations import notify
from events.registrations.queries import waitlist_positions
from events.registrations.services import (
    cancel_by_token,
    cancel_registration,
    check_in,
    hash_token,
    register,
    undo_check_in,
)
from tests.factories import make_event, make_involvement, make_partner, make_user
from tests.registrations.helpers import rows

pytestmark = pytest.mark.usefixtures("in_request")

CONFIRMED, WAITLISTED, CANCELLED = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED,
                                    RegistrationStatus.CANCELLED)


def test_register_confirms_until_full_then_waitlists_in_order(event, residents):
    regs = [register(person, event).registration for person in residents[:5]]
    assert [r.status for r in regs] == [CONFIRMED, CONFIRMED, WAITLISTED, WAITLISTED, WAITLISTED]
    positions = waitlist_positions([event.id])
    assert [positions[r.id] for r in regs[2:]] == [1, 2, 3]
    assert all(r.confirmed_at is not None for r in regs[:2])


def test_register_twice_returns_the_same_registration(event, residents):
    first = register(residents[0], event).registration
    second = register(residents[0], event).registration
    assert second.id == first.id
    assert rows() == 1


def test_token_is_stored_only_as_its_hash(event, residents):
    registration, _new, token = register(residents[0], event)
    assert registration.cancel_token_hash == hash_token(token)
    assert token not in registration.cancel_token_hash


def test_cancelling_a_seat_promotes_the_head_of_the_waitlist(event, residents):
    regs = [register(person, event).registration for person in residents[:5]]
    cancel_registration(residents[0], regs[0])
    assert [r.status for r in regs] == [CANCELLED, CONFIRMED, CONFIRMED, WAITLISTED, WAITLISTED]
    positions = waitlist_positions([event.id])
    assert (positions[regs[3].id], positions[regs[4].id]) == (1, 2)


def test_promotion_follows_registered_at_then_id(event, residents):
    confirmed = [register(person, event).registration for person in residents[:2]]
    late = register(residents[2], event).registration
    early = register(residents[3], event).registration
    early.registered_at = late.registered_at - timedelta(seconds=5)  # earlier in time
    db.session.flush()
    cancel_registration(residents[0], confirmed[0])
    assert early.status == CONFIRMED
    assert late.status == WAITLISTED


def test_cancelling_a_waitlisted_place_promotes_nobody(event, residents):
    regs = [register(person, event).registration for person in residents[:4]]
    cancel_registration(residents[2], regs[2])
    assert [r.status for r in regs] == [CONFIRMED, CONFIRMED, CANCELLED, WAITLISTED]
    assert waitlist_positions([event.id])[regs[3].id] == 1


def test_cancel_twice_is_harmless(event, residents):
    registration = register(residents[0], event).registration
    cancel_registration(residents[0], registration)
    cancel_registration(residents[0], registration)
    assert registration.status == CANCELLED


def test_cancel_someone_elses_registration_is_refused(event, residents):
    registration = register(residents[0], event).registration
    with pytest.raises(NotAllowed):
        cancel_registration(residents[1], registration)
    assert registration.status == CONFIRMED


def test_register_again_after_cancelling_makes_a_new_row(event, residents):
    first = register(residents[0], event).registration
    cancel_registration(residents[0], first)
    second = register(residents[0], event).registration
    assert second.id != first.id
    assert second.status == CONFIRMED
    assert rows() == 2


def test_capacity_raised_promotes_in_order(event, residents, staff):
    regs = [register(person, event).registration for person in residents[:6]]
    event.capacity = 4
    notify.capacity_changed(staff, event)
    assert [r.status for r in regs] == [CONFIRMED] * 4 + [WAITLISTED] * 2
    event.capacity = None
    notify.capacity_changed(staff, event)
    assert all(r.status == CONFIRMED for r in regs)


def test_capacity_lowered_never_unconfirms(event, residents, staff):
    regs = [register(person, event).registration for person in residents[:3]]
    event.capacity = 1
    notify.capacity_changed(staff, event)
    assert [r.status for r in regs] == [CONFIRMED, CONFIRMED, WAITLISTED]
    cancel_registration(residents[0], regs[0])  # still over the new capacity: nobody moves up
    assert regs[2].status == WAITLISTED
    cancel_registration(residents[1], regs[1])
    assert regs[2].status == CONFIRMED


def test_cancel_by_token_works_once(event, residents):
    registered = register(residents[0], event)
    registration, token = registered.registration, registered.cancel_token
    cancel_by_token(token)
    assert registration.status == CANCELLED
    with pytest.raises(Conflict):
        cancel_by_token(token)


@pytest.mark.parametrize("token", ["", "short", "x" * 43, "y" * 500])
def test_forged_cancel_tokens_change_nothing(event, residents, token):
    registration = register(residents[0], event).registration
    with pytest.raises(NotFound):
        cancel_by_token(token)
    assert registration.status == CONFIRMED


def _refused(user, event, error):
    before = rows()
    with pytest.raises(error):
        register(user, event)
    assert rows() == before


def test_register_refusals(host, residents):
    now = utcnow()
    person = residents[0]
    _refused(person, make_event(lead=host, status=EventStatus.CANCELLED), Conflict)
    _refused(person, make_event(lead=host, starts_at=now - timedelta(days=2),
                                ends_at=now - timedelta(days=1)), Conflict)
    _refused(person, make_event(lead=host, starts_at=now - timedelta(hours=1),
                                ends_at=now + timedelta(hours=1)), Conflict)
    _refused(person, make_event(lead=host, registration_opens_at=now + timedelta(days=1)),
             Conflict)
    _refused(person, make_event(lead=host, registration_closes_at=now - timedelta(hours=1)),
             Conflict)
    _refused(person, make_event(lead=host, audience=Audience.INTERNAL), NotFound)
    _refused(person, make_event(lead=host, status=EventStatus.DRAFT), NotFound)
    _refused(person, make_event(lead=host, status=EventStatus.PROPOSED), NotFound)


def test_staff_may_register_for_internal_events(host, staff):
    registration = register(staff, make_event(lead=host, audience=Audience.INTERNAL)).registration
    assert registration.status == CONFIRMED


def test_lead_staff_cannot_register_for_their_draft(host, staff):
    _refused(staff, make_event(lead=host, status=EventStatus.DRAFT), Conflict)


def test_disabled_account_cannot_register(event):
    _refused(make_user(is_active=False), event, NotAllowed)


def test_unlimited_capacity_always_confirms(host, residents):
    event = make_event(lead=host, capacity=None)
    assert {register(p, event).registration.status for p in residents} == {CONFIRMED}


def test_zero_capacity_waitlists_everyone(host, residents):
    event = make_event(lead=host, capacity=0)
    assert register(residents[0], event).registration.status == WAITLISTED


def test_check_in_and_undo(door_open, event, residents, staff):
    registration = register(residents[0], event).registration
    check_in(staff, registration)
    assert registration.checked_in_at is not None
    assert registration.checked_in_by == staff
    check_in(staff, registration)  # twice is harmless
    undo_check_in(staff, registration)
    assert registration.checked_in_at is None


def test_check_in_by_co_host_staff_and_refusals(door_open, event, residents, staff):
    co_host = make_partner()
    make_involvement(event, co_host)
    registration = register(residents[0], event).registration
    check_in(make_user("staff", co_host), registration)
    assert registration.checked_in_at is not None
    with pytest.raises(NotAllowed):
        undo_check_in(make_user("staff"), registration)  # an uninvolved partner
    with pytest.raises(NotAllowed):
        check_in(residents[1], registration)
    assert registration.checked_in_at is not None


def test_waitlisted_cannot_be_checked_in(door_open, event, residents, staff):
    regs = [register(person, event).registration for person in residents[:3]]
    with pytest.raises(ValidationFailed):
        check_in(staff, regs[2])
    assert regs[2].checked_in_at is None


def test_every_change_is_audited(door_open, event, residents, staff):
    regs = [register(person, event).registration for person in residents[:3]]
    cancel_registration(residents[0], regs[0])
    check_in(staff, regs[1])
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.event_id == event.id)
        .order_by(AuditEntry.id)).all()
    assert actions == ["registration.create"] * 3 + [
        "registration.cancel", "registration.promote", "registration.check_in"]


def test_event_cancelled_tells_everyone_active(event, residents, staff, outbox, app):
    from events.outbox.worker import wake_worker

    regs = [register(person, event).registration for person in residents[:3]]
    cancel_registration(residents[2], regs[2])
    db.session.commit()
    wake_worker()
    outbox.clear()
    event.status = EventStatus.CANCELLED
    event.cancel_reason = "Venue flooded"
    notify.event_changed(staff, event, "cancelled", {"status": ["scheduled", "cancelled"]})
    db.session.commit()
    wake_worker()
    assert sorted(m.recipients[0] for m in outbox) == sorted(p.email for p in residents[:2])
    assert all("Venue flooded" in m.body for m in outbox)


def test_the_lock_refuses_a_get_request(app, event, residents):
    with app.test_request_context("/", method="GET"), pytest.raises(RuntimeError):
        register(residents[0], event)
    assert rows() == 0


def test_cancelled_event_page_offers_no_cancel_button(app, client, event, residents):
    from tests.conftest import login

    register(residents[0], event)
    event.status = EventStatus.CANCELLED
    login(client, residents[0])
    db.session.commit()
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "This event is cancelled." in page
    assert "Cancel my registration" not in page
    assert "You have a seat." not in page
