"""Series fixtures: the planning world, and the values of a weekly Berlin series that
crosses the spring clock change."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from events.enums import Audience, Category, EventFormat
from events.planning.recurrence import WEEKLY, Pattern
from tests.planning.conftest import World

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def world(app):
    return World()


@pytest.fixture
def values(world):
    """A two-hour workshop on Wednesdays at 10:00 Berlin time from 17 March 2027 (the clocks
    go forward on 28 March), as the event form gives them: wall times in the zone."""
    return {
        "title": "Mentor office hours", "summary": "Bring your questions",
        "description": "", "category": Category.WORKSHOP, "format": EventFormat.IN_PERSON,
        "venue": world.room, "online_url": None,
        "starts_at": datetime(2027, 3, 17, 10, 0, tzinfo=BERLIN),
        "ends_at": datetime(2027, 3, 17, 12, 0, tzinfo=BERLIN),
        "timezone": "Europe/Berlin", "capacity": 2, "audience": Audience.PUBLIC,
    }


@pytest.fixture
def weekly():
    """Three Wednesdays: 17, 24 and 31 March 2027."""
    return Pattern(WEEKLY, weekdays=(2,), count=3)
