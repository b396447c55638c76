"""Admins manage partners and venues; nobody else can; everything is audited."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from events.audit.models import AuditEntry
from events.enums import Role
from events.errors import Conflict, NotAllowed, ValidationFailed
from events.extensions import db
from events.partners.models import Partner, Venue
from events.partners.services import create_partner, create_venue, update_partner, update_venue
from tests.conftest import login
from tests.factories import make_partner, make_user, make_venue

PARTNER = {"slug": "third-partner", "name": "Third Partner", "short_name": "Third",
           "description": "", "website": "https://third.example", "color": "#AA3300"}


@pytest.fixture
def admin(app):
    return make_user(Role.ADMIN)


def test_admin_adds_a_third_partner(admin):
    partner = create_partner(admin, **PARTNER)
    assert partner.color == "#aa3300"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "partner.create"))
    assert entry.subject_id == partner.id


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.STAFF, Role.RESIDENT])
def test_only_admins_manage_partners(app, role):
    with pytest.raises(NotAllowed):
        create_partner(make_user(role), **PARTNER)


@pytest.mark.parametrize(("field", "value"), [
    ("slug", "Has Spaces"), ("slug", "new"), ("color", "red"), ("website", "ftp://x"),
])
def test_partner_validation(admin, field, value):
    with pytest.raises(ValidationFailed) as info:
        create_partner(admin, **(PARTNER | {field: value}))
    assert info.value.field == field


def test_partner_slug_taken(admin):
    make_partner(slug="taken")
    with pytest.raises(Conflict):
        create_partner(admin, **(PARTNER | {"slug": "taken"}))


def test_update_partner_records_before_and_after(admin):
    partner = create_partner(admin, **PARTNER)
    changes = update_partner(admin, partner, **(PARTNER | {"short_name": "3rd"}))
    assert changes == {"short_name": ["Third", "3rd"]}


def test_venue_rules(admin):
    partner = make_partner()
    venue = create_venue(admin, partner, name="Hall", building="", site="Main", address="",
                         capacity=100, accessibility="", latitude=Decimal("55.7"),
                         longitude=Decimal("37.6"), is_active=True)
    assert venue.latitude == pytest.approx(55.7)
    with pytest.raises(ValidationFailed):
        update_venue(admin, venue, latitude=Decimal("55.7"), longitude=None)
    with pytest.raises(ValidationFailed):
        update_venue(admin, venue, latitude=Decimal("95"), longitude=Decimal("1"))
    assert update_venue(admin, venue, is_active=False) == {"is_active": [True, False]}


def test_admin_pages_work(app, client, admin):
    partner = make_partner(slug="tp")
    venue = make_venue(partner)
    db.session.commit()
    login(client, admin)
    assert client.get("/partners/new").status_code == 200
    created = client.post("/partners/new", data=PARTNER)
    assert created.status_code == 302
    assert db.session.scalar(sa.select(Partner).where(Partner.slug == "third-partner"))
    bad = client.post("/partners/new", data=PARTNER | {"slug": "tp"})
    assert bad.status_code == 409
    assert "Another partner uses this address" in bad.get_data(as_text=True)
    edit = client.post(f"/partners/tp/venues/{venue.id}/edit", data={
        "name": "Renamed", "site": "Main", "capacity": "40", "is_active": "y"})
    assert edit.status_code == 302
    db.session.refresh(venue)
    assert venue.name == "Renamed"
    assert venue.capacity == 40
    new_room = client.post("/partners/tp/venues/new", data={"name": "Lab", "site": "Main"})
    assert new_room.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Venue)) == 2


def test_venue_of_another_partner_is_404(app, client, admin):
    make_partner(slug="one")
    venue = make_venue(make_partner(slug="two"))
    db.session.commit()
    login(client, admin)
    assert client.get(f"/partners/one/venues/{venue.id}/edit").status_code == 404


def test_coordinators_cannot_open_partner_management(app, client):
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()
    login(client, coordinator)
    assert client.get("/partners/new").status_code == 403
    assert client.get(f"/partners/{coordinator.partner.slug}/edit").status_code == 403
