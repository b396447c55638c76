"""/healthz, /readyz, /metrics and the worker's heartbeat."""

import logging
import os
import subprocess
import sys
from datetime import timedelta

import pytest
import sqlalchemy as sa

from events.db import utcnow
from events.enums import OutboxStatus
from events.extensions import db
from events.mail import queue_mail
from events.ops import QuietProbes
from events.ops.checks import record_heartbeat
from events.ops.models import WorkerHeartbeat
from tests.conftest import ROOT
from tests.factories import make_event, make_registration, make_user

OUTSIDE = {"REMOTE_ADDR": "203.0.113.7"}


def _mail(status=OutboxStatus.QUEUED, age=timedelta()):
    row = queue_mail("someone@example.org", "Hello %(n)s", "verify_email", n=1,
                     link="https://x.test/v", user=None)
    row.status = status
    row.created_at = utcnow() - age
    row.next_attempt_at = utcnow() + timedelta(hours=1)  # a retry later: stays queued
    db.session.commit()
    return row


@pytest.fixture
def worker_app(make_app, tmp_path):
    """An app whose tasks go to a real queue: a worker must be running, so /readyz needs
    its heartbeat."""
    app = make_app(TASK_QUEUE_URL=f"sqlite:///{tmp_path / 'queue.sqlite3'}")
    with app.app_context():
        yield app
        db.session.rollback()


def test_healthz_answers_without_the_database_or_a_cookie(app, client, count_queries):
    with count_queries() as counter:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert counter.statements == []
    assert "Set-Cookie" not in response.headers


def test_healthz_answers_when_the_database_is_gone(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/db.sqlite3")
    assert app.test_client().get("/healthz").status_code == 200
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "failing"
    assert body["checks"]["database"]["status"] == "failing"


def test_readyz_is_ready_with_the_queue_in_process(app, client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["redis"] == {"status": "skipped", "required": False, "figures": {}}
    # TASK_QUEUE_URL=immediate: no worker to wait for
    assert body["checks"]["worker"]["required"] is False
    assert body["checks"]["outbox"]["figures"]["oldest_waiting_seconds"] == 0
    assert "Set-Cookie" not in response.headers


def test_readyz_needs_a_recent_worker_heartbeat(worker_app):
    client = worker_app.test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["worker"]["status"] == "failing"

    record_heartbeat("host-a", now=utcnow() - timedelta(minutes=4))
    response = client.get("/readyz")
    assert response.status_code == 503
    worker = response.get_json()["checks"]["worker"]
    assert worker["figures"]["last_seen_seconds_ago"] >= 240

    record_heartbeat("host-b")
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    worker = response.get_json()["checks"]["worker"]
    assert worker["status"] == "ok"
    assert worker["figures"]["workers"] == 2
    assert worker["figures"]["last_seen_seconds_ago"] < 60


def test_the_minute_sweep_records_the_heartbeat(worker_app):
    from events.outbox.worker import sweep

    os.environ["WORKER_NAME"] = "sweeper"
    try:
        sweep()
        first = db.session.get(WorkerHeartbeat, "sweeper").last_seen
        sweep()
    finally:
        del os.environ["WORKER_NAME"]
    db.session.expire_all()
    rows = db.session.scalars(sa.select(WorkerHeartbeat)).all()
    assert [row.name for row in rows] == ["sweeper"]
    assert rows[0].last_seen >= first
    assert worker_app.test_client().get("/readyz").status_code == 200


def test_readyz_fails_when_mail_waits_too_long_but_only_reports_dead_mail(make_app):
    app = make_app(OUTBOX_MAX_AGE_SECONDS=600)
    with app.app_context():
        client = app.test_client()
        _mail(OutboxStatus.DEAD, age=timedelta(days=2))
        response = client.get("/readyz")
        assert response.status_code == 200
        outbox = response.get_json()["checks"]["outbox"]["figures"]
        assert outbox["dead"] == 1
        assert outbox["depth"]["dead"] == 1
        assert outbox["oldest_waiting_seconds"] == 0

        _mail(OutboxStatus.QUEUED, age=timedelta(minutes=20))
        response = client.get("/readyz")
        assert response.status_code == 503
        outbox = response.get_json()["checks"]["outbox"]
        assert outbox["status"] == "failing"
        assert outbox["figures"]["oldest_waiting_seconds"] >= 1200
        assert outbox["figures"]["depth"]["queued"] == 1
        db.session.rollback()


def test_readyz_checks_redis_when_configured(make_app):
    app = make_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    with app.app_context():
        response = app.test_client().get("/readyz")
        assert response.status_code == 503
        assert response.get_json()["checks"]["redis"]["status"] == "failing"
        db.session.rollback()


@pytest.mark.skipif(subprocess.run(["redis-cli", "ping"], capture_output=True,  # noqa: S607
                                   check=False).returncode != 0
                    if os.path.exists("/usr/bin/redis-cli") else True,
                    reason="no Redis on this host")
def test_readyz_passes_with_a_live_redis(make_app):
    app = make_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15")
    with app.app_context():
        response = app.test_client().get("/readyz")
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["checks"]["redis"]["status"] == "ok"
        db.session.rollback()


def test_probes_are_never_rate_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True, SIGNIN_RATE_LIMIT="1 per minute")
    with app.app_context():
        client = app.test_client()
        for _ in range(30):
            assert client.get("/healthz").status_code == 200
        db.session.rollback()


def test_successful_probes_stay_out_of_the_access_log():
    quiet = QuietProbes()

    def line(text):
        return logging.LogRecord("werkzeug", logging.INFO, __file__, 1, text, None, None)

    assert not quiet.filter(line('127.0.0.1 - - [x] "GET /healthz HTTP/1.1" 200 -'))
    assert not quiet.filter(line('10.0.0.2 - - [x] "GET /readyz HTTP/1.1" 200 412 "-" "lb"'))
    assert quiet.filter(line('10.0.0.2 - - [x] "GET /readyz HTTP/1.1" 503 412 "-" "lb"'))
    assert quiet.filter(line('10.0.0.2 - - [x] "GET /events HTTP/1.1" 200 412 "-" "lb"'))


# ---- metrics ------------------------------------------------------------------------------

def _value(text: str, name: str) -> float:
    """The value of one sample line, e.g. `name{label="x"}`."""
    for row in text.splitlines():
        if row.startswith(name + " "):
            return float(row.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_from_loopback_only_without_a_token(app, client):
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    assert "Set-Cookie" not in response.headers
    assert client.get("/metrics", environ_base=OUTSIDE).status_code == 404
    # through a proxy on this host: the scraper is not local
    assert client.get("/metrics", headers={"X-Forwarded-For": "198.51.100.4"}).status_code == 404


def test_metrics_with_a_token_need_the_bearer(make_app):
    app = make_app(METRICS_TOKEN="s3cret-token")
    with app.app_context():
        client = app.test_client()
        assert client.get("/metrics").status_code == 403
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
        assert client.get("/metrics", headers={"Authorization": "Basic s3cret-token"}
                          ).status_code == 403
        response = client.get("/metrics", environ_base=OUTSIDE,
                              headers={"Authorization": "Bearer s3cret-token"})
        assert response.status_code == 200
        assert "joint_events_outbox_messages" in response.text
        db.session.rollback()


def test_metrics_count_requests_signin_failures_feeds_outbox_and_registrations(app, client):
    before = client.get("/metrics").text
    event = make_event()
    make_registration(event, make_user())
    _mail(OutboxStatus.DEAD)
    _mail(OutboxStatus.QUEUED, age=timedelta(minutes=5))
    make_user(email="known@example.org")
    db.session.commit()
    assert client.get("/").status_code == 200
    assert client.post("/signin", data={"email": "known@example.org",
                                        "password": "wrong password"}).status_code == 401
    assert client.get("/calendar.ics").status_code == 200
    text = client.get("/metrics").text

    index = 'joint_events_request_seconds_count{endpoint="planning.index",method="GET"}'
    assert _value(text, index) == _value(before, index) + 1
    bucket = 'joint_events_request_seconds_bucket{endpoint="planning.index",le="+Inf",method="GET"}'
    assert _value(text, bucket) == _value(before, bucket) + 1
    ok = 'joint_events_responses_total{endpoint="planning.index",status="2xx"}'
    assert _value(text, ok) == _value(before, ok) + 1
    failures = "joint_events_signin_failures_total"
    assert _value(text, failures) == _value(before, failures) + 1
    feed = 'joint_events_feed_build_seconds_count{endpoint="calendar.public_feed"}'
    assert _value(text, feed) == _value(before, feed) + 1
    assert _value(text, 'joint_events_feed_bytes_sum{endpoint="calendar.public_feed"}') > 0
    assert _value(text, 'joint_events_outbox_messages{status="dead"}') == 1
    assert _value(text, 'joint_events_outbox_messages{status="queued"}') == 1
    assert _value(text, "joint_events_outbox_dead_messages") == 1
    assert _value(text, "joint_events_outbox_oldest_waiting_seconds") >= 300
    assert _value(text, "joint_events_registrations_total") == 1
    assert _value(text, "joint_events_registrations_last_minute") == 1
    assert _value(text, "joint_events_worker_heartbeat_age_seconds") == -1


MULTIPROCESS_SCRIPT = """
import sys
from app import create_app
from events.ops.metrics import SIGNIN_FAILURES, exposition
app = create_app({"TESTING": True, "SECRET_KEY": "x", "TASK_QUEUE_URL": "immediate",
                  "SQLALCHEMY_DATABASE_URI": sys.argv[1]})
SIGNIN_FAILURES.inc()
if sys.argv[2] == "scrape":
    with app.app_context():
        sys.stdout.write(exposition().decode())
"""


def test_metrics_add_up_over_several_worker_processes(database_url, tmp_path):
    """gunicorn workers are processes: with PROMETHEUS_MULTIPROC_DIR each writes its values
    there and any of them answers /metrics with the sum."""
    directory = tmp_path / "prometheus"
    directory.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    url = database_url if "://" in str(database_url) else f"sqlite:///{database_url}"
    for mode in ("count", "count"):
        subprocess.run([sys.executable, "-c", MULTIPROCESS_SCRIPT, url, mode],  # noqa: S603
                       cwd=ROOT,
                       env=env, check=True, timeout=120)
    scraped = subprocess.run([sys.executable, "-c", MULTIPROCESS_SCRIPT, url,  # noqa: S603
                              "scrape"],
                             cwd=ROOT, env=env, check=True, timeout=120, capture_output=True,
                             text=True).stdout
    assert _value(scraped, "joint_events_signin_failures_total") == 3
    assert "joint_events_outbox_messages" in scraped
