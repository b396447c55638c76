"""Factory functions: make_<thing>(**overrides) builds a valid row and flushes it."""

import itertools
from datetime import timedelta

from werkzeug.security import generate_password_hash

from events.auth.models import PASSWORD_METHOD, User
from events.contributions.models import Contribution
from events.db import utcnow
from events.enums import (
    Audience,
    Category,
    ContributionKind,
    EventFormat,
    EventStatus,
    InvolvementRole,
    InvolvementState,
    RegistrationStatus,
    Residency,
    Role,
)
from events.extensions import db
from events.partners.models import Partner, Venue
from events.planning.models import Event, Involvement
from events.registrations.models import Registration

PASSWORD = "correct-horse-battery"
_HASH = generate_password_hash(PASSWORD, method=PASSWORD_METHOD)
_seq = itertools.count(1)


def make_partner(**overrides) -> Partner:
    n = next(_seq)
    values = {"slug": f"partner-{n}", "name": f"Partner {n}", "short_name": f"P{n}",
              "color": "#123456"}
    partner = Partner(**(values | overrides))
    db.session.add(partner)
    db.session.flush()
    return partner


def make_venue(partner=None, **overrides) -> Venue:
    n = next(_seq)
    values = {"partner": partner or make_partner(), "site": "Main site", "building": "A",
              "name": f"Room {n}", "capacity": 50, "address": "1 Test street"}
    venue = Venue(**(values | overrides))
    db.session.add(venue)
    db.session.flush()
    return venue


def make_user(role=Role.RESIDENT, partner=None, **overrides) -> User:
    n = next(_seq)
    role = Role(role)
    if role in (Role.STAFF, Role.COORDINATOR) and partner is None:
        partner = make_partner()
    # A confirmed resident with a verified address unless told otherwise (guest: residency
    # PENDING, or email_verified_at=None).
    values = {"email": f"user{n}@example.org", "name": f"User {n}", "role": role,
              "partner": partner, "password_hash": _HASH, "email_verified_at": utcnow(),
              "residency": Residency.CONFIRMED if role == Role.RESIDENT else None,
              "company": f"Company {n}" if role == Role.RESIDENT else ""}
    user = User(**(values | overrides))
    db.session.add(user)
    db.session.flush()
    return user


def make_event(lead=None, **overrides) -> Event:
    """A scheduled public event a week ahead, hosted by `lead` (a new partner by default)."""
    lead = lead or make_partner()
    starts = (utcnow() + timedelta(days=7)).replace(microsecond=0)
    values = {"title": f"Event {next(_seq)}", "category": Category.SEMINAR,
              "format": EventFormat.IN_PERSON, "starts_at": starts,
              "ends_at": starts + timedelta(hours=2), "timezone": "Europe/Moscow",
              "capacity": 10, "audience": Audience.PUBLIC, "status": EventStatus.SCHEDULED}
    event = Event(**(values | overrides))
    db.session.add(event)
    db.session.add(Involvement(event=event, partner=lead, role=InvolvementRole.HOST,
                               state=InvolvementState.ACCEPTED))
    db.session.flush()
    return event


def make_involvement(event, partner=None, **overrides) -> Involvement:
    values = {"event": event, "partner": partner or make_partner(),
              "role": InvolvementRole.CO_HOST, "state": InvolvementState.ACCEPTED}
    involvement = Involvement(**(values | overrides))
    db.session.add(involvement)
    db.session.flush()
    db.session.refresh(event, ["involvements"])
    return involvement


def make_contribution(event, partner, **overrides) -> Contribution:
    values = {"event": event, "partner": partner, "kind": ContributionKind.CATERING,
              "description": "Coffee"}
    item = Contribution(**(values | overrides))
    db.session.add(item)
    db.session.flush()
    return item


def make_registration(event, user=None, **overrides) -> Registration:
    values = {"event": event, "user": user or make_user(),
              "status": RegistrationStatus.CONFIRMED, "confirmed_at": utcnow()}
    registration = Registration(**(values | overrides))
    db.session.add(registration)
    db.session.flush()
    return registration
