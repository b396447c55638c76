"""Each of the five kinds is queued where the change happens, in its transaction, and only for
the partners of the event: the lead and those that accepted to co-host or support."""

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from events.db import utcnow
from events.enums import EventStatus, InvolvementRole, InvolvementState, RegistrationStatus, Role
from events.extensions import db
from events.outbox.services import PENDING_FLAG
from events.planning.services import cancel_event, schedule_event, update_event
from events.registrations.models import Registration
from events.registrations.services import (
    cancel_registration,
    register,
    resend_confirmation,
)
from events.webhooks.models import WebhookDelivery
from tests.factories import make_event, make_involvement, make_partner, make_user, make_venue
from tests.webhooks.conftest import make_endpoint


@pytest.fixture
def scene(app):
    """A proposed event led by `lead`, co-hosted by `cohost` (accepted), with a supporter that
    declined and a partner that takes no part; every partner has an endpoint for everything."""
    lead, cohost, declined, outsider = (make_partner() for _ in range(4))
    event = make_event(lead, status=EventStatus.PROPOSED, venue=make_venue(lead),
                       starts_at=(utcnow() + timedelta(days=7)).replace(microsecond=0))
    make_involvement(event, cohost)
    make_involvement(event, declined, role=InvolvementRole.SUPPORTER,
                     state=InvolvementState.DECLINED)
    endpoints = {name: make_endpoint(partner, f"https://{name}.example.org/hook")
                 for name, partner in (("lead", lead), ("cohost", cohost),
                                       ("declined", declined), ("outsider", outsider))}
    coordinator = make_user(Role.COORDINATOR, partner=lead)
    db.session.flush()
    return event, endpoints, coordinator


def queued(event_type: str) -> dict[int, dict]:
    db.session.flush()
    rows = db.session.scalars(sa.select(WebhookDelivery)
                              .where(WebhookDelivery.event_type == event_type))
    return {row.endpoint_id: json.loads(row.payload) for row in rows}


def receivers(endpoints, event_type) -> set[str]:
    found = queued(event_type)
    return {name for name, endpoint in endpoints.items() if endpoint.id in found}


def test_emission_event_scheduled_reaches_the_lead_and_accepted_partners_only(scene):
    event, endpoints, coordinator = scene
    schedule_event(coordinator, event)
    assert receivers(endpoints, "event.scheduled") == {"lead", "cohost"}
    payload = next(iter(queued("event.scheduled").values()))
    assert payload["type"] == "event.scheduled"
    assert payload["data"]["event"]["id"] == event.id
    assert payload["data"]["event"]["status"] == "scheduled"
    assert {p["role"] for p in payload["data"]["event"]["partners"]} == {"host", "co-host"}


def test_emission_event_changed_lists_what_changed(scene):
    event, endpoints, coordinator = scene
    schedule_event(coordinator, event)
    update_event(coordinator, event, title="A new title")
    assert receivers(endpoints, "event.changed") == {"lead", "cohost"}
    payload = next(iter(queued("event.changed").values()))
    assert payload["data"]["changed"] == ["title"]
    assert payload["data"]["event"]["title"] == "A new title"


def test_emission_event_changed_is_silent_before_scheduling(scene):
    event, _endpoints, coordinator = scene
    update_event(coordinator, event, title="Still a proposal")
    assert queued("event.changed") == {}


def test_emission_event_cancelled(scene):
    event, endpoints, coordinator = scene
    schedule_event(coordinator, event)
    cancel_event(coordinator, event, "The speaker is ill")
    assert receivers(endpoints, "event.cancelled") == {"lead", "cohost"}
    payload = next(iter(queued("event.cancelled").values()))
    assert payload["data"]["event"]["cancel_reason"] == "The speaker is ill"


def test_emission_registration_confirmed_and_cancelled(scene):
    event, endpoints, coordinator = scene
    schedule_event(coordinator, event)
    resident = make_user()
    registration = register(resident, event).registration
    assert receivers(endpoints, "registration.confirmed") == {"lead", "cohost"}
    payload = next(iter(queued("registration.confirmed").values()))
    assert payload["data"]["registration"] == {
        "id": registration.id, "status": "confirmed",
        "registered_at": payload["data"]["registration"]["registered_at"],
        "confirmed_at": payload["data"]["registration"]["confirmed_at"], "cancelled_at": None}
    assert resident.email not in json.dumps(payload)   # no personal data leaves
    cancel_registration(resident, registration)
    assert receivers(endpoints, "registration.cancelled") == {"lead", "cohost"}
    assert next(iter(queued("registration.cancelled").values()))[
        "data"]["registration"]["status"] == RegistrationStatus.CANCELLED.value


def test_emission_registration_confirmed_when_moved_up_from_the_waitlist(scene):
    event, _endpoints, coordinator = scene
    event.capacity = 1
    db.session.flush()
    schedule_event(coordinator, event)
    first, second = make_user(), make_user()
    seat = register(first, event).registration
    register(second, event)
    def confirmed() -> list[int]:
        db.session.flush()
        return [json.loads(row.payload)["data"]["registration"]["id"]
                for row in db.session.scalars(sa.select(WebhookDelivery).where(
                    WebhookDelivery.event_type == "registration.confirmed"))]

    assert sorted(confirmed()) == [seat.id, seat.id]   # one seat, two endpoints; none waiting
    cancel_registration(first, seat)
    moved_up = db.session.scalar(sa.select(Registration).where(Registration.user_id == second.id))
    assert moved_up.status == RegistrationStatus.CONFIRMED
    assert sorted(confirmed()) == sorted([seat.id, seat.id, moved_up.id, moved_up.id])


def test_emission_respects_subscriptions_and_switched_off_endpoints(scene):
    event, endpoints, coordinator = scene
    endpoints["lead"].event_types = "registration.confirmed"
    endpoints["cohost"].is_enabled = False
    schedule_event(coordinator, event)
    assert receivers(endpoints, "event.scheduled") == set()


def test_emission_rolls_back_with_the_change(scene):
    event, _endpoints, coordinator = scene
    db.session.commit()
    schedule_event(coordinator, event)
    assert queued("event.scheduled")
    assert db.session.info.get(PENDING_FLAG)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookDelivery)) == 0
    assert not db.session.info.get(PENDING_FLAG)
    assert db.session.get(type(event), event.id).status == EventStatus.PROPOSED


def test_emission_sending_the_confirmation_again_is_no_new_seat(scene):
    event, _endpoints, coordinator = scene
    schedule_event(coordinator, event)
    resident = make_user()
    registration = register(resident, event).registration
    assert len(queued("registration.confirmed")) == 2  # lead and co-host, once each
    resend_confirmation(resident, registration)
    resend_confirmation(resident, registration)
    db.session.flush()
    assert db.session.scalar(sa.select(sa.func.count(WebhookDelivery.id)).where(
        WebhookDelivery.event_type == "registration.confirmed")) == 2


def test_emission_a_person_staff_add_to_the_list_is_a_seat_too(scene):
    from events.registrations.staff import add_person

    event, endpoints, coordinator = scene
    schedule_event(coordinator, event)
    person = make_user(email="walk.in@example.org")
    add_person(coordinator, event, email=person.email)
    assert receivers(endpoints, "registration.confirmed") == {"lead", "cohost"}
