"""Resident companies: staff keep their partner's list with e-mail domains; CSV import."""

import io

import pytest
import sqlalchemy as sa

from events.enums import Role
from events.errors import Conflict, NotAllowed
from events.extensions import db
from events.residents.models import CompanyDomain, ResidentCompany
from events.residents.services import import_companies_csv, save_company
from tests.conftest import login
from tests.factories import make_partner, make_user


@pytest.fixture
def site(app):
    return make_partner()


def companies() -> dict[str, list[str]]:
    rows = db.session.scalars(sa.select(ResidentCompany))
    return {c.name: sorted(c.domain_names) for c in rows}


def test_staff_add_edit_and_remove_a_company(app, client, site):
    login(client, make_user(Role.STAFF, site))
    db.session.commit()
    response = client.post("/residents/companies", data={
        "name": "Genotek\nLabs", "domains": "Genotek.example, @genotek.ru", "partner": ""})
    assert response.status_code == 303
    assert companies() == {"Genotek Labs": ["genotek.example", "genotek.ru"]}
    company = db.session.scalar(sa.select(ResidentCompany))
    assert "genotek.ru" in client.get("/residents").get_data(as_text=True)
    client.post(f"/residents/companies/{company.id}", data={
        "name": "Genotek", "domains": "genotek.example"})
    db.session.expire_all()
    assert companies() == {"Genotek": ["genotek.example"]}
    client.post(f"/residents/companies/{company.id}/delete")
    db.session.expire_all()
    assert companies() == {}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CompanyDomain)) == 0


def test_a_domain_belongs_to_one_company_of_one_partner(app, site):
    other = make_partner()
    save_company(make_user(Role.STAFF, site), site, "Genotek", ["genotek.example"])
    with pytest.raises(Conflict):
        save_company(make_user(Role.STAFF, other), other, "Copycat", ["genotek.example"])


def test_staff_of_another_partner_may_not_change_the_list(app, client, site):
    other = make_partner()
    company = save_company(make_user(Role.STAFF, site), site, "Genotek", ["genotek.example"])
    with pytest.raises(NotAllowed):
        save_company(make_user(Role.STAFF, other), site, "Mine", ["mine.example"])
    db.session.commit()
    login(client, make_user(Role.STAFF, other))
    db.session.commit()
    assert client.get(f"/residents/companies/{company.id}").status_code == 404
    assert client.post(f"/residents/companies/{company.id}/delete").status_code == 404
    # The partner field cannot point a staff member at another partner's list.
    client.post("/residents/companies", data={"name": "X", "domains": "x.example",
                                              "partner": str(site.id)})
    assert db.session.scalar(sa.select(ResidentCompany).where(
        ResidentCompany.name == "X")).partner_id == other.id


def test_a_bad_domain_is_refused_beside_the_field(app, client, site):
    login(client, make_user(Role.STAFF, site))
    db.session.commit()
    response = client.post("/residents/companies", data={"name": "X", "domains": "not a@domain"})
    assert response.status_code == 422
    assert "is not a domain" in response.get_data(as_text=True)


def test_csv_import_saves_good_rows_and_reports_bad_ones(app, client, site):
    elsewhere = make_partner()
    save_company(make_user(Role.STAFF, elsewhere), elsewhere, "Taken", ["taken.example"])
    login(client, make_user(Role.STAFF, site))
    db.session.commit()
    data = (b"company;domains\n"
            b"Genotek Labs;genotek.example genotek.ru\n"
            b"BioMatrix;biomatrix.example;biomatrix.ru\n"
            b"Nobody;\n"
            b"Thief;taken.example\n")
    response = client.post("/residents/companies/import", data={
        "file": (io.BytesIO(data), "companies.csv")}, content_type="multipart/form-data")
    assert response.status_code == 303
    assert companies() == {"Genotek Labs": ["genotek.example", "genotek.ru"],
                           "BioMatrix": ["biomatrix.example", "biomatrix.ru"],
                           "Taken": ["taken.example"]}
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Companies saved: 2." in page
    assert "Row 4" in page
    assert "Row 5" in page


def test_csv_import_is_idempotent_and_merges_domains(app, site):
    staff = make_user(Role.STAFF, site)
    import_companies_csv(staff, site, b"Genotek,genotek.example\n")
    result = import_companies_csv(staff, site, b"genotek,genotek.example,genotek.ru\n")
    assert result.saved == 1
    assert not result.problems
    assert companies() == {"Genotek": ["genotek.example", "genotek.ru"]}


def test_csv_import_refuses_an_empty_or_missing_file(app, client, site):
    login(client, make_user(Role.STAFF, site))
    db.session.commit()
    assert client.post("/residents/companies/import", data={}).status_code == 400
    response = client.post("/residents/companies/import", data={
        "file": (io.BytesIO(b""), "empty.csv")}, content_type="multipart/form-data")
    assert response.status_code == 422


def test_admins_choose_the_partner(app, client, site):
    other = make_partner(name="Second Partner")
    login(client, make_user(Role.ADMIN))
    db.session.commit()
    page = client.get(f"/residents?partner={other.id}").get_data(as_text=True)
    assert "Residents of Second Partner" in page
