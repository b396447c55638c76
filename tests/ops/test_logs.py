"""Request logs and request ids: one line per request with its fields, the id in the response
header, on error pages, on the mail the request queued and in the worker's delivery line."""

import json
import logging
import os
import subprocess
import sys

import pytest
import sqlalchemy as sa

from events.extensions import db
from events.ops.logs import JsonFormatter, TextFormatter, incoming_request_id
from events.outbox.delivery import deliver_due
from events.outbox.models import OutboxMessage
from tests.conftest import ROOT, login
from tests.factories import make_event, make_user
from tests.test_errors import UNREACHABLE


def request_lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "events.requests"]


def test_request_log_line_has_the_request_fields(app, client, caplog):
    person = make_user(name="Logged")
    db.session.commit()
    login(client, person)
    with caplog.at_level(logging.INFO, logger="events.requests"):
        response = client.get("/", headers={"X-Request-ID": "lb-0001-abcdef"})
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == "lb-0001-abcdef"
    [line] = request_lines(caplog)
    assert line.getMessage() == "GET / 200"
    assert (line.method, line.path, line.endpoint, line.status) == (
        "GET", "/", "planning.index", 200)
    assert line.request_id == "lb-0001-abcdef"
    assert line.user_id == person.id
    assert isinstance(line.duration_ms, float)
    assert line.duration_ms >= 0


def test_request_log_line_of_a_visitor_has_no_user(client, caplog):
    with caplog.at_level(logging.INFO, logger="events.requests"):
        response = client.get("/no-such-page")
    assert response.status_code == 404
    [line] = request_lines(caplog)
    assert (line.status, line.endpoint, line.user_id) == (404, None, None)
    assert line.request_id == response.headers["X-Request-ID"]


@pytest.mark.parametrize(
    "header", ["", "has space", "tab\there", "x" * 129, "unicode-é", "-x", "a;b"])
def test_request_id_is_new_when_the_header_is_not_sane(client, header):
    response = client.get("/healthz", headers={"X-Request-ID": header} if header else {})
    given = response.headers["X-Request-ID"]
    assert given != header
    assert len(given) == 32
    assert int(given, 16) >= 0


def test_request_ids_differ_between_requests(client):
    assert client.get("/healthz").headers["X-Request-ID"] != \
        client.get("/healthz").headers["X-Request-ID"]


def test_incoming_request_id_keeps_uuids_and_proxy_ids():
    for value in ("0f8fad5b-d9cb-469f-a165-70867728950e", "Root=1-67891233-abcdef012345678",
                  "a" * 128):
        assert incoming_request_id(value) == value


def test_probes_stay_out_of_the_request_log(client, caplog):
    with caplog.at_level(logging.INFO, logger="events.requests"):
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200
        client.get("/static/css/app.css")
    assert [r.path for r in request_lines(caplog)] == ["/static/css/app.css"]


def test_error_page_shows_the_request_id(client):
    response = client.get("/no-such-page", headers={"X-Request-ID": "support-4711"})
    assert response.status_code == 404
    assert "Request ID: support-4711" in response.get_data(as_text=True)
    russian = client.get("/no-such-page", headers={"X-Request-ID": "support-4712",
                                                   "Accept-Language": "ru"})
    assert "Идентификатор запроса: support-4712" in russian.get_data(as_text=True)


@pytest.mark.parametrize("kind", sorted(UNREACHABLE))
def test_database_down_page_shows_the_request_id(make_app, kind):
    app = make_app(SQLALCHEMY_DATABASE_URI=UNREACHABLE[kind])
    with app.app_context():
        response = app.test_client().get("/", headers={"X-Request-ID": "down-0001"})
    assert response.status_code == 503
    assert response.headers["X-Request-ID"] == "down-0001"
    assert "Request ID: down-0001" in response.get_data(as_text=True)


def test_worker_logs_the_request_id_of_the_mail_it_delivers(make_app, tmp_path, caplog):
    # Tasks go to a real queue here: nothing is delivered inside the request.
    app = make_app(TASK_QUEUE_URL=f"sqlite:///{tmp_path / 'queue.sqlite3'}")
    with app.app_context():
        person = make_user(name="Registers")
        event = make_event(capacity=5)
        db.session.commit()
        client = app.test_client()
        login(client, person)
        response = client.post(f"/events/{event.id}/register",
                               headers={"X-Request-ID": "reg-req-42"})
        assert response.status_code == 302
        db.session.remove()
        queued = db.session.scalars(sa.select(OutboxMessage)).all()
        assert queued
        assert {m.request_id for m in queued} == {"reg-req-42"}
        db.session.remove()
        with caplog.at_level(logging.INFO, logger="events.outbox.delivery"):
            outcome = deliver_due()  # as the worker does, outside any request
        assert outcome.sent == len(queued)
        sent = [r for r in caplog.records if r.name == "events.outbox.delivery"
                and "sent to" in r.getMessage()]
        assert len(sent) == len(queued)
        assert {r.request_id for r in sent} == {"reg-req-42"}
        assert {r.outbox_id for r in sent} == {m.id for m in queued}


def test_mail_queued_outside_a_request_has_no_request_id(app):
    from events.mail import queue_mail

    row = queue_mail("someone@example.org", "Hello %(n)s", "verify_email", n=1,
                     link="https://x.test/v", user=None)
    db.session.commit()
    assert row.request_id is None


def _record(**extra) -> logging.LogRecord:
    record = logging.LogRecord("events.requests", logging.INFO, __file__, 1, "GET %s %s",
                               ("/", 200), None)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_json_formatter_writes_one_object_with_the_fields():
    line = JsonFormatter().format(_record(method="GET", status=200, request_id="abc12345",
                                          duration_ms=1.5, user_id=None))
    assert "\n" not in line
    data = json.loads(line)
    assert data["message"] == "GET / 200"
    assert data["logger"] == "events.requests"
    assert data["level"] == "INFO"
    assert (data["method"], data["status"], data["request_id"], data["duration_ms"]) == (
        "GET", 200, "abc12345", 1.5)
    assert data["time"].endswith("+00:00")


def test_text_formatter_ends_with_the_request_id():
    line = TextFormatter().format(_record(request_id="abc12345"))
    assert line.endswith("events.requests: GET / 200 [request abc12345]")


def test_text_formatter_puts_the_request_id_on_the_first_line_of_several():
    record = _record(request_id="abc12345")
    record.msg, record.args = "Mail to x@example.org\nbody\n[end of mail]", ()
    assert TextFormatter().format(record).splitlines()[1:] == ["body", "[end of mail]"]
    assert TextFormatter().format(record).splitlines()[0].endswith(
        "Mail to x@example.org [request abc12345]")


def test_unknown_log_format_stops_the_start(make_app):
    with pytest.raises(ValueError, match="LOG_FORMAT must be one of json, text"):
        make_app(LOG_FORMAT="xml")


SCRIPT = """
from app import create_app
app = create_app({"TESTING": True, "SECRET_KEY": "k", "TASK_QUEUE_URL": "immediate",
                  "LOG_FORMAT": "json"})
client = app.test_client()
client.get("/static/css/app.css", headers={"X-Request-ID": "json-line-1"})
client.get("/healthz")
"""


def test_json_log_format_writes_a_json_line_per_request_to_stderr(database_url):
    env = {**os.environ, "DATABASE_URL": str(database_url), "PYTHONPATH": str(ROOT)}
    env.pop("LOG_FORMAT", None)
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env,  # noqa: S603
                            capture_output=True, text=True, timeout=120, check=True)
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line["logger"] == "events.requests"]
    assert len(requests) == 1  # the probe is not logged
    assert requests[0]["request_id"] == "json-line-1"
    assert requests[0]["path"] == "/static/css/app.css"
    assert requests[0]["status"] == 200
    assert requests[0]["endpoint"] == "static"
