"""A form sent twice — a double click — answers the second time as it did the first, on both
databases, with real concurrent commits: signing up, an admin creating an account or a partner,
staff creating a programme. On PostgreSQL both requests are held until both have passed their
checks and neither has written (the race a double click makes; the loser's UNIQUE violation is
retried); on SQLite the write lock (BEGIN IMMEDIATE) queues the second behind the first."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa
import sqlalchemy.orm

from events.audit.models import AuditEntry
from events.auth.models import User
from events.enums import Role
from events.extensions import db
from events.partners.models import Partner
from events.planning.models import Programme
from tests.factories import make_partner, make_user

pytestmark = pytest.mark.concurrency

PASSWORD = "a-long-enough-password"


def at_once(app, send, *, race: bool = True):
    """Run `send(client)` in two threads at once, each with its own client; their answers.

    With `race` on PostgreSQL, each request waits at its first write (flush) for the other:
    both have run their checks, neither has written — then both write and commit."""
    postgres = db.engine.dialect.name == "postgresql"
    meet, seen = threading.Barrier(2), threading.local()

    def hold(session, *_):
        if race and postgres and not getattr(seen, "held", False):
            seen.held = True
            meet.wait(20)

    sa.event.listen(sa.orm.Session, "before_flush", hold)
    db.session.close()
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            answers = list(pool.map(lambda _: send(app.test_client()), range(2)))
    finally:
        sa.event.remove(sa.orm.Session, "before_flush", hold)
    return answers


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def audits(action: str) -> int:
    return count(AuditEntry, AuditEntry.action == action)


def signed_in_user_id(client) -> str | None:
    with client.session_transaction() as session:
        return session.get("_user_id")


# ---- sign-up -------------------------------------------------------------------------------

@pytest.fixture
def site_partner_id(app):
    partner_id = make_partner().id
    db.session.commit()
    return partner_id


def sign_up(client, site_partner_id, **overrides):
    data = {"name": "Double Click", "email": "double@example.org", "company": "Twice Ltd",
            "site_partner": site_partner_id, "password": PASSWORD, "confirm": PASSWORD}
    response = client.post("/signup", data=data | overrides)
    return response, signed_in_user_id(client)


def test_double_click_on_create_account_signs_in_both(app, site_partner_id):
    answers = at_once(app, lambda client: sign_up(client, site_partner_id))
    (status_a, location_a), (status_b, location_b) = [
        (r.status_code, r.headers.get("Location")) for r, _ in answers]
    assert status_a == status_b == 302
    assert location_a == location_b == "/account"
    user = db.session.scalar(sa.select(User).where(User.email == "double@example.org"))
    assert [uid for _, uid in answers] == [user.get_id(), user.get_id()]
    assert count(User, User.email == "double@example.org") == 1
    assert audits("user.create") == 1


def test_second_submit_after_the_first_committed_answers_alike(app, client, site_partner_id):
    first, first_user = sign_up(app.test_client(), site_partner_id)
    second, second_user = sign_up(client, site_partner_id)
    assert first.status_code == second.status_code == 302
    assert first_user == second_user is not None


def test_same_address_later_or_with_another_password_is_a_conflict(app, site_partner_id,
                                                                     monkeypatch):
    sign_up(app.test_client(), site_partner_id)
    other, user = sign_up(app.test_client(), site_partner_id, password="another-password-1",
                          confirm="another-password-1")
    assert other.status_code == 409
    assert user is None
    monkeypatch.setattr("events.db.DOUBLE_SUBMIT_WINDOW", timedelta(0))  # minutes later
    later, user = sign_up(app.test_client(), site_partner_id)
    assert later.status_code == 409
    assert "already exists" in later.get_data(as_text=True)
    assert user is None


# ---- what admins and staff create ------------------------------------------------------------

@pytest.fixture
def admin_id(app):
    admin_id = make_user(role=Role.ADMIN).id
    db.session.commit()
    return admin_id


def as_person(user_id):
    session_id = db.session.get(User, user_id).get_id()

    def signed_in(client):  # the session a sign-in leaves (no database needed in the thread)
        with client.session_transaction() as session:
            session["_user_id"] = session_id
            session["_fresh"] = True
        return client
    return signed_in


def test_double_submit_of_a_new_account_by_an_admin(app, admin_id, site_partner_id):
    sign_in = as_person(admin_id)

    def create(client):
        sign_in(client)
        return client.post("/accounts", data={
            "name": "New Coordinator", "email": "new.coordinator@example.org",
            "role": "coordinator", "partner": site_partner_id, "password": PASSWORD})

    answers = at_once(app, create)
    assert [r.status_code for r in answers] == [302, 302]
    assert {r.headers["Location"] for r in answers} == {"/accounts"}
    assert count(User, User.email == "new.coordinator@example.org") == 1
    assert audits("user.create") == 1


def test_double_submit_of_a_new_partner(app, admin_id):
    sign_in = as_person(admin_id)

    def create(client):
        sign_in(client)
        return client.post("/partners/new", data={
            "name": "Third Partner", "short_name": "Third", "slug": "third-partner",
            "color": "#224466", "description": "", "website": ""})

    answers = at_once(app, create)
    assert [r.status_code for r in answers] == [302, 302]
    assert {r.headers["Location"] for r in answers} == {"/partners/third-partner"}
    assert count(Partner, Partner.slug == "third-partner") == 1
    assert audits("partner.create") == 1


def test_a_different_partner_on_a_taken_address_is_still_refused(app, admin_id):
    client = as_person(admin_id)(app.test_client())
    values = {"name": "Third Partner", "short_name": "Third", "slug": "third-partner",
              "color": "#224466", "description": "", "website": ""}
    assert client.post("/partners/new", data=values).status_code == 302
    other = client.post("/partners/new", data=values | {"name": "Someone else"})
    assert other.status_code == 409
    assert "Another partner uses this address" in other.get_data(as_text=True)


def test_double_submit_of_a_new_programme(app, site_partner_id):
    staff_id = make_user(role=Role.STAFF, partner=db.session.get(Partner, site_partner_id)).id
    db.session.commit()
    sign_in = as_person(staff_id)

    def create(client):
        sign_in(client)
        return client.post("/programmes/new", data={
            "title_en": "Joint programme 2027", "slug": "", "description_en": "Agreed in May."})

    answers = at_once(app, create)
    assert [r.status_code for r in answers] == [302, 302]
    assert len({r.headers["Location"] for r in answers}) == 1
    assert count(Programme, Programme.title == "Joint programme 2027") == 1
    assert audits("programme.create") == 1
