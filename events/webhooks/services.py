"""Webhook endpoints and their deliveries as plain functions: who may manage a partner's
endpoints, checking the URL, and `emit`, which writes one delivery row per subscribed endpoint
in the caller's transaction (the worker sends them after the commit; delivery.py)."""

import json
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from events.audit.services import record
from events.auth.permissions import can_manage_webhooks
from events.db import utcnow
from events.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from events.extensions import db
from events.net import refusal_of_target
from events.outbox.services import PENDING_FLAG
from events.webhooks.models import (
    EVENT_TYPES,
    TEST_TYPE,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
)
from events.webhooks.signing import new_message_id, new_secret

URL_MAX = 500
DESCRIPTION_MAX = 200
MAX_ENDPOINTS = 10  # per partner
RESOLVE_SECONDS = 5


def check_can_manage(actor, partner) -> None:
    if not can_manage_webhooks(actor, partner.id):
        raise NotAllowed(_("Only the partner's coordinators and admins manage its webhooks."))


def endpoint_of(actor, partner, endpoint_id: int) -> WebhookEndpoint:
    """The partner's endpoint, for someone who may manage it; another partner's is not found."""
    check_can_manage(actor, partner)
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.partner_id != partner.id:
        raise NotFound(_("There is no such webhook."))
    return endpoint


def endpoints_of(partner) -> list[WebhookEndpoint]:
    return list(db.session.scalars(sa.select(WebhookEndpoint)
                                   .where(WebhookEndpoint.partner_id == partner.id)
                                   .order_by(WebhookEndpoint.id)))


def clean_url(url: str | None) -> str:
    """The URL as stored, or ValidationFailed saying what is wrong with it: the same rules as
    delivery (events.net), checked now so that the mistake shows beside the field."""
    url = (url or "").strip()
    if not url:
        raise ValidationFailed(_("Enter the address to send to."), field="url")
    if len(url) > URL_MAX:
        raise ValidationFailed(_("Use at most %(n)d characters.", n=URL_MAX), field="url")
    if not url.isascii() or any(c.isspace() or ord(c) < 32 for c in url):
        raise ValidationFailed(_("Write the address in its ASCII form, without spaces: "
                                 "punycode for the host, percent-encoding for the path."),
                               field="url")
    refusal = refusal_of_target(url, deadline=RESOLVE_SECONDS)
    messages = {
        "scheme": _("Enter an http:// or https:// address with a host name."),
        "unresolved": _("The host of this address could not be found."),
        "private": _("This address points inside a private network or to this machine; "
                     "webhooks go to public addresses only."),
    }
    if refusal:
        raise ValidationFailed(messages[refusal], field="url")
    return url


def _clean(values: dict) -> dict:
    types = [t for t in EVENT_TYPES if t in set(values.get("event_types") or ())]
    if not types:
        raise ValidationFailed(_("Choose at least one kind of event to send."),
                               field="event_types")
    description = (values.get("description") or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise ValidationFailed(_("Use at most %(n)d characters.", n=DESCRIPTION_MAX),
                               field="description")
    return {"url": clean_url(values.get("url")), "description": description,
            "event_types": " ".join(types), "is_enabled": bool(values.get("is_enabled"))}


def create_endpoint(actor, partner, **values) -> WebhookEndpoint:
    """Register an endpoint for the partner, with a fresh secret."""
    check_can_manage(actor, partner)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(WebhookEndpoint)
                              .where(WebhookEndpoint.partner_id == partner.id))
    if count >= MAX_ENDPOINTS:
        raise Conflict(_("A partner may have at most %(n)d webhooks.", n=MAX_ENDPOINTS),
                       field="url")
    endpoint = WebhookEndpoint(partner=partner, secret=new_secret(), created_by_id=actor.id,
                               **_clean(values))
    db.session.add(endpoint)
    db.session.flush()
    record(actor, "webhook.create", endpoint, {"url": [None, endpoint.url]})
    return endpoint


def update_endpoint(actor, endpoint: WebhookEndpoint, **values) -> dict:
    check_can_manage(actor, endpoint.partner)
    changes = {}
    for name, value in _clean(values).items():
        if getattr(endpoint, name) != value:
            changes[name] = [getattr(endpoint, name), value]
            setattr(endpoint, name, value)
    if changes:
        db.session.flush()
        record(actor, "webhook.update", endpoint, changes)
    return changes


def rotate_secret(actor, endpoint: WebhookEndpoint) -> str:
    """A new secret; messages signed from now on use it (the old one stops working)."""
    check_can_manage(actor, endpoint.partner)
    endpoint.secret = new_secret()
    endpoint.secret_rotated_at = utcnow()
    db.session.flush()
    record(actor, "webhook.rotate_secret", endpoint)
    return endpoint.secret


def delete_endpoint(actor, endpoint: WebhookEndpoint) -> None:
    """Remove the endpoint with its deliveries and their log."""
    check_can_manage(actor, endpoint.partner)
    record(actor, "webhook.delete", endpoint, {"url": [endpoint.url, None]})
    db.session.execute(sa.delete(WebhookDelivery)
                       .where(WebhookDelivery.endpoint_id == endpoint.id))
    db.session.delete(endpoint)
    db.session.flush()


def body_of(event_type: str, data: dict, *, at: datetime | None = None) -> str:
    """The JSON every receiver gets: {"type", "timestamp", "data"} (Standard Webhooks)."""
    return json.dumps({"type": event_type,
                       "timestamp": (at or utcnow()).isoformat().replace("+00:00", "Z"),
                       "data": data}, ensure_ascii=False, sort_keys=True)


def _queue(endpoint: WebhookEndpoint, event_type: str, body: str) -> WebhookDelivery:
    delivery = WebhookDelivery(endpoint=endpoint, event_type=event_type,
                               message_id=new_message_id(), payload=body,
                               status=DeliveryStatus.QUEUED, attempts=0,
                               next_attempt_at=utcnow(), last_error="")
    db.session.add(delivery)
    db.session.info[PENDING_FLAG] = True  # the worker is woken after the commit
    return delivery


def emit(event_type: str, partner_ids, data: dict) -> list[WebhookDelivery]:
    """Queue `event_type` for every enabled endpoint of these partners subscribed to it, in
    the current transaction: it is sent only if the change commits."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type: {event_type!r}")
    ids = {i for i in partner_ids if i is not None}
    if not ids:
        return []
    endpoints = db.session.scalars(
        sa.select(WebhookEndpoint).where(WebhookEndpoint.partner_id.in_(ids),
                                         WebhookEndpoint.is_enabled)
        .order_by(WebhookEndpoint.id)).all()
    wanted = [e for e in endpoints if e.wants(event_type)]
    if not wanted:
        return []
    body = body_of(event_type, data)
    return [_queue(endpoint, event_type, body) for endpoint in wanted]


def send_test(actor, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A "webhook.test" message to this endpoint only, to try the receiver out."""
    check_can_manage(actor, endpoint.partner)
    if not endpoint.is_enabled:
        raise Conflict(_("This webhook is switched off; switch it on to send to it."))
    data = {"partner": endpoint.partner.slug, "endpoint_id": endpoint.id,
            "message": "A test from Joint Events."}
    return _queue(endpoint, TEST_TYPE, body_of(TEST_TYPE, data))


def send_again(actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """By hand: the same message (same webhook-id and body) back in the queue, due now, with
    a fresh retry schedule. One being sent right now is left alone."""
    check_can_manage(actor, delivery.endpoint.partner)
    row = db.session.scalar(sa.select(WebhookDelivery).where(WebhookDelivery.id == delivery.id)
                            .with_for_update())
    if row.status == DeliveryStatus.SENDING and row.claimed_until and \
            row.claimed_until > utcnow():
        raise Conflict(_("This message is being sent right now."))
    if not row.endpoint.is_enabled:
        raise Conflict(_("This webhook is switched off; switch it on to send to it."))
    row.status = DeliveryStatus.QUEUED
    row.attempts = 0
    row.next_attempt_at = utcnow()
    row.claimed_by = row.claimed_until = None
    db.session.info[PENDING_FLAG] = True
    return row


def deliveries_of(endpoint: WebhookEndpoint, limit: int = 50) -> list[WebhookDelivery]:
    from sqlalchemy.orm import selectinload

    return list(db.session.scalars(
        sa.select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
        .options(selectinload(WebhookDelivery.attempt_log))
        .order_by(WebhookDelivery.id.desc()).limit(limit)))


def forget_old_deliveries(now: datetime | None = None) -> int:
    """Delivered messages older than OUTBOX_KEEP_DAYS go, with their log (not an archive)."""
    cutoff = (now or utcnow()) - timedelta(days=current_app.config["OUTBOX_KEEP_DAYS"])
    result = db.session.execute(sa.delete(WebhookDelivery).where(
        WebhookDelivery.status == DeliveryStatus.DELIVERED,
        WebhookDelivery.delivered_at < cutoff))
    return result.rowcount or 0
