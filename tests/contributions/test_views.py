"""The ledger on the event page, its forms and buttons, over HTTP."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from events.audit.models import AuditEntry
from events.contributions.models import Contribution
from events.enums import ContributionStatus
from events.extensions import db
from tests.conftest import login
from tests.factories import make_contribution

FORM = {"kind": "funding", "description": "Грант на поездку", "amount": "1 250,50",
        "currency": "EUR", "quantity": "", "unit": ""}


def _rows(event):
    return list(db.session.scalars(sa.select(Contribution).where(
        Contribution.event_id == event.id).order_by(Contribution.id)))


def test_staff_record_their_partners_contribution(coop, client):
    db.session.commit()
    login(client, coop.staff["cohost"])
    url = f"/events/{coop.event.id}/contributions/new"
    page = client.get(url).get_data(as_text=True)
    assert 'name="partner"' in page
    assert "Technopolis" in page
    assert "Хост" not in page
    response = client.post(url, data={**FORM, "partner": coop.cohost.id})
    assert response.status_code == 302
    (item,) = _rows(coop.event)
    assert (item.partner_id, item.amount, item.currency) == (coop.cohost.id,
                                                            Decimal("1250.50"), "EUR")
    page = client.get(f"/events/{coop.event.id}").get_data(as_text=True)
    assert "Грант на поездку" in page
    assert "recorded a contribution: " in page  # the event's history shows it, in words


def test_posting_for_another_partner_is_refused(coop, client):
    db.session.commit()
    login(client, coop.staff["cohost"])
    response = client.post(f"/events/{coop.event.id}/contributions/new",
                           data={**FORM, "partner": coop.host.id})
    assert response.status_code == 422
    assert _rows(coop.event) == []


@pytest.mark.parametrize("who", ["outsider", "declined"])
def test_partners_not_taking_part_cannot_open_the_form(coop, client, who):
    db.session.commit()
    login(client, coop.staff[who])
    assert client.get(f"/events/{coop.event.id}/contributions/new").status_code == 403


def test_bad_amount_is_shown_beside_the_field(coop, client):
    db.session.commit()
    login(client, coop.staff["host"])
    response = client.post(f"/events/{coop.event.id}/contributions/new",
                           data={**FORM, "amount": "12.345", "partner": coop.host.id})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "at most two decimal places" in page
    assert 'id="amount-error-1"' in page
    assert 'aria-describedby="amount-hint amount-error-1"' in page
    assert "Грант на поездку" in page  # the input is kept
    assert _rows(coop.event) == []


def test_unknown_currency_is_refused(coop, client):
    db.session.commit()
    login(client, coop.admin)
    response = client.post(f"/events/{coop.event.id}/contributions/new",
                           data={**FORM, "currency": "XYZ", "partner": coop.host.id})
    assert response.status_code == 422
    assert _rows(coop.event) == []


def test_edit_deliver_withdraw(coop, client):
    first = make_contribution(coop.event, coop.host, amount=Decimal(100))
    second = make_contribution(coop.event, coop.host)
    db.session.commit()
    login(client, coop.staff["host"])
    base = f"/events/{coop.event.id}/contributions"
    assert client.get(f"{base}/{first.id}/edit").status_code == 200
    response = client.post(f"{base}/{first.id}/edit", data={**FORM, "currency": "RUB"})
    assert response.status_code == 302
    assert client.post(f"{base}/{first.id}/deliver").status_code == 302
    assert client.post(f"{base}/{second.id}/withdraw").status_code == 302
    assert client.post(f"{base}/{second.id}/deliver").status_code == 409
    db.session.expire_all()
    assert first.status == ContributionStatus.DELIVERED
    assert first.amount == Decimal("1250.50")
    assert second.status == ContributionStatus.WITHDRAWN
    actions = db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.event_id == coop.event.id).order_by(AuditEntry.id)).all()
    assert actions == ["contribution.update", "contribution.delivered",
                       "contribution.withdrawn"]


def test_other_partners_rows_cannot_be_changed(coop, client):
    item = make_contribution(coop.event, coop.host)
    db.session.commit()
    login(client, coop.staff["cohost"])
    base = f"/events/{coop.event.id}/contributions/{item.id}"
    assert client.get(f"{base}/edit").status_code == 403
    assert client.post(f"{base}/deliver").status_code == 403
    assert client.post(f"{base}/withdraw").status_code == 403
    db.session.expire_all()
    assert item.status == ContributionStatus.PLEDGED


def test_a_row_of_another_event_is_not_found(coop, client):
    from tests.factories import make_event

    other = make_event(lead=coop.host)
    item = make_contribution(other, coop.host)
    db.session.commit()
    login(client, coop.staff["host"])
    response = client.post(f"/events/{coop.event.id}/contributions/{item.id}/deliver")
    assert response.status_code == 404


def test_panel_groups_totals_and_buttons(coop, client):
    make_contribution(coop.event, coop.host, description="Зал", amount=Decimal("1000.00"))
    make_contribution(coop.event, coop.host, description="Кофе", amount=Decimal("500.25"))
    make_contribution(coop.event, coop.host, description="Грант", amount=Decimal("10"),
                      currency="EUR")
    make_contribution(coop.event, coop.host, description="Отозвано", amount=Decimal("99"),
                      status=ContributionStatus.WITHDRAWN)
    mine = make_contribution(coop.event, coop.cohost, description="Speakers")
    db.session.commit()
    login(client, coop.staff["cohost"])
    page = client.get(f"/events/{coop.event.id}").get_data(as_text=True)
    assert "RUB1,500.25" in page  # RUB total of the host, the withdrawn 99 left out
    assert "€10.00" in page
    assert "1 withdrawn contribution" in page
    assert "Отозвано" in page
    # Buttons only for the co-host's own row.
    assert page.count("/deliver") == 1
    assert f"/contributions/{mine.id}/deliver" in page
    assert "Add a contribution" in page


def test_panel_is_hidden_from_residents(coop, client):
    make_contribution(coop.event, coop.host, description="Секретный бюджет")
    db.session.commit()
    login(client, coop.resident)
    page = client.get(f"/events/{coop.event.id}").get_data(as_text=True)
    assert "Секретный бюджет" not in page


def test_outside_partners_read_the_shared_record_but_change_nothing(coop, client):
    """One rule for the event page and the reports: every partner's staff read every
    partner's contributions to events they may see; only the contributing partner changes them."""
    item = make_contribution(coop.event, coop.host, description="Общий бюджет")
    db.session.commit()
    login(client, coop.staff["outsider"])
    page = client.get(f"/events/{coop.event.id}").get_data(as_text=True)
    assert "Общий бюджет" in page
    assert f"/contributions/{item.id}/edit" not in page
    assert "/deliver" not in page
    edit = client.post(f"/events/{coop.event.id}/contributions/{item.id}/deliver")
    assert edit.status_code in (403, 404)
    report = client.get("/reports/events.csv").get_data(as_text=True)
    assert coop.event.title in report


def test_event_panel_queries_are_constant(coop, client, count_queries):
    db.session.commit()
    login(client, coop.staff["host"])
    url = f"/events/{coop.event.id}"

    def measure():
        db.session.expire_all()
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    make_contribution(coop.event, coop.host)
    db.session.commit()
    few = measure()
    for partner in (coop.host, coop.cohost, coop.invited):
        for _ in range(5):
            make_contribution(coop.event, partner)
    db.session.commit()
    assert measure() == few
