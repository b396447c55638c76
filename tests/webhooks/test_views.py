"""The partner's webhooks pages: who may open them, the URL checked at registration with a
clear message, the secret shown and rotated, a test message and "send again" delivered by
the worker woken after the commit, and a registration reaching the partner's receiver."""

import json

import pytest
import sqlalchemy as sa

from events.enums import Role
from events.extensions import db
from events.webhooks.models import EVENT_TYPES, DeliveryStatus, WebhookDelivery, WebhookEndpoint
from tests.conftest import login
from tests.factories import make_event, make_partner, make_user
from tests.webhooks.conftest import make_endpoint


@pytest.fixture
def partner(app):
    return make_partner()


def form(url: str, types=EVENT_TYPES, **extra) -> dict:
    return {"url": url, "description": "CRM", "event_types": list(types), "is_enabled": "y",
            **extra}


def test_views_coordinator_registers_an_endpoint_and_sees_its_secret(app, client, partner,
                                                                     receiver):
    login(client, make_user(Role.COORDINATOR, partner=partner))
    response = client.post(f"/partners/{partner.slug}/webhooks/new",
                           data=form(receiver.url, types=["event.scheduled", "event.changed"]))
    assert response.status_code == 303
    endpoint = db.session.scalar(sa.select(WebhookEndpoint))
    assert endpoint.partner_id == partner.id
    assert endpoint.types == ["event.scheduled", "event.changed"]
    assert endpoint.secret.startswith("whsec_")
    shown = client.get(response.headers["Location"])
    assert endpoint.secret in shown.get_data(as_text=True)
    assert shown.headers["Cache-Control"] == "no-store"   # the secret stays out of caches
    assert receiver.url in client.get(f"/partners/{partner.slug}/webhooks/").get_data(
        as_text=True)


@pytest.mark.parametrize(("url", "message"), [
    ("http://127.0.0.1:8080/hook", "private network or to this machine"),
    ("http://10.1.2.3/hook", "private network or to this machine"),
    ("http://[::1]/hook", "private network or to this machine"),
    ("http://169.254.169.254/latest/meta-data", "private network or to this machine"),
    ("ftp://example.org/hook", "http:// or https://"),
    ("hooks.example.org", "http:// or https://"),
    ("http://[example.org/hook", "http:// or https://"),  # no URL at all: a 4xx, not a 500
    ("", "Enter the address"),
])
def test_views_private_or_malformed_urls_are_refused_beside_the_field(app, client, partner,
                                                                      url, message):
    login(client, make_user(Role.COORDINATOR, partner=partner))
    response = client.post(f"/partners/{partner.slug}/webhooks/new", data=form(url))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookEndpoint)) == 0


def test_views_an_endpoint_needs_something_to_send(app, client, partner, receiver):
    login(client, make_user(Role.COORDINATOR, partner=partner))
    response = client.post(f"/partners/{partner.slug}/webhooks/new",
                           data=form(receiver.url, types=[]))
    assert response.status_code == 422
    assert "Choose at least one" in response.get_data(as_text=True)


def test_views_other_partners_staff_are_refused(app, client, partner):
    endpoint = make_endpoint(partner, "https://hooks.example.org/x")
    other = make_partner()
    base = f"/partners/{partner.slug}/webhooks"
    pages = [f"{base}/", f"{base}/new", f"{base}/{endpoint.id}",
             f"{base}/{endpoint.id}/deliveries"]
    posts = [f"{base}/{endpoint.id}/rotate", f"{base}/{endpoint.id}/test",
             f"{base}/{endpoint.id}/delete", f"{base}/{endpoint.id}"]
    secret = endpoint.secret
    for user in (make_user(Role.COORDINATOR, partner=other), make_user(Role.STAFF, partner=other),
                 make_user(Role.STAFF, partner=partner), make_user()):
        login(client, user)
        for path in pages:
            assert client.get(path).status_code == 403, (user.role, path)
        for path in posts:
            assert client.post(path, data=form("https://x.example.org/")).status_code == 403
    # Through its own partner's address, another partner's endpoint does not exist.
    login(client, make_user(Role.COORDINATOR, partner=other))
    assert client.get(f"/partners/{other.slug}/webhooks/{endpoint.id}").status_code == 404
    assert client.post(f"/partners/{other.slug}/webhooks/{endpoint.id}/rotate").status_code \
        == 404
    db.session.expire_all()
    assert db.session.get(WebhookEndpoint, endpoint.id).secret == secret


def test_views_admins_manage_every_partners_webhooks(app, client, partner):
    endpoint = make_endpoint(partner, "https://hooks.example.org/x")
    login(client, make_user(Role.ADMIN))
    assert client.get(f"/partners/{partner.slug}/webhooks/").status_code == 200
    assert client.get(f"/partners/{partner.slug}/webhooks/{endpoint.id}").status_code == 200
    assert "Webhooks" in client.get(f"/partners/{partner.slug}").get_data(as_text=True)


def test_views_rotating_makes_a_new_secret(app, client, partner):
    endpoint = make_endpoint(partner, "https://hooks.example.org/x")
    old = endpoint.secret
    login(client, make_user(Role.COORDINATOR, partner=partner))
    response = client.post(f"/partners/{partner.slug}/webhooks/{endpoint.id}/rotate")
    assert response.status_code == 303
    db.session.expire_all()
    fresh = db.session.get(WebhookEndpoint, endpoint.id)
    assert fresh.secret != old
    assert fresh.secret.startswith("whsec_")
    assert fresh.secret_rotated_at is not None


def test_views_edit_and_switch_off(app, client, partner, receiver):
    endpoint = make_endpoint(partner, receiver.url)
    login(client, make_user(Role.COORDINATOR, partner=partner))
    response = client.post(f"/partners/{partner.slug}/webhooks/{endpoint.id}",
                           data={"url": receiver.url, "description": "Off for now",
                                 "event_types": ["event.cancelled"]})
    assert response.status_code == 303
    db.session.expire_all()
    endpoint = db.session.get(WebhookEndpoint, endpoint.id)
    assert (endpoint.is_enabled, endpoint.types, endpoint.description) == (
        False, ["event.cancelled"], "Off for now")


def test_views_send_test_and_send_again_reach_the_receiver(app, client, partner, receiver):
    endpoint = make_endpoint(partner, receiver.url)
    login(client, make_user(Role.COORDINATOR, partner=partner))
    base = f"/partners/{partner.slug}/webhooks/{endpoint.id}"

    assert client.post(f"{base}/test").status_code == 303   # the worker runs after the commit
    [first] = receiver.received
    assert json.loads(first.body)["type"] == "webhook.test"
    page = client.get(f"{base}/deliveries").get_data(as_text=True)
    for shown in ("webhook.test", "HTTP 204", "Received"):
        assert shown in page

    delivery = db.session.scalar(sa.select(WebhookDelivery))
    assert client.post(f"{base}/deliveries/{delivery.id}/send-again").status_code == 303
    assert len(receiver.received) == 2
    again = receiver.received[1]
    assert again.headers["webhook-id"] == first.headers["webhook-id"]
    assert again.body == first.body
    db.session.expire_all()
    delivery = db.session.get(WebhookDelivery, delivery.id)
    assert delivery.status == DeliveryStatus.DELIVERED
    assert len(delivery.attempt_log) == 2


def test_views_send_again_of_another_endpoints_delivery_is_not_found(app, client, partner):
    mine = make_endpoint(partner, "https://a.example.org/x")
    theirs = make_endpoint(make_partner(), "https://b.example.org/x")
    delivery = WebhookDelivery(endpoint=theirs, event_type="event.scheduled",
                               message_id="msg_theirs", payload="{}")
    db.session.add(delivery)
    login(client, make_user(Role.COORDINATOR, partner=partner))
    response = client.post(f"/partners/{partner.slug}/webhooks/{mine.id}/deliveries/"
                           f"{delivery.id}/send-again")
    assert response.status_code == 404


def test_views_delete_removes_the_endpoint_and_its_deliveries(app, client, partner):
    endpoint = make_endpoint(partner, "https://a.example.org/x")
    db.session.add(WebhookDelivery(endpoint=endpoint, event_type="event.scheduled",
                                   message_id="msg_gone", payload="{}"))
    login(client, make_user(Role.COORDINATOR, partner=partner))
    assert client.post(f"/partners/{partner.slug}/webhooks/{endpoint.id}/delete").status_code \
        == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookEndpoint)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookDelivery)) == 0


def test_views_a_registration_reaches_the_lead_partners_receiver(app, client, partner,
                                                                 receiver):
    event = make_event(partner)
    make_endpoint(partner, receiver.url, types=["registration.confirmed"])
    resident = make_user()
    login(client, resident)
    response = client.post(f"/events/{event.id}/register")
    assert response.status_code in (302, 303)
    [got] = receiver.received
    body = json.loads(got.body)
    assert body["type"] == "registration.confirmed"
    assert body["data"]["event"]["id"] == event.id


def test_views_a_non_ascii_address_is_refused_beside_the_field(app, client, partner):
    login(client, make_user(Role.COORDINATOR, partner=partner))
    response = client.post(f"/partners/{partner.slug}/webhooks/new",
                           data=form("https://example.org/приём"))
    assert response.status_code == 422
    assert "ASCII form" in response.get_data(as_text=True)
