"""Sign-up, sign-in and sign-out through the real forms."""

import sqlalchemy as sa

from events.audit.models import AuditEntry
from events.auth.models import User
from events.enums import Role
from events.extensions import db
from tests.conftest import login
from tests.factories import PASSWORD, make_partner, make_user


def signup_data(site_id, **overrides):
    data = {"name": "Vera Resident", "email": "Vera@Example.org", "company": "Genotek",
            "site_partner": str(site_id), "password": "long-enough-pw", "confirm": "long-enough-pw"}
    return data | overrides


def test_signup_creates_a_resident_and_signs_in(app, client):
    site = make_partner()
    db.session.commit()
    response = client.post("/signup", data=signup_data(site.id))
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "vera@example.org"))
    assert user.role == Role.RESIDENT
    assert user.company == "Genotek"
    assert user.site_partner_id == site.id
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password("long-enough-pw")
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.create"))
    assert "Vera Resident" in client.get("/").get_data(as_text=True)


def test_signup_refuses_a_taken_email_in_any_case(app, client):
    site = make_partner()
    make_user(email="vera@example.org")
    db.session.commit()
    response = client.post("/signup", data=signup_data(site.id, email="VERA@example.org"))
    assert response.status_code == 409
    assert "already exists" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_signup_refuses_short_and_mismatched_passwords(app, client):
    site = make_partner()
    db.session.commit()
    short = client.post("/signup", data=signup_data(site.id, password="short", confirm="short"))
    assert short.status_code == 400
    assert "Use between 10 and 200 characters" in short.get_data(as_text=True)
    differ = client.post("/signup", data=signup_data(site.id, confirm="something-else"))
    assert differ.status_code == 400
    assert "Passwords differ" in differ.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_signup_refuses_an_unknown_site(app, client):
    make_partner()
    db.session.commit()
    response = client.post("/signup", data=signup_data(99999))
    assert response.status_code == 400


def test_signin_with_the_right_password(app, client):
    user = make_user(email="pavel@example.org")
    db.session.commit()
    response = client.post("/signin?next=/calendar",
                           data={"email": "PAVEL@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/calendar"
    db.session.refresh(user)
    assert user.last_login_at is not None
    assert user.name in client.get("/").get_data(as_text=True)


def test_signin_with_a_wrong_password_says_so(app, client):
    make_user(email="pavel@example.org")
    db.session.commit()
    response = client.post("/signin", data={"email": "pavel@example.org", "password": "nope"})
    assert response.status_code == 401
    assert "Wrong email or password" in response.get_data(as_text=True)
    unknown = client.post("/signin", data={"email": "who@example.org", "password": "nope"})
    assert unknown.status_code == 401


def test_signin_refuses_foreign_next(app, client):
    make_user(email="pavel@example.org")
    db.session.commit()
    response = client.post("/signin?next=https://evil.example/",
                           data={"email": "pavel@example.org", "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_inactive_accounts_cannot_sign_in(app, client):
    make_user(email="gone@example.org", is_active=False)
    db.session.commit()
    response = client.post("/signin", data={"email": "gone@example.org", "password": PASSWORD})
    assert response.status_code == 401


def test_signout(app, client):
    user = make_user()
    db.session.commit()
    login(client, user)
    assert user.name in client.get("/").get_data(as_text=True)
    response = client.post("/signout")
    assert response.status_code == 302
    assert user.name not in client.get("/").get_data(as_text=True)


def test_signout_is_post_only(client):
    assert client.get("/signout").status_code == 405


def test_pages_for_signed_in_people_send_visitors_to_sign_in(client):
    response = client.get("/my/events")
    assert response.status_code == 302
    assert "/signin?next=" in response.headers["Location"]


def test_staff_area_refuses_residents(app, client):
    login(client, make_user())
    db.session.commit()
    assert client.get("/staff").status_code == 403


def test_signin_is_rate_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True, SIGNIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    codes = [client.post("/signin", data={"email": "a@b.c", "password": "x"}).status_code
             for _ in range(4)]
    assert codes[:3] == [401, 401, 401]
    assert codes[3] == 429
