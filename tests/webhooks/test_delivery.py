"""The worker's side: a delivery reaches a real HTTP server signed as the spec says, failures
(500, no answer in time) are retried on the outbox's schedule until one succeeds, exactly
once, and private addresses are refused without a connection."""

import base64
import hashlib
import hmac
import json
import socket
from datetime import timedelta

import pytest
import sqlalchemy as sa
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from events.db import utcnow
from events.extensions import db
from events.outbox.delivery import retry_delay
from events.webhooks import services
from events.webhooks.delivery import deliver_due
from events.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery
from tests.conftest import drain_in_two_workers
from tests.factories import make_partner
from tests.webhooks.conftest import HANG, make_endpoint


def queue_one(endpoint) -> WebhookDelivery:
    [delivery] = services.emit("event.scheduled", [endpoint.partner_id],
                               {"event": {"id": 1, "title": "Открытая лекция"}})
    db.session.commit()
    return delivery


def attempts_of(delivery) -> list[WebhookAttempt]:
    return list(db.session.scalars(sa.select(WebhookAttempt).where(
        WebhookAttempt.delivery_id == delivery.id).order_by(WebhookAttempt.id)))


def test_delivery_reaches_a_local_server_signed_and_verifiable(app, receiver):
    endpoint = make_endpoint(make_partner(), receiver.url)
    delivery = queue_one(endpoint)
    secret, message_id = endpoint.secret, delivery.message_id

    outcome = deliver_due()

    assert outcome.delivered == 1
    [got] = receiver.received
    assert got.path == "/hook"
    headers = {k.lower(): v for k, v in got.headers.items()}
    assert headers["webhook-id"] == message_id
    assert headers["content-type"] == "application/json"
    # Verified as a receiver would, with its own HMAC over "id.timestamp.body".
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + got.body
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert hmac.compare_digest(headers["webhook-signature"], expected)
    # ... and as a receiver using the spec's package would (timestamp within five minutes).
    assert Webhook(secret).verify(got.body, got.headers)["type"] == "event.scheduled"
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(got.body + b" ", got.headers)
    body = json.loads(got.body)
    assert body["type"] == "event.scheduled"
    assert body["data"]["event"]["title"] == "Открытая лекция"
    db.session.expire_all()
    row = db.session.get(WebhookDelivery, delivery.id)
    assert row.status == DeliveryStatus.DELIVERED
    [attempt] = attempts_of(row)
    assert attempt.status_code == 204
    assert attempt.duration_ms >= 0
    assert attempt.error == ""


def test_delivery_retries_after_500_and_a_timeout_then_succeeds_exactly_once(app, receiver):
    app.config["WEBHOOK_TIMEOUT"] = 0.5
    receiver.answers = [500, HANG, 200]
    endpoint = make_endpoint(make_partner(), receiver.url)
    delivery = queue_one(endpoint)
    now = utcnow()

    first = deliver_due(now=now)
    assert (first.delivered, first.retry) == (0, 1)
    db.session.expire_all()
    row = db.session.get(WebhookDelivery, delivery.id)
    assert row.status == DeliveryStatus.QUEUED
    assert row.next_attempt_at == now + retry_delay(1)   # the outbox's schedule
    assert deliver_due(now=now).claimed == []             # not due again before then

    second = deliver_due(now=now + retry_delay(1))
    assert (second.delivered, second.retry) == (0, 1)
    later = now + retry_delay(1) + retry_delay(2)
    third = deliver_due(now=later)
    assert third.delivered == 1
    assert deliver_due(now=later + timedelta(days=2)).claimed == []

    assert len(receiver.received) == 3
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1
    assert len({r.body for r in receiver.received}) == 1
    db.session.expire_all()
    row = db.session.get(WebhookDelivery, delivery.id)
    assert row.status == DeliveryStatus.DELIVERED
    log = attempts_of(row)
    assert [a.status_code for a in log] == [500, None, 200]
    assert log[0].error == "HTTP 500"
    assert log[1].error == "no answer in time"  # the kind of failure, never its details


def test_delivery_is_dead_when_the_retries_run_out(app, receiver):
    receiver.answers = [503] * 20
    endpoint = make_endpoint(make_partner(), receiver.url)
    delivery = queue_one(endpoint)
    when = utcnow()
    for attempt in range(1, 20):
        deliver_due(now=when)
        delay = retry_delay(attempt)
        if delay is None:
            break
        when += delay
    db.session.expire_all()
    row = db.session.get(WebhookDelivery, delivery.id)
    assert row.status == DeliveryStatus.DEAD
    assert row.attempts == len(attempts_of(row)) == 13


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/hook", "http://10.0.0.1/hook",
                                 "http://169.254.169.254/latest", "http://[::1]/hook"])
def test_delivery_to_a_private_address_is_refused_without_connecting(app, monkeypatch, url):
    endpoint = make_endpoint(make_partner(), url)
    delivery = queue_one(endpoint)

    def no_connection(*args, **kwargs):
        raise AssertionError("connected to a refused address")

    monkeypatch.setattr(socket, "create_connection", no_connection)
    outcome = deliver_due()

    assert outcome.retry == 1
    db.session.expire_all()
    [attempt] = attempts_of(db.session.get(WebhookDelivery, delivery.id))
    assert attempt.status_code is None
    assert attempt.error


def test_delivery_does_not_follow_a_redirect(app, receiver):
    receiver.answers = [302]
    delivery = queue_one(make_endpoint(make_partner(), receiver.url))
    outcome = deliver_due()
    assert outcome.retry == 1
    assert len(receiver.received) == 1
    db.session.expire_all()
    assert [a.status_code for a in attempts_of(db.session.get(WebhookDelivery,
                                                              delivery.id))] == [302]


def test_delivery_to_a_switched_off_endpoint_is_dead_unsent(app, receiver):
    endpoint = make_endpoint(make_partner(), receiver.url)
    delivery = queue_one(endpoint)
    endpoint.is_enabled = False
    db.session.commit()
    assert deliver_due().dead == 1
    assert receiver.received == []
    db.session.expire_all()
    assert db.session.get(WebhookDelivery, delivery.id).status == DeliveryStatus.DEAD


def test_delivery_after_a_worker_died_waits_for_its_lease(app, receiver):
    from events.webhooks import delivery as sender

    row = queue_one(make_endpoint(make_partner(), receiver.url))
    assert sender.claim() == [row.id]            # a worker claims it, then dies
    assert deliver_due().delivered == 0          # the lease still holds
    lease = timedelta(seconds=app.config["OUTBOX_LEASE_SECONDS"] + 1)
    assert deliver_due(now=utcnow() + lease).delivered == 1
    assert len(receiver.received) == 1


def test_delivery_two_workers_never_send_one_message_twice(app, receiver):

    from events.webhooks import delivery as sender

    endpoint = make_endpoint(make_partner(), receiver.url)
    ids = [services.emit("event.changed", [endpoint.partner_id], {"n": n})[0].message_id
           for n in range(40)]
    db.session.commit()
    drain_in_two_workers(app, sender.deliver_batch, limit=3)
    assert sorted(r.headers["webhook-id"] for r in receiver.received) == sorted(ids)
    assert set(db.session.scalars(sa.select(WebhookDelivery.attempts))) == {1}


def test_delivery_by_hand_with_the_outbox_command(app, runner, receiver):
    queue_one(make_endpoint(make_partner(), receiver.url))
    result = runner.invoke(args=["outbox", "deliver"])
    assert result.exit_code == 0, result.output
    assert "webhooks: 1 delivered, 0 to retry, 0 dead" in result.output
    assert len(receiver.received) == 1


def test_delivery_to_an_address_http_cannot_write_fails_alone(app, receiver):
    broken = queue_one(make_endpoint(make_partner(), receiver.url + "/приём"))
    fine = queue_one(make_endpoint(make_partner(), receiver.url))
    outcome = deliver_due()
    assert (outcome.delivered, outcome.retry) == (1, 1)
    db.session.expire_all()
    [attempt] = attempts_of(db.session.get(WebhookDelivery, broken.id))
    assert attempt.error
    assert db.session.get(WebhookDelivery, fine.id).status == DeliveryStatus.DELIVERED
