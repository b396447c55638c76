"""Only deliverable addresses get in (sign-up, account forms, the CLI, imports; checked by
email-validator's syntax rules, no DNS), and addresses stored before are reported, not fatal."""

import io
import re

import pytest
import sqlalchemy as sa

from events.auth.models import User
from events.db import utcnow
from events.enums import Role
from events.extensions import db
from events.residents.models import ResidentCompany
from tests.conftest import login
from tests.factories import make_partner, make_user

UNDELIVERABLE = ["maria@genotek", "maria@host.local", "maria@@genotek.example",
                 "maria genotek@example.org", "maria@localhost", "maria@genotek..example"]


def users_named(name: str) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User).where(
        User.name == name))


def field_error(page: str) -> str:
    """The message shown beside the email field."""
    found = re.search(r'id="email-error(?:-\d+)?"[^>]*>(?:<span[^>]*>[^<]*</span>)?\s*([^<]*)<',
                      page)
    assert found, "no message beside the email field"
    return found.group(1)


@pytest.mark.parametrize("address", UNDELIVERABLE)
def test_signup_refuses_undeliverable_addresses_beside_the_field(app, client, address, outbox):
    site = make_partner()
    db.session.commit()
    response = client.post("/signup", data={
        "name": "Maria", "email": address, "company": "Genotek", "site_partner": str(site.id),
        "password": "plum-violin-harbour", "confirm": "plum-violin-harbour"})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True)).startswith(
        "Enter a valid email address")
    assert users_named("Maria") == 0
    assert not outbox


def test_signup_message_is_russian_for_a_russian_reader(app, client):
    site = make_partner()
    db.session.commit()
    client.post("/language", data={"language": "ru"})
    response = client.post("/signup", data={
        "name": "Maria", "email": "maria@host.local", "company": "Genotek",
        "site_partner": str(site.id), "password": "plum-violin-harbour",
        "confirm": "plum-violin-harbour"})
    assert response.status_code == 422
    assert "адрес" in field_error(response.get_data(as_text=True)).lower()


def test_signup_stores_the_address_in_lower_case(app, client):
    site = make_partner()
    db.session.commit()
    client.post("/signup", data={
        "name": "Maria", "email": "Maria@Genotek.Example", "company": "Genotek",
        "site_partner": str(site.id), "password": "plum-violin-harbour",
        "confirm": "plum-violin-harbour"})
    user = db.session.scalar(sa.select(User).where(User.name == "Maria"))
    assert user.email == "maria@genotek.example"


@pytest.mark.parametrize("address", ["staff@partner", "staff@intranet.local", "staff at x.org"])
def test_account_form_refuses_undeliverable_addresses(app, client, address, outbox):
    admin = make_user(Role.ADMIN)
    partner = make_partner()
    login(client, admin)
    db.session.commit()
    response = client.post("/accounts", data={
        "name": "Fresh Staff", "email": address, "role": "staff", "partner": str(partner.id)})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True)).startswith(
        "Enter a valid email address")
    assert users_named("Fresh Staff") == 0
    assert not outbox


def test_cli_create_user_refuses_an_undeliverable_address(app, runner):
    result = runner.invoke(args=["create-user", "--email", "root@server.local", "--name", "Root",
                                 "--role", "admin", "--password", "a-long-password"])
    assert result.exit_code != 0
    assert "Enter a valid email address" in result.output
    assert users_named("Root") == 0


def test_company_import_refuses_undeliverable_domains_row_by_row(app, client):
    site = make_partner()
    login(client, make_user(Role.STAFF, site))
    db.session.commit()
    data = (b"company;domains\n"
            b"Genotek;genotek.example\n"
            b"Intranet;intranet\n"
            b"Local;acme.local\n"
            b"Spaces;bio matrix.example\n"
            b"Mixed;mixed.example mixed.local\n")
    response = client.post("/residents/companies/import", data={
        "file": (io.BytesIO(data), "companies.csv")}, content_type="multipart/form-data")
    assert response.status_code == 303
    names = set(db.session.scalars(sa.select(ResidentCompany.name)))
    assert names == {"Genotek"}
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    for row in (3, 4, 5, 6):
        assert f"Row {row}" in page
    assert "“intranet” is not a domain" in page
    assert "“acme.local” is not a domain" in page


@pytest.fixture
def stored_badly(app):
    """Accounts written before the address rules (straight into the table)."""
    good = make_user(Role.STAFF, make_partner(), name="Good Staff")
    bad = [make_user(email="ivan@intranet", name="Ivan"),
           make_user(Role.STAFF, good.partner, email="olga@partner.local", name="Olga")]
    make_user(email="gone@gone", name="Gone", deleted_at=utcnow())
    db.session.commit()
    return good, bad


def test_check_addresses_lists_accounts_that_cannot_receive_mail(app, runner, stored_badly):
    good, _bad = stored_badly
    result = runner.invoke(args=["check-addresses"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[-1] == "2 account(s) with an address that cannot receive mail"
    listed = [line.split("\t")[1] for line in lines[:-1]]
    assert listed == ["ivan@intranet", "olga@partner.local"]
    assert good.email not in result.output
    assert "gone@gone" not in result.output  # deleted accounts are not people to mail


def test_check_addresses_with_nothing_wrong(app, runner):
    make_user()
    db.session.commit()
    result = runner.invoke(args=["check-addresses"])
    assert result.exit_code == 0
    assert result.output.strip() == "0 account(s) with an address that cannot receive mail"


def test_accounts_page_warns_beside_undeliverable_addresses(app, client, stored_badly):
    good, bad = stored_badly
    login(client, make_user(Role.ADMIN))
    db.session.commit()
    response = client.get("/accounts")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    warning = "Mail cannot reach this address"
    assert page.count(warning) == 2
    for user in bad:
        row = page.split(user.email, 1)[1].split("</td>", 1)[0]
        assert warning in row
    assert warning not in page.split(good.email, 1)[1].split("</td>", 1)[0]
