"""Whatever text arrives (from the form, the CLI or a calendar import), create_event either
stores it or refuses it with a domain error: never a database error, on either database."""

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.db import utcnow
from events.enums import Audience, Category, EventFormat
from events.errors import DomainError
from events.extensions import db
from events.planning.services import create_event

TEXT = st.text(st.characters(codec="utf-8"), max_size=300)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=TEXT, summary=TEXT, description=TEXT, url=st.one_of(st.none(), TEXT),
       zone=st.one_of(st.just("Europe/Moscow"), TEXT), online=st.booleans())
def test_create_event_stores_or_refuses_any_text(world, title, summary, description, url,
                                                  zone, online):
    starts = utcnow() + timedelta(days=3)
    db.session.commit()
    try:
        event = create_event(
            world.staff_a, title=title, summary=summary, description=description,
            category=Category.OTHER, format=EventFormat.ONLINE if online else
            EventFormat.IN_PERSON, venue=None if online else world.room, online_url=url,
            starts_at=starts, ends_at=starts + timedelta(hours=1), timezone=zone,
            audience=Audience.PUBLIC,
        )
        db.session.flush()
        assert "\x00" not in event.title + event.summary + event.description
    except DomainError:
        pass
    finally:
        db.session.rollback()
