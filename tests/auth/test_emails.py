"""Address rules: stored normalised; look-alike and full-width forms are the same account."""

import pytest
import sqlalchemy as sa

from events.auth.emails import email_key, normalise_email
from events.auth.models import User
from events.errors import ValidationFailed
from events.extensions import db
from tests.factories import PASSWORD, make_partner, make_user


def signup(client, site, email):
    return client.post("/signup", data={
        "name": "Maria", "email": email, "company": "Genotek", "site_partner": str(site.id),
        "password": "plum-violin-harbour", "confirm": "plum-violin-harbour"})


@pytest.mark.parametrize(("raw", "stored"), [
    ("Vera@Example.org", "vera@example.org"),
    ("  maria@genotek.example ", "maria@genotek.example"),
    ("ｍａｒｉａ＠ｇｅｎｏｔｅｋ．ｅｘａｍｐｌｅ", "maria@genotek.example"),  # full-width forms
    ("x@ПРИМЕР.рф", "x@пример.рф"),
])
def test_addresses_are_stored_normalised(raw, stored, app):
    assert normalise_email(raw) == stored


@pytest.mark.parametrize("raw", ["", "no-at-sign", "a@@b.org", "a@b", "me@host.local",
                                 "x" * 300 + "@example.org"])
def test_bad_addresses_are_refused_with_a_reason(raw, app):
    with pytest.raises(ValidationFailed) as refused:
        normalise_email(raw)
    assert refused.value.field == "email"


def test_look_alikes_share_one_key():
    latin = email_key("maria@genotek.example")
    assert email_key("mаria@genotek.example") == latin  # Cyrillic а
    assert email_key("MARIA@GENОTEK.EXAMPLE") == latin  # Cyrillic О, capitals
    assert email_key("ｍａｒｉａ@genotek.example") == latin
    assert email_key("marla@genotek.example") != latin


@pytest.mark.parametrize("second", [
    "mаria@genotek.example",  # Cyrillic а in the local part
    "maria@gеnotek.example",  # Cyrillic е in the domain
    "ｍａｒｉａ＠ｇｅｎｏｔｅｋ．ｅｘａｍｐｌｅ",
    "MARIA@genotek.example",
])
def test_a_look_alike_address_cannot_open_a_second_account(app, client, second):
    site = make_partner()
    make_user(email="maria@genotek.example")
    db.session.commit()
    response = signup(client, site, second)
    assert response.status_code == 409
    assert "already exists" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_signin_accepts_the_full_width_form_of_the_address(app, client):
    make_user(email="maria@genotek.example")
    db.session.commit()
    response = client.post("/signin", data={"email": "ｍａｒｉａ＠ｇｅｎｏｔｅｋ．ｅｘａｍｐｌｅ",
                                            "password": PASSWORD})
    assert response.status_code == 302


def test_the_database_refuses_a_second_account_with_the_same_key(app):
    make_user(email="maria@genotek.example")
    with pytest.raises(sa.exc.IntegrityError):
        make_user(email="mаria@genotek.example")
    db.session.rollback()
