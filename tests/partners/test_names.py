"""Partners' names in the reader's language: an admin records the Russian name and short
name; the Russian interface, Russian mail and Russian CSV show them, English keeps the main
name, and a partner without a Russian name shows its main name everywhere."""

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from events.enums import Role
from events.extensions import db
from events.partners.models import Partner
from events.partners.services import update_partner
from tests.conftest import login
from tests.factories import make_event, make_involvement, make_partner, make_user

PARTNER = {"slug": "third-partner", "name": "Third Partner", "short_name": "Third",
           "description": "", "website": "https://third.example", "color": "#AA3300"}


def test_admin_records_the_russian_names_through_the_form(app, client):
    admin = make_user(Role.ADMIN)
    db.session.commit()
    login(client, admin)
    response = client.post("/partners/new", data=PARTNER | {
        "name_ru": "Третий партнёр", "short_name_ru": "Третий"})
    assert response.status_code == 302
    partner = db.session.scalar(sa.select(Partner).where(Partner.slug == "third-partner"))
    assert (partner.name_ru, partner.short_name_ru) == ("Третий партнёр", "Третий")
    form = client.get("/partners/third-partner/edit").get_data(as_text=True)
    assert 'value="Третий партнёр"' in form


def test_updating_without_the_russian_names_keeps_them(app):
    admin = make_user(Role.ADMIN)
    partner = make_partner(name_ru="Альфа", short_name_ru="Аль")
    changes = update_partner(admin, partner, **PARTNER)
    assert "name_ru" not in changes
    assert partner.name_ru == "Альфа"


@pytest.mark.parametrize(("language", "short", "name"), [
    ("en", "Alpha", "Alpha Cluster"), ("ru", "Альфа", "Кластер «Альфа»")])
def test_names_follow_the_reader_language(app, language, short, name):
    partner = make_partner(name="Alpha Cluster", short_name="Alpha",
                           name_ru="Кластер «Альфа»", short_name_ru="Альфа")
    plain = make_partner(name="Beta Park", short_name="Beta")
    with app.test_request_context(), force_locale(language):
        assert (partner.local_short_name, partner.local_name) == (short, name)
        assert (plain.local_short_name, plain.local_name) == ("Beta", "Beta Park")
    assert partner.local_name == "Alpha Cluster"  # outside a request: the main name


def test_event_page_chips_in_russian(app, client):
    lead = make_partner(short_name="Alpha", short_name_ru="Альфа")
    event = make_event(lead=lead, title="Chip check")
    make_involvement(event, make_partner(short_name="Beta", short_name_ru="Бета"))
    db.session.commit()
    page = client.get(f"/events/{event.id}", headers={"Accept-Language": "ru"})
    text = page.get_data(as_text=True)
    assert "Альфа" in text
    assert "Бета" in text
    english = client.get(f"/events/{event.id}", headers={"Accept-Language": "en"})
    assert "Бета" not in english.get_data(as_text=True)
