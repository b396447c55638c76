"""A signed-out visitor on an event that needs signing in: one 404 sentence, an offer to sign
in that reveals nothing of the event, and the way back to it after signing in."""

import re

import pytest

from events.enums import Audience, EventStatus
from events.extensions import db
from tests.conftest import login
from tests.factories import PASSWORD, make_event, make_user

SENTENCE = "The page does not exist, or you may not see it."


def _main(html: str) -> str:
    """The page without its <head> (the title tag) — what a visitor reads."""
    return html.split("<body", 1)[1]


@pytest.mark.parametrize(("audience", "status"), [
    (Audience.RESIDENTS, EventStatus.SCHEDULED), (Audience.INTERNAL, EventStatus.SCHEDULED),
    (Audience.PUBLIC, EventStatus.DRAFT), (Audience.PUBLIC, EventStatus.PROPOSED)])
def test_signed_out_visitor_is_offered_sign_in_without_details(client, audience, status):
    event = make_event(title="Secret biobank tour", summary="Freezers at minus eighty",
                       audience=audience, status=status)
    db.session.commit()
    response = client.get(f"/events/{event.id}")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Sign in to see this event" in html
    assert f'href="/signin?next=/events/{event.id}"' in html \
        or f'href="/signin?next=%2Fevents%2F{event.id}"' in html
    assert "Secret biobank" not in html
    assert "Freezers" not in html
    # The same page for an address where nothing is: existence is not revealed.
    missing = client.get(f"/events/{event.id + 1000}").get_data(as_text=True)
    # (each answer carries its own request id, for support)
    strip = re.compile(r"events(/|%2F)\d+|Request ID: [0-9a-f]+")
    assert strip.sub("", missing) == strip.sub("", html)


def test_sign_in_returns_to_the_event(client):
    event = make_event(title="Residents breakfast", audience=Audience.RESIDENTS)
    person = make_user(email="rita@example.org")
    db.session.commit()
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    href = re.search(r'href="(/signin\?next=[^"]+)"', html).group(1).replace("&amp;", "&")
    response = client.post(href, data={"email": person.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/events/{event.id}"
    assert "Residents breakfast" in client.get(f"/events/{event.id}").get_data(as_text=True)


def test_sign_in_refuses_a_foreign_next(client):
    person = make_user(email="rita@example.org")
    db.session.commit()
    response = client.post("/signin?next=//evil.example/events/1",
                           data={"email": person.email, "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_signed_in_person_gets_the_plain_404_once(client):
    event = make_event(audience=Audience.INTERNAL)
    resident = make_user()
    db.session.commit()
    login(client, resident)
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Sign in to see this event" not in html
    assert _main(html).count(SENTENCE) == 1


@pytest.mark.parametrize("path", ["/no/such/page", "/events/999999", "/events/99999999999"])
def test_every_404_says_its_sentence_once(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert _main(response.get_data(as_text=True)).count(SENTENCE) <= 1
    user = make_user()
    db.session.commit()
    login(client, user)
    html = _main(client.get(path).get_data(as_text=True))
    assert html.count(SENTENCE) == 1
