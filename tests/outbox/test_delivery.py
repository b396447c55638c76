"""The outbox against real SMTP servers on 127.0.0.1: a mail commits or rolls back with its
change, the request never talks to SMTP, and the worker's delivery survives a relay that is
down, hangs or drops the connection mid-message — every message arrives exactly once when the
relay is back, one bad address fails alone, and two workers never send one message twice."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from events.db import utcnow
from events.enums import OutboxStatus
from events.extensions import db
from events.mail import queue_mail
from events.outbox import delivery
from events.outbox.models import OutboxMessage
from events.outbox.services import queued_messages, requeue
from events.registrations.services import register
from tests.conftest import drain_in_two_workers, login
from tests.factories import make_event, make_user
from tests.outbox.smtp import RecordingSmtp, SilentServer, free_port


@pytest.fixture
def smtp_app(make_app, tmp_path):
    """An app as production runs it: SMTP backend, a real task queue (SQLite file: the web
    only enqueues a wake-up, nothing runs it), a 1 s socket timeout."""

    def build(port: int, timeout: int = 1):
        app = make_app(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port,
                       MAIL_TIMEOUT=timeout, TASK_QUEUE_URL=f"sqlite:///{tmp_path}/queue.sqlite3")
        return app

    return build


@pytest.fixture
def relay():
    """A healthy SMTP server that keeps what it receives (it can drop or refuse on demand)."""
    server = RecordingSmtp(free_port()).start()
    yield server
    server.stop()


def _mail(address: str, n: int = 0) -> OutboxMessage:
    return queue_mail(address, "Hello %(n)s", "verify_email", n=n, link="https://x.test/v",
                      user=None)


def _statuses() -> dict[int, str]:
    db.session.expire_all()
    return {m.id: m.status.value for m in db.session.scalars(sa.select(OutboxMessage))}


def test_a_rolled_back_change_leaves_no_mail_and_a_committed_one_keeps_it(app, outbox):
    event = make_event(capacity=5)
    person = make_user()
    db.session.commit()
    register(person, event)
    assert [m.recipient for m in queued_messages()] == [person.email]
    db.session.rollback()
    assert queued_messages() == []
    registration = register(person, event).registration
    db.session.commit()
    [row] = queued_messages()
    assert row.recipient == person.email
    assert row.kind == "registration_confirmed"
    assert registration.id
    assert outbox == []


def test_the_request_never_talks_to_smtp_and_the_mail_waits_for_the_relay(smtp_app):
    silent = SilentServer()                      # a relay that accepts and hangs
    app = smtp_app(silent.port)
    try:
        with app.app_context():
            event = make_event(capacity=5)
            person = make_user()
            db.session.commit()
            client = app.test_client()
            login(client, person)
            response = client.post(f"/events/{event.id}/register")
            assert response.status_code == 302
            assert silent.accepted == []         # the request did not even connect
            [row] = queued_messages()
            assert row.status == OutboxStatus.QUEUED
            assert row.attempts == 0

            outcome = delivery.deliver_due()     # the worker: the relay hangs, 1 s timeout
            assert (outcome.sent, outcome.retry, outcome.dead) == (0, 1, 0)
            db.session.expire_all()
            assert row.status == OutboxStatus.QUEUED
            assert row.attempts == 1
            assert "timed out" in row.last_error.lower() or "timeout" in row.last_error.lower()
            assert row.next_attempt_at > utcnow()
    finally:
        silent.stop()


def test_relay_down_then_back_every_message_arrives_exactly_once(smtp_app):
    port = free_port()
    app = smtp_app(port)
    with app.app_context():
        rows = [_mail(f"person{n}@example.org", n) for n in range(5)]
        db.session.commit()
        outcome = delivery.deliver_due()        # nothing listens on the port
        assert (outcome.sent, outcome.retry) == (0, 5)
        assert set(_statuses().values()) == {"queued"}
        assert all("refused" in r.last_error.lower() for r in rows)

        server = RecordingSmtp(port).start()
        try:
            assert delivery.deliver_due().sent == 0      # not due yet: backoff is respected
            later = utcnow() + timedelta(minutes=2)
            assert delivery.deliver_due(now=later).sent == 5
            assert delivery.deliver_due(now=later + timedelta(days=2)).sent == 0
            assert sorted(server.message_ids()) == sorted(r.message_id for r in rows)
            assert set(_statuses().values()) == {"sent"}
        finally:
            server.stop()


def test_a_relay_dropping_mid_message_gets_the_message_again_once(smtp_app, relay):
    relay.drop_next = 1
    app = smtp_app(relay.port)
    with app.app_context():
        rows = [_mail(f"person{n}@example.org", n) for n in range(3)]
        db.session.commit()
        first = delivery.deliver_due()
        assert first.retry == 1
        assert first.sent == 2
        [retried] = [r for r in rows if _statuses()[r.id] == "queued"]
        assert retried.attempts == 1
        assert retried.last_error
        assert delivery.deliver_due(now=utcnow() + timedelta(minutes=2)).sent == 1
        ids = relay.message_ids()
        assert sorted(ids) == sorted(r.message_id for r in rows)   # each once


def test_one_bad_address_fails_alone(smtp_app, relay):
    app = smtp_app(relay.port)
    with app.app_context():
        good1 = _mail("first@example.org", 1)
        refused = _mail("refused@example.org", 2)     # the relay says 550
        broken = _mail("a@example.org\nBcc: everyone@example.org", 3)  # header injection
        good2 = _mail("last@example.org", 4)
        db.session.commit()
        outcome = delivery.deliver_due()
        assert (outcome.sent, outcome.retry, outcome.dead) == (2, 0, 2)
        statuses = _statuses()
        assert statuses[refused.id] == statuses[broken.id] == "dead"
        assert statuses[good1.id] == statuses[good2.id] == "sent"
        assert "550" in refused.last_error
        assert sorted(relay.recipients()) == ["first@example.org", "last@example.org"]


def test_retries_run_out_after_more_than_a_day_then_an_admin_sends_again(smtp_app):
    port = free_port()
    app = smtp_app(port)
    with app.app_context():
        row = _mail("late@example.org")
        db.session.commit()
        now = utcnow()
        waited = timedelta()
        for attempt in range(1, len(delivery.RETRY_MINUTES) + 2):
            delivery.deliver_due(now=now + waited)
            db.session.expire_all()
            assert row.attempts == attempt
            if row.status == OutboxStatus.DEAD:
                break
            waited = row.next_attempt_at - now
        assert row.status == OutboxStatus.DEAD
        assert waited > timedelta(hours=24)
        assert requeue([row.id]) == 1
        db.session.commit()
        server = RecordingSmtp(port).start()
        try:
            assert delivery.deliver_due().sent == 1
            assert server.message_ids() == [row.message_id]
        finally:
            server.stop()


def test_a_dead_workers_claim_runs_out_and_another_worker_sends_it(smtp_app, relay):
    app = smtp_app(relay.port)
    with app.app_context():
        row = _mail("someone@example.org")
        db.session.commit()
        assert delivery.claim() == [row.id]          # a worker claims it, then dies
        assert delivery.deliver_due().sent == 0      # the lease still holds
        lease = timedelta(seconds=app.config["OUTBOX_LEASE_SECONDS"] + 1)
        assert delivery.deliver_due(now=utcnow() + lease).sent == 1
        assert relay.message_ids() == [row.message_id]


@pytest.mark.parametrize("messages", [120])
def test_two_workers_never_send_one_message_twice(smtp_app, relay, messages):
    app = smtp_app(relay.port, timeout=30)   # this machine may be busy; only a dead relay is slow
    with app.app_context():
        rows = [_mail(f"p{n}@example.org", n) for n in range(messages)]
        db.session.commit()
        expected = sorted(r.message_id for r in rows)
    drain_in_two_workers(app, delivery.deliver_batch, limit=7)
    assert sorted(relay.message_ids()) == expected      # all, and each exactly once
    with app.app_context():
        assert set(_statuses().values()) == {"sent"}
        assert set(db.session.scalars(sa.select(OutboxMessage.attempts))) == {1}


def test_wake_up_lost_is_not_mail_lost(make_app, tmp_path):
    """The task queue is unreachable (Redis down): the request still succeeds and the mail
    stays in the outbox for the minute's sweep."""
    app = make_app(TASK_QUEUE_URL=f"redis://127.0.0.1:{free_port()}/0")
    with app.app_context():
        event = make_event(capacity=5)
        person = make_user()
        db.session.commit()
        client = app.test_client()
        login(client, person)
        assert client.post(f"/events/{event.id}/register").status_code == 302
        [row] = queued_messages()
        assert row.recipient == person.email

