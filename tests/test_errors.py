"""Errors end in friendly pages with the right status, never a raw traceback."""

import pytest
from flask import Blueprint

from events.errors import Conflict


@pytest.fixture
def failing_app(make_app):
    app = make_app()
    bp = Blueprint("failing", __name__)

    @bp.get("/_boom")
    def boom():
        raise RuntimeError("unexpected")

    @bp.get("/_conflict")
    def conflict():
        raise Conflict("That room is taken.")

    app.register_blueprint(bp)
    with app.app_context():
        yield app


def test_not_found_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Not found" in response.get_data(as_text=True)


def test_unexpected_error_page_is_friendly(failing_app):
    response = failing_app.test_client().get("/_boom")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "Something went wrong" in text
    assert "Traceback" not in text


def test_domain_error_shows_its_message(failing_app):
    response = failing_app.test_client().get("/_conflict")
    assert response.status_code == 409
    assert "That room is taken." in response.get_data(as_text=True)


def test_method_not_allowed(client):
    assert client.delete("/").status_code == 405


def test_unknown_event_is_404(client):
    assert client.get("/events/424242").status_code == 404


def test_nul_bytes_in_form_input_are_refused_with_400(client):
    response = client.post("/signin", data={"email": "a\x00@example.org", "password": "x"})
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)


def test_nul_bytes_in_query_are_refused_with_400(client):
    assert client.get("/calendar?month=2026-01%00").status_code == 400


@pytest.mark.parametrize("path", ["/events/99999999999", "/events/99999999999.ics",
                                  "/events/99999999999/attendees"])
def test_ids_beyond_the_integer_column_are_404(client, path):
    assert client.get(path).status_code == 404
