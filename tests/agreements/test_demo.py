"""The demo shows plan against fact and a balance by value at once."""

import sqlalchemy as sa

from events.agreements.demo import seed_agreements
from events.agreements.models import Agreement, ExchangeRate, RateCard, Target
from events.auth.models import User
from events.db import utcnow
from events.demo import seed_demo
from events.extensions import db
from events.planning.models import Programme
from tests.conftest import login


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_demo_has_the_memorandum_an_additional_agreement_targets_and_rates(app, client):
    assert seed_demo()
    db.session.commit()
    agreements = db.session.scalars(sa.select(Agreement).order_by(Agreement.id)).all()
    assert len(agreements) == 2
    assert agreements[0].covers_all_joint_events
    assert not agreements[1].covers_all_joint_events
    programme = db.session.scalars(sa.select(Programme)).first()
    assert programme.agreement_id == agreements[1].id
    assert programme.partners
    assert count(Target) >= 6
    assert count(RateCard) >= 2
    assert count(ExchangeRate) > 100
    assert not seed_agreements(utcnow())  # once only
    coordinator = db.session.scalar(sa.select(User).where(
        User.email == "coordinator@northern.example"))
    login(client, coordinator)
    page = client.get("/reports").get_data(as_text=True)
    assert "The balance by value" in page
    assert "Quantity × rate card" in page
    assert "Plan against fact" in page
    assert client.get(f"/agreements/{agreements[1].id}").status_code == 200
