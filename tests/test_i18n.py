"""Russian and English: every message translated, language chosen as the person would expect."""

from events.extensions import db
from events.i18n import compile_translations, missing_translations
from tests.conftest import login
from tests.factories import make_event, make_user


def test_every_message_has_a_russian_translation():
    missing = missing_translations("ru")
    listing = {area: [m[0] if isinstance(m[0], str) else m[0][0] for m in items]
               for area, items in missing.items()}
    assert not missing, f"untranslated (run `flask i18n-missing`): {listing}"


def test_catalogue_compiles(tmp_path):
    assert compile_translations()


def test_browser_language_picks_russian(client):
    page = client.get("/", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"})
    assert "Афиша" in page.get_data(as_text=True)
    assert 'lang="ru"' in page.get_data(as_text=True)


def test_english_is_the_default(client):
    page = client.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Agenda" in page


def test_language_switch_is_remembered_for_visitors(client):
    response = client.post("/language", data={"language": "ru", "next": "/calendar"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/calendar")
    assert "Календарь" in client.get("/").get_data(as_text=True)


def test_language_switch_is_saved_on_the_account(app, client):
    user = make_user()
    db.session.commit()
    login(client, user)
    client.post("/language", data={"language": "ru"})
    db.session.refresh(user)
    assert user.locale == "ru"
    # The person's setting wins over the browser's.
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Афиша" in page


def test_unknown_language_is_refused(client):
    assert client.post("/language", data={"language": "xx"}).status_code == 400


def test_language_switch_refuses_foreign_redirects(client):
    response = client.post("/language", data={"language": "en", "next": "//evil.example/"})
    assert response.headers["Location"] == "/"


def test_dates_are_shown_in_the_event_zone_and_language(app, client):
    from datetime import UTC, datetime

    event = make_event(title="Zone check", timezone="Asia/Novosibirsk",
                       starts_at=datetime(2031, 3, 5, 3, 0, tzinfo=UTC),
                       ends_at=datetime(2031, 3, 5, 5, 0, tzinfo=UTC))
    db.session.commit()
    page = client.get(f"/events/{event.id}", headers={"Accept-Language": "ru"})
    text = page.get_data(as_text=True)
    assert "10:00" in text  # 03:00 UTC is 10:00 in Novosibirsk (UTC+7)
    assert "марта" in text
    assert "Asia/Novosibirsk" in text
