"""Verified residents: sign-up → verify → resident by domain or by the partner's staff; guests
see and register for public events only."""

import sqlalchemy as sa

from events.auth.models import User
from events.enums import Audience, Residency, Role
from events.extensions import db
from events.residents.services import save_company
from tests.conftest import login
from tests.factories import make_event, make_partner, make_user

STRONG = "plum-violin-harbour"


def sign_up(client, site, email="vera@genotek.example"):
    return client.post("/signup", data={
        "name": "Vera", "email": email, "company": "Genotek", "site_partner": str(site.id),
        "password": STRONG, "confirm": STRONG})


def link_in(message) -> str:
    return next(w for w in message.body.split() if "/verify/" in w).split("localhost", 1)[1]


def person(email="vera@genotek.example") -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_sign_up_mails_a_verification_link_and_starts_as_a_guest(app, client, outbox):
    site = make_partner()
    event = make_event(site, audience=Audience.RESIDENTS)
    public = make_event(site)
    db.session.commit()
    assert sign_up(client, site).status_code == 302
    user = person()
    assert not user.is_verified
    assert user.residency == Residency.PENDING
    assert [m.recipients for m in outbox] == [["vera@genotek.example"]]
    # A guest: the residents-only event does not exist for them; public ones do.
    assert client.get(f"/events/{event.id}").status_code == 404
    assert client.post(f"/events/{event.id}/register").status_code == 404
    assert event.title not in client.get("/").get_data(as_text=True)
    assert client.post(f"/events/{public.id}/register").status_code in (302, 303)


def test_opening_the_link_asks_first_and_the_button_verifies(app, client, outbox):
    site = make_partner()
    db.session.commit()
    sign_up(client, site)
    link = link_in(outbox[0])
    visitor = app.test_client()
    assert visitor.get(link).status_code == 200
    db.session.expire_all()
    assert not person().is_verified  # GET writes nothing (mail scanners open links)
    assert visitor.post(link).status_code == 302
    db.session.expire_all()
    assert person().is_verified
    assert person().residency == Residency.PENDING  # no listed domain: waits for staff


def test_a_listed_domain_makes_a_resident_at_once(app, client, outbox):
    site = make_partner()
    admin = make_user(Role.ADMIN)
    save_company(admin, site, "Genotek", ["genotek.example"])
    event = make_event(site, audience=Audience.RESIDENTS)
    db.session.commit()
    sign_up(client, site)
    client.post(link_in(outbox[0]))
    db.session.expire_all()
    user = person()
    assert user.is_confirmed_resident
    assert user.resident_company.name == "Genotek"
    assert client.get(f"/events/{event.id}").status_code == 200
    assert client.post(f"/events/{event.id}/register").status_code in (302, 303)


def test_the_domain_decides_the_partner_not_the_choice_on_the_form(app, client, outbox):
    ours, theirs = make_partner(), make_partner()
    save_company(make_user(Role.ADMIN), theirs, "Genotek", ["genotek.example"])
    db.session.commit()
    sign_up(client, ours)
    client.post(link_in(outbox[0]))
    db.session.expire_all()
    assert person().site_partner_id == theirs.id


def test_resend_sends_a_fresh_link_until_verified(app, client, outbox):
    site = make_partner()
    db.session.commit()
    sign_up(client, site)
    assert client.post("/verify/resend").status_code == 302
    assert len(outbox) == 2
    client.post(link_in(outbox[1]))
    client.post("/verify/resend")
    assert len(outbox) == 2


def test_a_forged_or_foreign_link_verifies_nothing(app, client):
    user = make_user(email_verified_at=None)
    db.session.commit()
    assert client.post("/verify/forged-token").status_code == 404
    assert client.get(f"/verify/{user.id}").status_code == 404
    db.session.refresh(user)
    assert not user.is_verified


def test_staff_confirm_a_waiting_person_who_is_then_told(app, client, outbox):
    site = make_partner()
    staff = make_user(Role.STAFF, site)
    guest = make_user(site_partner=site, residency=Residency.PENDING, email="g@example.org")
    event = make_event(site, audience=Audience.RESIDENTS)
    db.session.commit()
    login(client, staff)
    page = client.get("/residents").get_data(as_text=True)
    assert "g@example.org" in page
    assert client.post(f"/residents/people/{guest.id}/confirm").status_code == 303
    db.session.refresh(guest)
    assert guest.is_confirmed_resident
    assert outbox[-1].recipients == ["g@example.org"]
    assert "confirmed you as a resident" in outbox[-1].body
    resident = app.test_client()
    login(resident, guest)
    assert resident.get(f"/events/{event.id}").status_code == 200


def test_staff_refuse_and_the_person_stays_a_guest(app, client, outbox):
    site = make_partner()
    guest = make_user(site_partner=site, residency=Residency.PENDING)
    db.session.commit()
    login(client, make_user(Role.STAFF, site))
    client.post(f"/residents/people/{guest.id}/refuse")
    db.session.refresh(guest)
    assert guest.residency == Residency.REFUSED
    assert guest.is_guest
    assert "could not confirm" in outbox[-1].body


def test_another_partners_staff_cannot_decide(app, client):
    site, other = make_partner(), make_partner()
    guest = make_user(site_partner=site, residency=Residency.PENDING)
    db.session.commit()
    login(client, make_user(Role.STAFF, other))
    assert client.post(f"/residents/people/{guest.id}/confirm").status_code == 404
    assert guest.email not in client.get("/residents").get_data(as_text=True)
    db.session.refresh(guest)
    assert guest.residency == Residency.PENDING


def test_unverified_people_wait_outside_the_queue(app, client):
    site = make_partner()
    make_user(site_partner=site, residency=Residency.PENDING, email_verified_at=None,
              email="u@example.org")
    db.session.commit()
    login(client, make_user(Role.STAFF, site))
    page = client.get("/residents").get_data(as_text=True)
    assert "u@example.org" not in page
    assert "1 more has not confirmed" in page


def test_accounts_and_attendee_lists_say_who_is_what(app, client):
    from tests.factories import make_registration

    site = make_partner()
    coordinator = make_user(Role.COORDINATOR, site)
    event = make_event(site)
    resident = make_user(site_partner=site, name="Rita Resident")
    guest = make_user(site_partner=site, residency=Residency.PENDING, name="Gleb Guest")
    unverified = make_user(site_partner=site, email_verified_at=None, name="Uma Unverified")
    for user in (resident, guest, unverified):
        make_registration(event, user)
    db.session.commit()
    login(client, coordinator)
    for page in (client.get("/accounts").get_data(as_text=True),
                 client.get(f"/events/{event.id}/attendees").get_data(as_text=True)):
        assert f"Resident of {site.short_name}" in page
        assert f"Guest, waiting for {site.short_name}" in page
        assert "Guest, email not confirmed" in page


def test_a_new_domain_confirms_people_already_waiting(app):
    site = make_partner()
    guest = make_user(site_partner=site, residency=Residency.PENDING,
                      email="late@newco.example")
    save_company(make_user(Role.STAFF, site), site, "NewCo", ["newco.example"])
    assert guest.is_confirmed_resident
