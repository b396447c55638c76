"""Errors end in friendly pages with the right status, never a raw traceback."""

import logging
import socket

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


# ---- the database down: a friendly 503 that needs no database ------------------------------

UNREACHABLE = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:1/nowhere",  # nothing listens on 1
    "sqlite": "sqlite:////nonexistent-folder/joint_events.sqlite3",
}


@pytest.fixture(params=sorted(UNREACHABLE))
def app_without_database(request, make_app):
    app = make_app(SQLALCHEMY_DATABASE_URI=UNREACHABLE[request.param])
    with app.app_context():
        yield app


def test_database_down_answers_503_with_retry_after(app_without_database):
    response = app_without_database.test_client().get("/", headers={"Accept-Language": "en"})
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    text = response.get_data(as_text=True)
    assert "Temporarily unavailable" in text
    assert "cannot reach its database" in text
    assert "Traceback" not in text


def test_database_down_page_speaks_the_visitors_language(app_without_database):
    client = app_without_database.test_client()
    response = client.get("/calendar", headers={"Accept-Language": "ru-RU,ru;q=0.9"})
    assert response.status_code == 503
    text = response.get_data(as_text=True)
    assert 'lang="ru"' in text
    assert "Временно недоступно" in text
    with client.session_transaction() as session:
        session["language"] = "en"  # chosen with the switch: wins over the browser's
    response = client.get("/", headers={"Accept-Language": "ru"})
    assert "Temporarily unavailable" in response.get_data(as_text=True)


def test_database_down_for_a_signed_in_person(app_without_database):
    """Loading the signed-in person needs the database too: still the friendly 503."""
    client = app_without_database.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1:" + "0" * 64  # an account id and its session token
        session["_fresh"] = True
    for url in ("/", "/my/events", "/staff"):
        response = client.get(url)
        assert response.status_code == 503, url
        assert "Retry-After" in response.headers


def test_database_down_answers_json_to_json_clients(app_without_database):
    response = app_without_database.test_client().get(
        "/", headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response.json["error"] == "Temporarily unavailable"


def test_database_lost_in_the_middle_of_a_request(make_app):
    """A connection that dies under a view (OperationalError) is a 503, not a 500."""
    import sqlalchemy.exc

    app = make_app()

    @app.get("/_lost")
    def lost():
        raise sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("server closed"))

    with app.app_context():
        response = app.test_client().get("/_lost")
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()


def test_an_error_page_that_fails_falls_back_to_the_plain_one(failing_app, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("template trouble")

    monkeypatch.setattr("events.errors.render_template", broken)
    response = failing_app.test_client().get("/_boom")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "Something went wrong" in text
    assert "Try again" in text


# ---- a double submit that loses the race twice -----------------------------------------------

def test_unique_violation_that_persists_is_a_409_not_a_500(make_app):
    import sqlalchemy.exc

    app = make_app()
    tries = []

    @app.post("/_twice")
    def twice():
        tries.append(1)
        raise sqlalchemy.exc.IntegrityError(
            "INSERT", {}, Exception("UNIQUE constraint failed: users.email"))

    with app.app_context():
        response = app.test_client().post("/_twice")
    assert len(tries) == 2  # run once more, as a double submit's loser is
    assert response.status_code == 409
    assert "moment ago" in response.get_data(as_text=True)


def test_other_integrity_errors_are_not_retried(make_app):
    import sqlalchemy.exc

    app = make_app()
    tries = []

    @app.post("/_fk")
    def fk():
        tries.append(1)
        raise sqlalchemy.exc.IntegrityError("INSERT", {}, Exception("FOREIGN KEY failed"))

    with app.app_context():
        response = app.test_client().post("/_fk")
    assert tries == [1]
    assert response.status_code == 500


# ---- rate-limit storage (Redis) down or hanging: never a 500 -------------------------------

@pytest.fixture
def closed_port():
    """A port with nothing listening."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return port


@pytest.fixture
def silent_port():
    """A socket that accepts connections (the kernel completes them) and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield server.getsockname()[1]


def _signin_attempts(app, count: int) -> list[int]:
    client = app.test_client()
    return [client.post("/signin", data={"email": "nobody@example.org",
                                         "password": "wrong"}).status_code
            for _ in range(count)]


@pytest.mark.parametrize("port_fixture", ["closed_port", "silent_port"])
def test_rate_limit_storage_gone_falls_back_to_memory(make_app, request, caplog, monkeypatch,
                                                      port_fixture):
    from events.extensions import limiter

    # The limiter is one object for every app this test process builds: start it healthy.
    monkeypatch.setattr(limiter, "_storage_dead", False)
    port = request.getfixturevalue(port_fixture)
    app = make_app(RATELIMIT_ENABLED=True, SIGNIN_RATE_LIMIT="3 per minute",
                   RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{port}/0")
    assert app.config["RATELIMIT_STORAGE_OPTIONS"]["socket_timeout"] <= 1
    with app.app_context(), caplog.at_level(logging.WARNING):
        statuses = _signin_attempts(app, 4)
    # Never a 500; the limit still holds, counted in this process.
    assert statuses == [401, 401, 401, 429]
    assert any("RATE-LIMIT STORAGE DOWN" in r.getMessage() and r.levelno == logging.ERROR
               for r in caplog.records)
