"""`flask seed-demo` loads a meaningful, idempotent demo."""

import sqlalchemy as sa

from events.audit.models import AuditEntry
from events.auth.models import User
from events.contributions.models import Contribution
from events.demo import DEMO_PASSWORD, seed_demo
from events.enums import Audience, EventStatus, InvolvementRole, Role
from events.extensions import db
from events.partners.models import Partner, Venue
from events.planning.models import Event, Involvement
from events.registrations.models import Registration


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_seed_demo_twice_changes_nothing_the_second_time(app, runner):
    first = runner.invoke(args=["seed-demo"])
    assert "demo data loaded" in first.output
    counts = {m: count(m) for m in (Partner, Venue, User, Event, Involvement, Contribution,
                                    Registration, AuditEntry)}
    second = runner.invoke(args=["seed-demo"])
    assert "already present" in second.output
    assert counts == {m: count(m) for m in counts}


def test_seed_demo_if_empty_skips_a_database_with_data(app, runner):
    from tests.factories import make_partner

    make_partner()
    db.session.commit()
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "not loaded" in result.output
    assert count(Event) == 0


def test_demo_covers_every_screen(app):
    assert seed_demo()
    db.session.commit()
    assert count(Partner) == 2
    assert count(Venue) >= 6
    roles = set(db.session.scalars(sa.select(User.role)))
    assert roles == set(Role)
    residents = db.session.scalars(sa.select(User).where(User.role == Role.RESIDENT)).all()
    assert len(residents) >= 12
    assert len({r.company for r in residents}) >= 12
    assert 35 <= count(Event) <= 45
    assert set(db.session.scalars(sa.select(Event.status))) == set(EventStatus)
    assert set(db.session.scalars(sa.select(Event.audience))) == set(Audience)
    assert set(db.session.scalars(sa.select(Involvement.role))) == set(InvolvementRole)
    currencies = set(db.session.scalars(sa.select(Contribution.currency)))
    assert {"RUB", "EUR"} <= currencies
    assert count(Registration) > 50
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)
                             .where(Registration.checked_in_at.is_not(None))) > 0
    admin = db.session.scalar(sa.select(User).where(User.role == Role.ADMIN))
    assert admin.check_password(DEMO_PASSWORD)


def test_demo_home_page_shows_both_partners(app, client):
    seed_demo()
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "BioPharmCluster" in page
    assert "Technopolis" in page
