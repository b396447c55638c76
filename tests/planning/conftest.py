"""Planning fixtures: two partners with staff and coordinators, a room, valid event values."""

from datetime import timedelta

import pytest

from events.db import utcnow
from events.enums import Audience, Category, EventFormat, Role
from tests.factories import make_partner, make_user, make_venue


class World:
    """Partner A (lead) and partner B, each with a staff member and a coordinator."""

    def __init__(self):
        self.a = make_partner(slug="alpha", short_name="Alpha", name="Alpha Cluster")
        self.b = make_partner(slug="beta", short_name="Beta", name="Beta Park")
        self.staff_a = make_user(Role.STAFF, self.a, name="Ann Staff", locale="en")
        self.coord_a = make_user(Role.COORDINATOR, self.a, name="Alice Coord", locale="en")
        self.staff_b = make_user(Role.STAFF, self.b, name="Bob Staff", locale="ru")
        self.coord_b = make_user(Role.COORDINATOR, self.b, name="Boris Coord", locale="ru")
        self.admin = make_user(Role.ADMIN, name="Ada Admin")
        self.resident = make_user(Role.RESIDENT, name="Rita Resident")
        self.room = make_venue(self.a, name="Hall", capacity=40)


@pytest.fixture
def world(app):
    return World()


@pytest.fixture
def values(world):
    """Keyword arguments of a valid in-person event ten days ahead, two hours long."""
    starts = (utcnow() + timedelta(days=10)).replace(second=0, microsecond=0)
    return {
        "title": "Bioreactor workshop", "summary": "Scale-up in practice",
        "description": "**Hands-on** session", "category": Category.WORKSHOP,
        "format": EventFormat.IN_PERSON, "venue": world.room, "starts_at": starts,
        "ends_at": starts + timedelta(hours=2), "timezone": "Europe/Moscow", "capacity": 30,
        "audience": Audience.PUBLIC,
    }
