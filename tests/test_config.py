"""Configuration rules: the secret key is never hard-coded, DATABASE_URL picks the database."""

import logging
import os
import stat

import pytest

from app import create_app
from events.config import database_url, secret_key_from_instance


def test_secret_key_is_generated_once_into_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = secret_key_from_instance(str(tmp_path))
    assert len(first) == 64
    path = tmp_path / "secret_key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert secret_key_from_instance(str(tmp_path)) == first


def test_app_without_secret_key_uses_the_instance_file(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(tmp_path))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite3"})
    assert app.config["SECRET_KEY"] == (tmp_path / "secret_key").read_text().strip()


def test_secret_key_from_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(tmp_path))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite3"})
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()


def test_two_apps_on_one_instance_share_the_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(tmp_path))
    one = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite3"})
    two = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite3"})
    assert one.config["SECRET_KEY"] == two.config["SECRET_KEY"]


def test_database_url_defaults_to_sqlite_in_instance():
    assert database_url(None, "/srv/instance") == "sqlite:////srv/instance/joint_events.sqlite3"


def test_postgres_urls_go_through_psycopg3():
    assert database_url("postgres://u@h/db", "/i") == "postgresql+psycopg://u@h/db"
    assert database_url("postgresql://u@h/db", "/i") == "postgresql+psycopg://u@h/db"
    assert database_url("postgresql+psycopg://u@h/db", "/i") == "postgresql+psycopg://u@h/db"


def test_security_headers(client):
    response = client.get("/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# ---- absolute links: SITE_URL in production, the request's host in development -------------

def test_site_url_set_is_explicit_and_wins_over_the_request(make_app):
    from events.mail import absolute_url, site_root

    app = make_app(SITE_URL="https://events.example.org")
    assert app.config["SITE_URL_EXPLICIT"] is True
    with app.test_request_context("/", base_url="http://127.0.0.1:5101"):
        assert absolute_url("calendar.public_feed") == "https://events.example.org/calendar.ics"
        assert site_root() == "https://events.example.org"


def test_without_site_url_links_follow_the_request_host(make_app):
    from events.config import DEFAULT_SITE_URL
    from events.mail import absolute_url, site_root

    app = make_app(SITE_URL=None)
    assert app.config["SITE_URL_EXPLICIT"] is False
    with app.test_request_context("/", base_url="http://127.0.0.1:5101"):
        assert absolute_url("calendar.public_feed") == "http://127.0.0.1:5101/calendar.ics"
        assert site_root() == "http://127.0.0.1:5101"
    with app.app_context():  # outside a request (CLI, background work): the default
        assert absolute_url("calendar.public_feed") == f"{DEFAULT_SITE_URL}/calendar.ics"
        assert site_root() == DEFAULT_SITE_URL


def test_site_url_from_the_environment_is_explicit(tmp_path, monkeypatch):
    monkeypatch.setenv("SITE_URL", "https://events.example.org")
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(tmp_path))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite3",
                      "SECRET_KEY": "x"})
    assert app.config["SITE_URL_EXPLICIT"] is True
    assert app.config["SITE_URL"] == "https://events.example.org"


def test_subscribe_page_feed_and_mail_links_follow_the_port(make_app, outbox_for):
    """`make run PORT=5101`: Subscribe, the .ics URL and the mailed links all say :5101."""
    from events.extensions import db
    from tests.factories import make_event, make_user

    app = make_app(SITE_URL=None)
    with app.app_context():
        event = make_event(capacity=5)
        person = make_user(email="reader@example.org")
        db.session.commit()
        client = app.test_client()
        base = "http://127.0.0.1:5101"
        with client.session_transaction(base_url=base) as session:
            session["_user_id"] = person.get_id()
        page = client.get("/subscribe", base_url=base).get_data(as_text=True)
        assert f"{base}/calendar.ics" in page
        assert "webcal://127.0.0.1:5101/calendar.ics" in page
        ics = client.get(f"/events/{event.id}.ics", base_url=base).get_data(as_text=True)
        assert f"URL:{base}/events/{event.id}" in ics.replace("\r\n ", "")
        with outbox_for(app) as outbox:
            client.post(f"/events/{event.id}/register", base_url=base)
        (message,) = outbox
        assert f"{base}/cancel/" in message.body
        assert f"{base}/events/{event.id}" in message.body
        (attachment,) = [a for a in message.attachments if a.filename.endswith(".ics")]
        assert f"URL:{base}/events/{event.id}" in attachment.data.decode().replace("\r\n ", "")


@pytest.fixture
def outbox_for():
    from events.extensions import mail

    def recording(app):
        return mail.record_messages()

    return recording


# ---- the console mail backend (`make run`) ---------------------------------------------------

def test_console_backend_prints_each_mail_with_its_attachments(make_app, caplog):
    from flask_mail import Message

    from events.extensions import mail

    app = make_app(MAIL_BACKEND="console", TESTING=False)
    message = Message(subject="Hello", recipients=["a@example.org"], body="Body text",
                      sender="from@example.org")
    message.attach("event-1.ics", "text/calendar; charset=utf-8",
                   b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    with app.app_context(), caplog.at_level(logging.WARNING):
        mail.send(message)
    (printed,) = [r.getMessage() for r in caplog.records if "Mail to" in r.getMessage()]
    assert printed.startswith("Mail to a@example.org (not sent: MAIL_BACKEND=console)")
    assert "Subject: Hello\n\nBody text" in printed
    assert "[attachment event-1.ics, text/calendar; charset=utf-8]\nBEGIN:VCALENDAR\n" in printed
    assert printed.endswith("[end of mail]")


def test_redis_rate_limit_storage_gets_short_timeouts(make_app):
    app = make_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15")
    options = app.config["RATELIMIT_STORAGE_OPTIONS"]
    assert options["socket_timeout"] <= 1
    assert options["socket_connect_timeout"] <= 1
    assert app.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] is True
