"""Events in Russian and in English: each surface shows the reader's language and falls back
to the other; search finds either; writing goes by language."""

import json
import re
from datetime import timedelta

import feedparser
import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from events import bilingual
from events.calendar.ical import Attendance  # noqa: F401 (the feed module maps on import)
from events.db import utcnow
from events.enums import EventStatus, InvolvementRole
from events.extensions import db
from events.planning.models import Event
from events.planning.services import create_event, invite_partner, propose_event, update_event
from tests.api.conftest import token_for
from tests.calendar.conftest import parse_feed
from tests.conftest import login
from tests.factories import make_event

BOTH = {"title": "", "title_ru": "Открытая лекция о биореакторах",
        "title_en": "Open lecture on bioreactors",
        "summary_ru": "Масштабирование на практике", "summary_en": "Scale-up in practice",
        "description_ru": "**Практика** для резидентов",
        "description_en": "**Hands-on** for residents"}
RU_ONLY = {"title": "", "title_ru": "Лекция только по-русски", "summary_ru": "Кратко"}


def published(world, **texts) -> Event:
    now = utcnow().replace(microsecond=0)
    return make_event(lead=world.a, published_at=now - timedelta(days=1), **texts)


def summaries(response) -> list[str]:
    return [str(item["summary"]) for item in parse_feed(response).walk("VEVENT")]


# ---- the model ----------------------------------------------------------------------------

def test_each_text_reads_the_readers_language_and_falls_back_to_the_other(app, world):
    event = published(world, **BOTH)
    with force_locale("ru"):
        assert (event.title, event.summary) == (BOTH["title_ru"], BOTH["summary_ru"])
    with force_locale("en"):
        assert (event.title, event.summary) == (BOTH["title_en"], BOTH["summary_en"])
    only = published(world, **RU_ONLY)
    with force_locale("en"):
        assert only.title == RU_ONLY["title_ru"]
        assert bilingual.language_of(only) == "ru"
        assert str(bilingual.lang_attr(only)) == ' lang="ru"'
        assert only.description == ""  # no text in either language
    with force_locale("ru"):
        assert str(bilingual.lang_attr(only)) == ""


def test_queries_order_and_compare_by_the_readers_title(app, world):
    published(world, **BOTH)
    published(world, **RU_ONLY)
    with force_locale("en"):
        titles = db.session.scalars(sa.select(Event.title).order_by(Event.title)).all()
        assert titles == ["Open lecture on bioreactors", "Лекция только по-русски"]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Event).where(
            Event.title == "Open lecture on bioreactors")) == 1
    with force_locale("ru"):
        assert db.session.scalars(sa.select(Event.title).order_by(Event.title)).all() == [
            "Лекция только по-русски", "Открытая лекция о биореакторах"]


def test_a_title_in_one_language_is_enough(world, values):
    values = {k: v for k, v in values.items() if k not in ("title", "summary", "description")}
    event = create_event(world.staff_a, **values, title_ru="Только по-русски")
    assert (event.title_ru, event.title_en) == ("Только по-русски", "")
    changes = update_event(world.staff_a, event, title_en="  In English too  ")
    assert event.title_en == "In English too"
    # A title in either language is what calendars show: SEQUENCE grows.
    assert changes == {"title_en": ["", "In English too"], "sequence": [0, 1]}


def test_renaming_from_the_other_language_renames_rather_than_adds(world, values):
    values = {k: v for k, v in values.items() if k not in ("title", "summary", "description")}
    english = create_event(world.staff_a, **values, title_en="Open lecture")
    with force_locale("ru"):  # a Russian page (or API call) sends a plain `title`
        update_event(world.staff_a, english, title="Open lecture (moved)")
    assert (english.title_en, english.title_ru) == ("Open lecture (moved)", "")
    both = create_event(world.staff_a, **values | {"starts_at": values["starts_at"]
                                                  + timedelta(days=1),
                                                  "ends_at": values["ends_at"]
                                                  + timedelta(days=1)},
                        title_en="Lecture", title_ru="Лекция")
    with force_locale("ru"):  # written in the reader's language too: that one changes
        update_event(world.staff_a, both, title="Лекция (перенесена)")
    assert (both.title_en, both.title_ru) == ("Lecture", "Лекция (перенесена)")


# ---- the form and the pages ---------------------------------------------------------------

def form(world, **texts) -> dict:
    starts = (utcnow() + timedelta(days=12)).strftime("%Y-%m-%dT10:00")
    ends = (utcnow() + timedelta(days=12)).strftime("%Y-%m-%dT12:00")
    return {"title_ru": "", "summary_ru": "", "description_ru": "", "title_en": "",
            "summary_en": "", "description_en": "", "category": "workshop",
            "format": "in_person", "venue": str(world.room.id), "online_url": "",
            "timezone": "Europe/Moscow", "starts_at": starts, "ends_at": ends,
            "capacity": "20", "audience": "public", "programme": "0",
            "registration_opens_at": "", "registration_closes_at": ""} | texts


def test_the_form_writes_both_languages_and_shows_them_again(client, world):
    login(client, world.staff_a)
    page = client.get("/events/new").get_data(as_text=True)
    # The reader's language first, each control marked with the language typed into it.
    assert page.index('id="title_en"') < page.index('id="title_ru"')
    assert re.search(r'id="title_ru"[^>]*lang="ru"|lang="ru"[^>]*id="title_ru"', page)
    texts = {k: v for k, v in BOTH.items() if k != "title"}
    response = client.post("/events/new", data=form(world, **texts))
    assert response.status_code == 302, response.get_data(as_text=True)
    event = db.session.scalar(sa.select(Event).order_by(Event.id.desc()))
    assert bilingual.texts(event) == texts
    edit = client.get(f"/events/{event.id}/edit").get_data(as_text=True)
    assert 'value="Открытая лекция о биореакторах"' in edit
    assert 'value="Open lecture on bioreactors"' in edit


def test_the_form_refuses_no_title_at_all_and_keeps_what_was_typed(client, world):
    login(client, world.staff_a)
    response = client.post("/events/new", data=form(world, description_ru="Описание"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Give the event a title in Russian or in English." in page
    assert "Описание" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


def test_the_event_page_in_each_language_with_a_link_to_the_other(client, world):
    event = published(world, **BOTH)
    db.session.commit()
    english = client.get(f"/events/{event.id}", headers={"Accept-Language": "en"})
    page = english.get_data(as_text=True)
    assert "<h1 class=\"event-title\">Open lecture on bioreactors</h1>" in page
    assert f'href="/events/{event.id}?lang=ru" hreflang="ru" lang="ru">Русский' in page
    russian = client.get(f"/events/{event.id}?lang=ru").get_data(as_text=True)
    assert "<h1 class=\"event-title\">Открытая лекция о биореакторах</h1>" in russian
    assert "<strong>Практика</strong> для резидентов" in russian


def test_a_fallback_is_marked_with_its_language(client, world):
    event = published(world, **RU_ONLY)
    db.session.commit()
    page = client.get(f"/events/{event.id}", headers={"Accept-Language": "en"}).get_data(
        as_text=True)
    assert '<h1 class="event-title" lang="ru">Лекция только по-русски</h1>' in page
    assert f"/events/{event.id}?lang=ru" not in page  # it already shows the Russian text
    agenda = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="ru">Лекция только по-русски</a>' in agenda


@pytest.mark.parametrize("words", ["БИОРЕАКТОР", "биореакторах", "Bioreactors", "scale-UP",
                                   "масштабирование"])
def test_search_finds_an_event_by_either_language_in_any_case(client, world, words):
    event = published(world, **BOTH)
    published(world, title="Unrelated seminar")
    db.session.commit()
    for lang in ("en", "ru"):
        page = client.get("/", query_string={"q": words, "lang": lang}).get_data(as_text=True)
        assert f'href="/events/{event.id}"' in page, (words, lang)
        assert "Unrelated seminar" not in page


# ---- mail ---------------------------------------------------------------------------------

def test_a_mail_shows_the_recipients_language_not_the_senders(world, values, outbox):
    values = {k: v for k, v in values.items() if k not in ("title", "summary", "description")}
    event = create_event(world.staff_a, **values, **{k: v for k, v in BOTH.items() if v})
    invite_partner(world.staff_a, event, world.b, InvolvementRole.CO_HOST)  # B reads Russian
    propose_event(world.staff_a, event)  # the invitations go out
    db.session.commit()
    from events.outbox.models import OutboxMessage

    sent = db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.recipient == world.coord_b.email)).all()
    assert sent, "the Russian-speaking coordinator is invited"
    assert all("Открытая лекция о биореакторах" in m.subject for m in sent)
    assert all("Open lecture" not in m.subject + m.body for m in sent)


# ---- feeds, Atom, the API -----------------------------------------------------------------

def test_calendar_feeds_take_lang_and_fall_back(client, world):
    published(world, **BOTH)
    published(world, **RU_ONLY)
    db.session.commit()
    english = summaries(client.get("/calendar.ics?lang=en"))
    russian = summaries(client.get("/calendar.ics?lang=ru"))
    assert sorted(english) == ["Open lecture on bioreactors", "Лекция только по-русски"]
    assert sorted(russian) == ["Лекция только по-русски", "Открытая лекция о биореакторах"]
    # Without ?lang= a feed speaks the site's language, whoever fetches it.
    assert sorted(summaries(client.get("/calendar.ics", headers={
        "Accept-Language": "ru"}))) == sorted(english)
    # The stored VEVENTs are per language: asking again answers the same from the store.
    assert sorted(summaries(client.get("/calendar.ics?lang=en"))) == sorted(english)
    assert client.get("/calendar.ics?lang=en").headers["ETag"] != \
        client.get("/calendar.ics?lang=ru").headers["ETag"]


def test_the_subscribe_page_offers_the_feeds_in_both_languages(client, world):
    login(client, world.staff_a)
    page = client.get("/subscribe").get_data(as_text=True)
    assert "calendar.ics?lang=en" in page
    assert "calendar.ics?lang=ru" not in page
    page = client.get("/subscribe?feeds=ru").get_data(as_text=True)
    assert "calendar.ics?lang=ru" in page
    assert "calendar.ics?lang=en" not in page
    assert 'href="/subscribe?feeds=ru" hreflang="ru" lang="ru" aria-current="true"' in page


def test_atom_takes_lang(client, world):
    published(world, **BOTH)
    db.session.commit()
    for lang, title in (("en", BOTH["title_en"]), ("ru", BOTH["title_ru"])):
        parsed = feedparser.parse(client.get(f"/events.atom?lang={lang}").data)
        assert [entry.title for entry in parsed.entries] == [title]


def test_the_api_answers_in_lang_with_every_language_and_writes_by_language(client, world):
    event = published(world, **BOTH)
    headers = token_for(world.staff_a)
    body = client.get(f"/api/v1/events/{event.id}?lang=ru").get_json()
    assert (body["title"], body["language"]) == (BOTH["title_ru"], "ru")
    assert body["title_en"] == BOTH["title_en"]
    assert body["summary_ru"] == BOTH["summary_ru"]
    listed = client.get("/api/v1/events?lang=en").get_json()["items"]
    assert [item["title"] for item in listed] == [BOTH["title_en"]]
    assert client.get("/api/v1/events?q=БИОРЕАКТОР").get_json()["items"][0]["id"] == event.id

    starts = (utcnow() + timedelta(days=20)).replace(microsecond=0)
    new = {"category": "seminar", "format": "online", "audience": "public",
           "online_url": "https://meet.example.org/x", "timezone": "Europe/Moscow",
           "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=1)).isoformat()}
    refused = client.post("/api/v1/events", json=new, headers=headers)
    assert refused.status_code == 422
    assert "title_en" in refused.get_json()["errors"]
    made = client.post("/api/v1/events", json=new | {"title_ru": "Вебинар"}, headers=headers)
    assert made.status_code == 201, made.get_json()
    assert (made.get_json()["title"], made.get_json()["title_en"]) == ("Вебинар", "")
    url = f"/api/v1/events/{made.get_json()['id']}"
    # A plain `title` renames the text the event has (none in English yet: the Russian)...
    renamed = client.patch(f"{url}?lang=en", json={"title": "Вебинар (перенесён)"},
                           headers=headers).get_json()
    assert (renamed["title_ru"], renamed["title_en"]) == ("Вебинар (перенесён)", "")
    # ... a language's own field adds that language, and then `title` writes the reader's.
    client.patch(url, json={"title_en": "Webinar"}, headers=headers)
    changed = client.patch(f"{url}?lang=en", json={"title": "Webinar (moved)"},
                           headers=headers).get_json()
    assert (changed["title_ru"], changed["title_en"]) == ("Вебинар (перенесён)",
                                                          "Webinar (moved)")


def test_webhook_payloads_carry_both_languages(world):
    from events.planning.announce import event_data

    data = event_data(published(world, **RU_ONLY))
    assert data["title"] == RU_ONLY["title_ru"]  # the site's language (English) is empty
    assert (data["title_ru"], data["title_en"]) == (RU_ONLY["title_ru"], "")
    json.dumps(data)


# ---- data of old -------------------------------------------------------------------------

@pytest.mark.parametrize(("texts", "language"), [
    (("Открытая лекция",), "ru"), (("Open lecture", "Описание по-русски"), "ru"),
    (("Biotech Day 2027", ""), "en"), ((None, ""), "en")])
def test_text_of_unknown_language_is_placed_by_its_alphabet(texts, language):
    assert bilingual.guess_language(*texts) == language


def test_demo_events_are_written_in_both_languages(app):
    from events.demo import seed_demo

    assert seed_demo()
    events = db.session.scalars(sa.select(Event)).all()
    assert events
    assert all(e.title_ru and e.title_en and e.summary_ru and e.summary_en for e in events)
    assert all(bool(e.description_ru) == bool(e.description_en) for e in events)
    assert not [e for e in events if e.status == EventStatus.SCHEDULED and not e.description_en]


# ---- programmes ---------------------------------------------------------------------------

def test_programmes_are_written_and_read_in_both_languages(client, world):
    from events.planning.models import Programme

    login(client, world.staff_a)
    response = client.post("/programmes/new", data={
        "title_ru": "Весенняя школа", "title_en": "Spring school",
        "description_ru": "Для **резидентов**", "description_en": "", "slug": ""})
    assert response.status_code == 302, response.get_data(as_text=True)
    programme = db.session.scalar(sa.select(Programme))
    assert programme.slug == "spring-school"  # made from the title in Latin letters
    event = published(world, **BOTH, programme=programme)
    db.session.commit()
    russian = client.get(f"/programmes/{programme.id}?lang=ru").get_data(as_text=True)
    assert "<h1>Весенняя школа</h1>" in russian
    english = client.get(f"/programmes/{programme.id}?lang=en").get_data(as_text=True)
    assert "<h1>Spring school</h1>" in english
    assert "Для <strong>резидентов</strong>" in english  # the description falls back
    page = client.get(f"/events/{event.id}?lang=ru").get_data(as_text=True)
    assert "<dd>Весенняя школа</dd>" in page
    listed = client.get("/api/v1/programmes?lang=ru").get_json()
    assert [(p["title"], p["title_en"], p["description_en"]) for p in listed] == [
        ("Весенняя школа", "Spring school", "")]
    assert client.post("/programmes/new", data={"title_ru": "", "title_en": ""}
                       ).status_code == 422
