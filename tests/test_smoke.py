"""The app starts on a migrated database and its public pages answer."""

import pytest

from tests.factories import make_event


@pytest.mark.parametrize("url", ["/", "/calendar", "/partners/", "/signin", "/signup"])
def test_public_page_answers(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert b"Joint Events" in response.data


def test_home_lists_scheduled_public_event(app, client):
    event = make_event(title="Bioreactor workshop")
    app.extensions["sqlalchemy"].session.commit()
    response = client.get("/")
    assert "Bioreactor workshop" in response.get_data(as_text=True)
    assert client.get(f"/events/{event.id}").status_code == 200
