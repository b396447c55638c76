"""Registrations that need approval: pending people hold no seat, approval gives a seat or
the waitlist as the event stands then, declining mails the reason, people may withdraw, and
only the lead partner's staff decide."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from events.audit.models import AuditEntry
from events.db import utcnow
from events.enums import RegistrationStatus
from events.errors import Conflict, NotAllowed, ValidationFailed
from events.extensions import db
from events.outbox.models import OutboxMessage
from events.registrations import approval
from events.registrations.queries import event_counts, event_panel, my_events
from events.registrations.services import (
    cancel_registration,
    confirmed_count,
    register,
    resend_confirmation,
)
from tests.factories import make_involvement, make_partner, make_user

pytestmark = pytest.mark.usefixtures("in_request")

PENDING, CONFIRMED, WAITLISTED, CANCELLED = (
    RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED,
    RegistrationStatus.CANCELLED)


@pytest.fixture
def gated(event, staff):
    """`event` (capacity 2) with approval on."""
    approval.set_needs_approval(staff, event, True)
    return event


def mails_to(person) -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.recipient == person.email).order_by(OutboxMessage.id)))


def test_pending_registrations_hold_no_seat(gated, residents):
    regs = [register(person, gated).registration for person in residents[:4]]
    assert {r.status for r in regs} == {PENDING}
    assert all(r.confirmed_at is None for r in regs)
    assert confirmed_count(gated) == 0
    counts = event_counts(gated)
    assert (counts["pending"], counts["seats_left"], counts["waitlisted"]) == (4, 2, 0)
    (mail,) = mails_to(residents[0])
    assert mail.subject == f"Waiting for approval: {gated.title}"
    assert "/cancel/" in mail.body


def test_registering_again_while_pending_changes_nothing(gated, residents):
    first = register(residents[0], gated)
    again = register(residents[0], gated)
    assert (again.is_new, again.registration.id) == (False, first.registration.id)


def test_approve_gives_seats_then_the_waitlist_at_capacity(gated, staff, residents):
    regs = [register(person, gated).registration for person in residents[:3]]
    for registration in regs:
        approval.approve(staff, registration)
    assert [r.status for r in regs] == [CONFIRMED, CONFIRMED, WAITLISTED]
    assert regs[0].confirmed_at is not None
    assert regs[2].confirmed_at is None
    assert mails_to(residents[0])[-1].subject == f"You are registered: {gated.title}"
    assert mails_to(residents[2])[-1].subject == f"You are on the waitlist: {gated.title}"
    # A freed seat goes to the waitlist as always.
    cancel_registration(residents[0], regs[0])
    assert regs[2].status == CONFIRMED


def test_approval_does_not_overtake_people_already_waiting(gated, staff, residents):
    approval.set_needs_approval(staff, gated, False)
    seated = [register(p, gated).registration for p in residents[:2]]
    waiting = register(residents[2], gated).registration
    approval.set_needs_approval(staff, gated, True)
    late = register(residents[3], gated).registration
    gated.capacity = 3  # a seat frees up; it belongs to the head of the waitlist
    approval.approve(staff, late)
    assert waiting.status == CONFIRMED
    assert late.status == WAITLISTED
    assert [r.status for r in seated] == [CONFIRMED, CONFIRMED]


def test_decline_cancels_and_mails_the_reason(gated, staff, residents):
    registration = register(residents[0], gated).registration
    approval.decline(staff, registration, "  Only for  residents of the biotech cluster ")
    assert registration.status == CANCELLED
    assert registration.declined_at is not None
    assert registration.cancel_token_hash is None
    assert registration.decline_reason == "Only for residents of the biotech cluster"
    mail = mails_to(residents[0])[-1]
    assert mail.subject == f"Registration not approved: {gated.title}"
    assert "Reason: Only for residents of the biotech cluster" in mail.body
    assert db.session.scalar(sa.select(AuditEntry.action).where(
        AuditEntry.subject_id == registration.id).order_by(AuditEntry.id.desc()).limit(1)) \
        == "registration.decline"
    # Declined people may ask again; staff decide again.
    assert register(residents[0], gated).registration.status == PENDING


def test_decline_without_a_reason_and_a_too_long_reason(gated, staff, residents):
    first, second = (register(p, gated).registration for p in residents[:2])
    with pytest.raises(ValidationFailed, match="under 500"):
        approval.decline(staff, first, "x" * 501)
    approval.decline(staff, second)
    assert second.decline_reason is None
    assert "Reason:" not in mails_to(residents[1])[-1].body


def test_only_pending_registrations_are_decided(gated, staff, residents):
    registration = register(residents[0], gated).registration
    approval.approve(staff, registration)
    with pytest.raises(Conflict, match="not waiting for approval"):
        approval.approve(staff, registration)
    with pytest.raises(Conflict):
        approval.decline(staff, registration)


def test_nothing_is_decided_once_the_event_started(gated, staff, residents):
    registration = register(residents[0], gated).registration
    gated.starts_at = utcnow() - timedelta(minutes=5)
    with pytest.raises(Conflict, match="has started"):
        approval.approve(staff, registration)
    assert registration.status == PENDING


def test_withdrawing_a_pending_registration(gated, residents):
    registration = register(residents[0], gated).registration
    panel = event_panel(gated, residents[0])
    assert panel["mine"].status == PENDING
    assert panel["can_cancel"]
    upcoming = my_events(residents[0], utcnow())["upcoming"]
    assert [r.status for r in upcoming] == [PENDING]
    cancel_registration(residents[0], registration)
    assert registration.status == CANCELLED
    assert mails_to(residents[0])[-1].subject == f"Registration cancelled: {gated.title}"


def test_resend_while_pending_sends_the_pending_mail_again(gated, residents):
    registration = register(residents[0], gated).registration
    resend_confirmation(residents[0], registration)
    assert [m.subject for m in mails_to(residents[0])] == [
        f"Waiting for approval: {gated.title}"] * 2


def test_only_the_lead_partners_staff_decide(gated, residents):
    registration = register(residents[0], gated).registration
    co_host = make_partner(slug="co-host")
    make_involvement(gated, co_host)
    for person in (make_user("staff", co_host), make_user("staff"), residents[1]):
        with pytest.raises(NotAllowed):
            approval.approve(person, registration)
        with pytest.raises(NotAllowed):
            approval.decline(person, registration)
        with pytest.raises(NotAllowed):
            approval.set_needs_approval(person, gated, False)
    assert registration.status == PENDING
    approval.approve(make_user("admin"), registration)
    assert registration.status == CONFIRMED


def test_turning_approval_off_leaves_pending_people_waiting(gated, staff, residents):
    registration = register(residents[0], gated).registration
    approval.set_needs_approval(staff, gated, False)
    assert registration.status == PENDING
    assert register(residents[1], gated).registration.status == CONFIRMED
    approval.approve(staff, registration)
    assert registration.status == CONFIRMED

