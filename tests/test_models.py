"""Constraints live in the database, not only in Python: each violated once gives a clear error."""

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, StatementError

from events.auth.models import User
from events.enums import InvolvementRole, InvolvementState, RegistrationStatus, Role
from events.extensions import db
from events.partners.models import Partner
from events.planning.models import Involvement
from tests.factories import (
    make_contribution,
    make_event,
    make_partner,
    make_registration,
    make_user,
)


@pytest.fixture
def violates(app):
    """Assert that flushing raises IntegrityError naming `constraint`, then roll back."""

    def check(constraint: str, action=None):
        with pytest.raises(IntegrityError) as info:
            (action or db.session.flush)()
        db.session.rollback()
        message = str(info.value.orig).lower()
        assert any(word in message for word in constraint.lower().split("|")), message

    return check


def test_one_host_per_event(violates):
    event = make_event()
    db.session.add(Involvement(event=event, partner=make_partner(), role=InvolvementRole.HOST,
                               state=InvolvementState.ACCEPTED))
    violates("uq_involvements_one_host|unique")


def test_one_involvement_per_partner_and_event(violates):
    partner = make_partner()
    event = make_event(lead=partner)
    db.session.add(Involvement(event=event, partner=partner, role=InvolvementRole.SUPPORTER))
    violates("uq_involvements_event_partner|unique")


def test_one_active_registration_per_person(violates):
    event, user = make_event(), make_user()
    make_registration(event, user)
    from events.registrations.models import Registration

    db.session.add(Registration(event=event, user=user, status=RegistrationStatus.WAITLISTED))
    violates("uq_registrations_active|unique")


def test_cancelled_registrations_do_not_block_a_new_one(app):
    event, user = make_event(), make_user()
    make_registration(event, user, status=RegistrationStatus.CANCELLED)
    make_registration(event, user, status=RegistrationStatus.CANCELLED)
    make_registration(event, user)
    db.session.commit()


def test_event_ends_after_it_starts(violates):
    event = make_event()
    event.ends_at = event.starts_at
    violates("ends_after_start|check")


def test_capacity_is_not_negative(violates):
    violates("capacity_non_negative|check", lambda: make_event(capacity=-1))


def test_partner_slug_is_unique(violates):
    make_partner(slug="same")
    db.session.add(Partner(slug="same", name="Other", short_name="O", color="#000000"))
    violates("unique|slug")


def test_email_is_unique_whatever_the_case(violates):
    make_user(email="anna@example.org")
    db.session.add(User(email="ANNA@example.org".lower(), name="Anna 2", password_hash="x",
                        role=Role.RESIDENT))
    violates("unique|email")


def test_email_is_stored_lowercase(violates):
    db.session.add(User(email="Upper@Example.org", name="U", password_hash="x",
                        role=Role.RESIDENT))
    violates("email_lowercase|check")


def test_staff_belong_to_a_partner(violates):
    db.session.add(User(email="lonely@example.org", name="L", password_hash="x",
                        role=Role.STAFF))
    violates("partner_matches_role|check")


def test_unknown_status_is_refused(app):
    event = make_event()
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(sa.text("UPDATE events SET status = 'bogus' WHERE id = :id"),
                           {"id": event.id})
    db.session.rollback()


def test_money_is_exact(app):
    partner = make_partner()
    event = make_event(lead=partner)
    amounts = [Decimal("0.10"), Decimal("0.20"), Decimal("1234567890.99")]
    for amount in amounts:
        make_contribution(event, partner, amount=amount)
    db.session.commit()
    from events.contributions.models import Contribution

    total = db.session.scalar(sa.select(sa.func.sum(Contribution.amount)))
    stored = db.session.scalars(sa.select(Contribution.amount).order_by(Contribution.id)).all()
    assert stored == amounts
    assert Decimal(total) == Decimal("1234567891.29")


def test_negative_money_is_refused(violates):
    partner = make_partner()
    event = make_event(lead=partner)
    violates("amount_non_negative|check",
             lambda: make_contribution(event, partner, amount=Decimal("-1.00")))


def test_times_come_back_aware_utc(app):
    event = make_event(timezone="America/New_York")
    db.session.commit()
    db.session.expire_all()
    again = db.session.get(type(event), event.id)
    assert again.starts_at.utcoffset() == timedelta(0)
    assert again.local_starts_at.tzinfo.key == "America/New_York"


def test_naive_times_are_refused(app):
    from datetime import datetime

    with pytest.raises(StatementError):
        make_event(starts_at=datetime(2030, 1, 1, 10), ends_at=datetime(2030, 1, 1, 12))  # noqa: DTZ001
    db.session.rollback()
