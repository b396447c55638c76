"""The password lifecycle: strength, change, forgot/reset by mail, invitations for staff."""

import pytest
import sqlalchemy as sa

from events.audit.models import AuditEntry
from events.auth.models import User
from events.auth.passwords import check_password_strength
from events.enums import Role
from events.errors import ValidationFailed
from events.extensions import db
from tests.conftest import login
from tests.factories import PASSWORD, make_partner, make_user

STRONG = "plum-violin-harbour"


def link_in(message, marker: str) -> str:
    path = next(word for word in message.body.split() if marker in word)
    return path.split("localhost", 1)[1]


@pytest.mark.parametrize("weak", ["1234567890", "password123", "qwertyuiop", "aaaaaaaaaaaa"])
def test_weak_passwords_are_refused(app, weak):
    with pytest.raises(ValidationFailed) as refused:
        check_password_strength(weak)
    assert refused.value.field == "password"
    assert "too easy to guess" in refused.value.message


def test_a_password_made_of_the_persons_own_name_is_weak(app):
    with pytest.raises(ValidationFailed):
        check_password_strength("mariaivanova", user_inputs=("maria@genotek.example",
                                                             "Maria Ivanova"))


def test_signup_explains_a_weak_password_in_english_and_russian(app, client):
    site = make_partner()
    db.session.commit()
    data = {"name": "Vera", "email": "vera@example.org", "company": "C",
            "site_partner": str(site.id), "password": "1234567890", "confirm": "1234567890"}
    english = client.post("/signup", data=data)
    assert english.status_code == 422
    assert "This password is too easy to guess." in english.get_data(as_text=True)
    russian = client.post("/signup", data=data, headers={"Accept-Language": "ru"})
    assert "Этот пароль слишком легко угадать." in russian.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_change_password_needs_the_current_one_and_signs_out_other_devices(app, client):
    user = make_user()
    db.session.commit()
    other = app.test_client()
    login(client, user)
    login(other, user)
    wrong = client.post("/account/password", data={
        "current": "not-it", "password": STRONG, "confirm": STRONG})
    assert wrong.status_code == 422
    response = client.post("/account/password", data={
        "current": PASSWORD, "password": STRONG, "confirm": STRONG})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.check_password(STRONG)
    assert client.get("/account").status_code == 200  # this device stays signed in
    assert other.get("/account").status_code == 302  # the other one is signed out


def test_forgot_password_answers_the_same_for_unknown_addresses(app, client, outbox):
    make_user(email="known@example.org")
    db.session.commit()
    pages = []
    for address in ("known@example.org", "nobody@example.org"):
        visitor = app.test_client()
        response = visitor.post("/password/forgot", data={"email": address})
        assert response.status_code == 302
        pages.append(visitor.get(response.headers["Location"]).get_data(as_text=True))
    assert pages[0] == pages[1]
    assert "on its way" in pages[0]
    assert [m.recipients for m in outbox] == [["known@example.org"]]


def test_reset_link_works_once(app, client, outbox):
    user = make_user(email="known@example.org")
    db.session.commit()
    client.post("/password/forgot", data={"email": "KNOWN@example.org"})
    link = link_in(outbox[0], "/password/reset/")
    assert client.get(link).status_code == 200
    done = client.post(link, data={"password": STRONG, "confirm": STRONG})
    assert done.status_code == 302
    db.session.refresh(user)
    assert user.check_password(STRONG)
    again = app.test_client().post(link, data={"password": "other-" + STRONG,
                                               "confirm": "other-" + STRONG})
    assert again.status_code == 404
    assert "not valid" in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "user.reset_password"))


def test_reset_link_expires(make_app, outbox):
    app = make_app(PASSWORD_RESET_MAX_AGE=-1)
    with app.app_context():
        make_user(email="known@example.org")
        db.session.commit()
        client = app.test_client()
        from events.extensions import mail

        with mail.record_messages() as sent:
            client.post("/password/forgot", data={"email": "known@example.org"})
        response = client.get(link_in(sent[0], "/password/reset/"))
        assert response.status_code == 404
        assert "expired" in response.get_data(as_text=True)


def test_forged_reset_link_is_refused(app, client):
    assert client.get("/password/reset/not-a-token").status_code == 404


def test_reset_refuses_a_weak_password(app, client, outbox):
    make_user(email="known@example.org")
    db.session.commit()
    client.post("/password/forgot", data={"email": "known@example.org"})
    link = link_in(outbox[0], "/password/reset/")
    response = client.post(link, data={"password": "1234567890", "confirm": "1234567890"})
    assert response.status_code == 422
    assert "too easy to guess" in response.get_data(as_text=True)


def test_invited_staff_choose_their_own_password(app, client, outbox):
    partner = make_partner()
    coordinator = make_user(Role.COORDINATOR, partner)
    db.session.commit()
    login(client, coordinator)
    client.post("/accounts", data={"name": "New Staff", "email": "new@example.org",
                                   "role": "staff", "partner": str(partner.id)})
    user = db.session.scalar(sa.select(User).where(User.email == "new@example.org"))
    assert app.test_client().post("/signin", data={
        "email": "new@example.org", "password": ""}).status_code in (400, 401)
    link = link_in(outbox[0], "/invitation/")
    person = app.test_client()
    page = person.get(link).get_data(as_text=True)
    assert "new@example.org" in page
    assert person.post(link, data={"password": STRONG, "confirm": STRONG}).status_code == 302
    db.session.refresh(user)
    assert user.check_password(STRONG)
    assert user.is_verified
    assert person.get("/account").status_code == 200
    assert app.test_client().get(link).status_code == 404  # used
