"""Sessions: a per-account token in every session and remember cookie, rotated by
sign-out-everywhere, a password change and disabling; cookie and cache headers; timing."""

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest

from events.enums import Role
from events.extensions import db
from tests.conftest import login
from tests.factories import PASSWORD, make_user


def remember_cookie(response) -> str | None:
    return next((h for h in response.headers.getlist("Set-Cookie")
                 if h.startswith("remember_token=")), None)


def signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def test_get_id_carries_the_session_token(app):
    user = make_user()
    assert user.get_id() == f"{user.id}:{user.session_token}"
    assert len(user.session_token) == 64


def test_sign_out_everywhere_ends_every_session_and_remember_cookie(app, client):
    user = make_user(email="p@example.org")
    db.session.commit()
    laptop = app.test_client()
    response = laptop.post("/signin", data={"email": "p@example.org", "password": PASSWORD,
                                            "remember": "y"})
    cookie = remember_cookie(response)
    assert cookie is not None
    phone = app.test_client()
    phone.set_cookie("remember_token", cookie.split(";")[0].split("=", 1)[1])
    assert signed_in(phone)  # the cookie alone signs in
    login(client, user)
    assert client.post("/signout/everywhere").status_code == 302
    assert not signed_in(client)
    assert not signed_in(laptop)
    copy = app.test_client()
    copy.set_cookie("remember_token", cookie.split(";")[0].split("=", 1)[1])
    assert not signed_in(copy)  # a copied cookie is dead too


def test_each_sign_in_after_sign_out_everywhere_gets_a_new_cookie(app):
    make_user(email="p@example.org")
    db.session.commit()
    data = {"email": "p@example.org", "password": PASSWORD, "remember": "y"}
    first_client = app.test_client()
    first = remember_cookie(first_client.post("/signin", data=data))
    first_client.post("/signout/everywhere")
    second = remember_cookie(app.test_client().post("/signin", data=data))
    assert first.split(";")[0] != second.split(";")[0]


def test_disabling_an_account_ends_its_sessions(app, client):
    admin, staff = make_user(Role.ADMIN), make_user(Role.STAFF)
    db.session.commit()
    victim = app.test_client()
    login(victim, staff)
    assert signed_in(victim)
    login(client, admin)
    client.post(f"/accounts/{staff.id}/active", data={"active": "0"})
    client.post(f"/accounts/{staff.id}/active", data={"active": "1"})
    assert not signed_in(victim)  # enabling again does not bring the old session back


def test_an_old_style_session_without_token_is_refused(app, client):
    user = make_user()
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
    assert not signed_in(client)


@pytest.mark.parametrize("secure", [True, False])
def test_remember_cookie_follows_the_secure_switch_and_lasts_two_weeks(make_app, secure):
    app = make_app(SESSION_COOKIE_SECURE=secure)
    with app.app_context():
        make_user(email="p@example.org")
        db.session.commit()
        response = app.test_client().post("/signin", data={
            "email": "p@example.org", "password": PASSWORD, "remember": "y"})
    cookie = remember_cookie(response)
    assert ("; Secure" in cookie) is secure
    assert "HttpOnly" in cookie
    expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0])
    assert expires - datetime.now(UTC) <= timedelta(days=14, minutes=1)
    assert ("Strict-Transport-Security" in response.headers) is secure


def test_signed_in_pages_are_not_stored_by_caches(app, client):
    public = client.get("/")
    assert public.headers.get("Cache-Control") != "no-store"
    login(client, make_user())
    db.session.commit()
    for path in ("/", "/account", "/my/events"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path


def test_every_refused_sign_in_costs_one_scrypt_check(app, client, monkeypatch):
    """Disabled, unknown and wrong-password sign-ins do the same work (no timing oracle)."""
    import events.auth.models as models
    import events.auth.services as services

    make_user(email="gone@example.org", is_active=False)
    make_user(email="here@example.org")
    invited = make_user(email="invited@example.org")
    invited.set_unusable_password()
    db.session.commit()
    calls = []
    real = services.check_password_hash

    def counting(hash_, password):
        calls.append(hash_[:6])
        return real(hash_, password)

    monkeypatch.setattr(services, "check_password_hash", counting)
    monkeypatch.setattr(models, "check_password_hash", counting)
    for email, password in [("gone@example.org", PASSWORD), ("nobody@example.org", "x"),
                            ("here@example.org", "wrong"), ("invited@example.org", "x")]:
        calls.clear()
        response = client.post("/signin", data={"email": email, "password": password})
        assert response.status_code == 401
        assert calls == ["scrypt"], email
