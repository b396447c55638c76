"""Rate cards: the parties' coordinators price an agreement's help in kind, a partner's
coordinator its own rooms; prices are exact, and a change is audited."""

from decimal import Decimal

import sqlalchemy as sa

from events.agreements.models import RateCard
from events.audit.models import AuditEntry
from events.extensions import db
from tests.conftest import login


def prices(card):
    return {(line.kind.value, line.unit, line.venue_id): line.price for line in card.lines}


def test_a_coordinator_prices_an_agreement(world, client):
    url = f"/rate-cards/new?agreement={world.memorandum.id}"
    data = {"title": "Тарифы 2031", "valid_from": "2031-01-01",
            f"price-venue-hours-{world.hall.id}": "15 000", "price-staff_time-hours": "2500,50",
            "price-speakers-people": "30000", "price-other-row": ""}
    login(client, world.staff_a)
    assert client.get(url).status_code == 403
    login(client, world.coord_c)
    assert client.get(url).status_code == 404  # no party: the agreement is not theirs
    login(client, world.coord_b)
    page = client.get(url).get_data(as_text=True)
    assert f"Room hour: {world.hall.label}" in page
    assert "Speaker appearance" in page
    response = client.post(url, data=data)
    assert response.status_code == 302
    card = db.session.scalars(sa.select(RateCard)).one()
    assert card.agreement_id == world.memorandum.id
    assert card.partner_id is None
    assert prices(card) == {("venue", "hours", world.hall.id): Decimal("15000.00"),
                            ("staff_time", "hours", None): Decimal("2500.50"),
                            ("speakers", "people", None): Decimal("30000.00")}
    edit = f"/rate-cards/{card.id}/edit"
    assert "2500.50" in client.get(edit).get_data(as_text=True)
    response = client.post(edit, data=data | {"price-staff_time-hours": "2800",
                                              "valid_to": "2031-06-30"})
    assert response.status_code == 302
    db.session.expire_all()
    assert prices(card)[("staff_time", "hours", None)] == Decimal("2800.00")
    entry = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "rate_card.update")).one()
    assert entry.changes["valid_to"] == [None, "2031-06-30"]
    assert "prices" in entry.changes
    assert "Тарифы 2031" in client.get("/rates").get_data(as_text=True)


def test_partner_cards_are_their_coordinators(world, client):
    url = f"/rate-cards/new?partner={world.b.id}"
    data = {"title": "Techno rooms", "valid_from": "2031-01-01",
            f"price-venue-hours-{world.room.id}": "9000"}
    login(client, world.coord_a)
    assert client.post(url, data=data).status_code == 403
    login(client, world.coord_b)
    assert client.post(url, data=data).status_code == 302
    card = db.session.scalars(sa.select(RateCard)).one()
    login(client, world.coord_a)
    assert client.get(f"/rate-cards/{card.id}/edit").status_code == 403


def test_wrong_prices_are_refused(world, client):
    login(client, world.admin)
    url = f"/rate-cards/new?agreement={world.memorandum.id}"
    for data, message in (({"price-staff_time-hours": "-5"}, "cannot be negative"),
                          ({"price-staff_time-hours": "abc"}, "must be a number"),
                          ({}, "Give at least one price."),
                          ({"valid_to": "2030-01-01", "price-staff_time-hours": "1"},
                           "The last day is before the first.")):
        response = client.post(url, data={"title": "x", "valid_from": "2031-01-01"} | data)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert client.get("/rate-cards/new").status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RateCard)) == 0
