"""The ledger's rules: who records which partner's rows, valid values, status moves, audit."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from events.audit.models import AuditEntry
from events.contributions.services import (
    add_contribution,
    deliver_contribution,
    update_contribution,
    withdraw_contribution,
)
from events.enums import ContributionKind, ContributionStatus, EventStatus
from events.errors import Conflict, NotAllowed, ValidationFailed
from events.extensions import db
from tests.factories import make_contribution

INVOLVEMENTS = ["host", "cohost", "invited", "declined", "outsider"]
TAKING_PART = {"host", "cohost", "invited"}
VALUES = {"kind": "catering", "description": "Coffee break", "amount": "1000",
          "currency": "RUB"}


def _actor(coop, role, whose, involvement):
    """The acting user: staff/coordinator of the recorded partner ("own") or of the host
    ("other" — for the host row itself, of the co-host), an admin, or a resident."""
    if role == "admin":
        return coop.admin
    if role == "resident":
        return coop.resident
    people = coop.staff if role == "staff" else coop.coordinators
    if whose == "own":
        return people[involvement]
    return people["cohost" if involvement == "host" else "host"]


def _expected(role, whose, involvement) -> bool:
    if involvement not in TAKING_PART:
        return False
    return role == "admin" or (role in ("staff", "coordinator") and whose == "own")


@pytest.mark.parametrize("involvement", INVOLVEMENTS)
@pytest.mark.parametrize("whose", ["own", "other"])
@pytest.mark.parametrize("role", ["staff", "coordinator", "admin", "resident"])
def test_add_contribution_permission_matrix(coop, role, whose, involvement):
    actor = _actor(coop, role, whose, involvement)
    partner = coop.partners[involvement]
    if _expected(role, whose, involvement):
        item = add_contribution(actor, coop.event, partner, **VALUES)
        assert item.partner_id == partner.id
        assert item.status == ContributionStatus.PLEDGED
        assert item.created_by_id == actor.id
    else:
        with pytest.raises(NotAllowed):
            add_contribution(actor, coop.event, partner, **VALUES)


@pytest.mark.parametrize("involvement", INVOLVEMENTS)
@pytest.mark.parametrize("whose", ["own", "other"])
@pytest.mark.parametrize("role", ["staff", "coordinator", "admin", "resident"])
def test_change_contribution_permission_matrix(coop, role, whose, involvement):
    """Existing rows (even of a partner that declined later): own staff while the partner
    takes part, admins always."""
    actor = _actor(coop, role, whose, involvement)
    item = make_contribution(coop.event, coop.partners[involvement])
    allowed = role == "admin" or _expected(role, whose, involvement)
    for action in (lambda: update_contribution(actor, item, description="Tea"),
                   lambda: withdraw_contribution(actor, item)):
        if allowed:
            action()
        else:
            with pytest.raises(NotAllowed):
                action()
    assert item.status == (ContributionStatus.WITHDRAWN if allowed else
                           ContributionStatus.PLEDGED)


def test_cancelled_event_takes_no_new_contributions(coop):
    coop.event.status = EventStatus.CANCELLED
    with pytest.raises(NotAllowed):
        add_contribution(coop.staff["host"], coop.event, coop.host, **VALUES)
    with pytest.raises(NotAllowed):
        add_contribution(coop.admin, coop.event, coop.host, **VALUES)


@pytest.mark.parametrize(("first", "then"), [
    (deliver_contribution, deliver_contribution),
    (deliver_contribution, withdraw_contribution),
    (withdraw_contribution, deliver_contribution),
    (withdraw_contribution, withdraw_contribution),
])
def test_only_pledges_move(coop, first, then):
    item = add_contribution(coop.staff["host"], coop.event, coop.host, **VALUES)
    first(coop.staff["host"], item)
    before = item.status
    with pytest.raises(Conflict):
        then(coop.staff["host"], item)
    assert item.status == before


def test_deliver_and_withdraw_stamp_the_time(coop):
    a = add_contribution(coop.staff["host"], coop.event, coop.host, **VALUES)
    b = add_contribution(coop.staff["host"], coop.event, coop.host, **VALUES)
    deliver_contribution(coop.staff["host"], a)
    withdraw_contribution(coop.staff["host"], b)
    assert a.status == ContributionStatus.DELIVERED
    assert a.delivered_at is not None
    assert b.status == ContributionStatus.WITHDRAWN
    assert b.withdrawn_at is not None


def test_withdrawn_rows_cannot_be_edited(coop):
    item = add_contribution(coop.staff["host"], coop.event, coop.host, **VALUES)
    withdraw_contribution(coop.staff["host"], item)
    with pytest.raises(Conflict):
        update_contribution(coop.staff["host"], item, amount="5")
    assert item.amount == Decimal("1000.00")


@pytest.mark.parametrize(("raw", "expected"), [
    ("1250.50", Decimal("1250.50")),
    ("1 250,50", Decimal("1250.50")),
    ("1\u00a0250", Decimal("1250.00")),
    ("0", Decimal("0.00")),
    ("", None),
    (None, None),
    (Decimal("0.1"), Decimal("0.10")),
])
def test_money_is_exact(coop, raw, expected):
    item = add_contribution(coop.staff["host"], coop.event, coop.host,
                            **{**VALUES, "amount": raw})
    db.session.flush()
    db.session.expire(item)
    assert item.amount == expected


@pytest.mark.parametrize(("field", "value"), [
    ("amount", "-1"), ("amount", "1.234"), ("amount", "abc"), ("amount", "NaN"),
    ("amount", "Infinity"), ("amount", "1e20"), ("amount", 12.5),
    ("currency", "XYZ"), ("currency", "DEM"), ("currency", "RU"), ("currency", "рубли"),
    ("kind", "bribes"), ("description", "   "), ("description", "x" * 501),
    ("quantity", "-3"),
])
def test_bad_values_are_refused_beside_their_field(coop, field, value):
    values = {**VALUES, field: value}
    if field == "quantity":
        values["unit"] = "hours"
    with pytest.raises(ValidationFailed) as caught:
        add_contribution(coop.staff["host"], coop.event, coop.host, **values)
    assert caught.value.field == field


def test_currency_is_an_iso_code_in_any_case(coop):
    item = add_contribution(coop.staff["host"], coop.event, coop.host,
                            **{**VALUES, "currency": " eur "})
    assert item.currency == "EUR"
    item = add_contribution(coop.staff["host"], coop.event, coop.host,
                            kind="venue", description="Hall")
    assert item.currency == "RUB"
    assert item.amount is None


def test_quantity_needs_a_unit_and_hours_are_normalised(coop):
    actor = coop.staff["host"]
    with pytest.raises(ValidationFailed) as caught:
        add_contribution(actor, coop.event, coop.host, **VALUES, quantity="3")
    assert caught.value.field == "unit"
    with pytest.raises(ValidationFailed) as caught:
        add_contribution(actor, coop.event, coop.host, **VALUES, unit="seats")
    assert caught.value.field == "quantity"
    for spelling in ("ч", "Hours", " часов ", "h"):
        item = add_contribution(actor, coop.event, coop.host, **VALUES, quantity="2,5",
                                unit=spelling)
        assert item.unit == "hours"
        assert Decimal(str(item.quantity)) == Decimal("2.5")


def test_every_change_is_in_the_event_trail(coop):
    actor = coop.staff["cohost"]
    item = add_contribution(actor, coop.event, coop.cohost, kind=ContributionKind.FUNDING,
                            description="Grant", amount="100", currency="EUR")
    update_contribution(actor, item, amount="150.5", description="Grant")
    deliver_contribution(coop.admin, item)
    entries = list(db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.subject_type == "contributions",
                                    AuditEntry.subject_id == item.id)
        .order_by(AuditEntry.id)))
    assert [e.action for e in entries] == [
        "contribution.create", "contribution.update", "contribution.delivered"]
    assert all(e.event_id == coop.event.id for e in entries)
    assert entries[0].changes["amount"] == [None, "100.00"]
    assert entries[0].changes["partner"] == [None, coop.cohost.id]
    assert entries[1].changes == {"amount": ["100.00", "150.50"]}  # description unchanged
    assert entries[1].actor_id == actor.id
    assert entries[2].changes["status"] == ["pledged", "delivered"]
    assert entries[2].actor_id == coop.admin.id


def test_an_update_without_changes_writes_nothing(coop):
    item = add_contribution(coop.staff["host"], coop.event, coop.host, **VALUES)
    assert update_contribution(coop.staff["host"], item, **VALUES) == {}
    count = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.subject_id == item.id, AuditEntry.subject_type == "contributions"))
    assert count == 1
