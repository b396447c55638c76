"""0012_series_slots: every occurrence existing before it stands for the date it is on."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from events.extensions import db
from events.partners.models import Partner
from events.planning.models import Event, Series
from tests.test_migrations import scratch_app, scratch_url  # noqa: F401 — fixtures


def test_upgrade_fills_the_slots_of_occurrences_only(scratch_app):  # noqa: F811
    upgrade(revision="0011_series")
    starts = datetime(2027, 3, 3, 9, 0, tzinfo=UTC)
    with db.engine.begin() as conn:
        conn.execute(sa.insert(Partner.__table__).values(
            id=1, slug="bpc", name="BPC", short_name="BPC", color="#123456"))
        conn.execute(sa.insert(Series.__table__).values(
            id=1, title="Weekly", lead_partner_id=1, timezone="Europe/Berlin",
            frequency="weekly", interval=1, weekdays="2", count=2))
        for event_id, series_id in ((1, 1), (2, 1), (3, None)):
            moment = starts + timedelta(days=7 * event_id)
            conn.execute(sa.insert(Event.__table__).values(
                id=event_id, title=f"Event {event_id}", category="workshop",
                format="online", starts_at=moment, ends_at=moment + timedelta(hours=1),
                timezone="Europe/Berlin", audience="public", status="scheduled",
                series_id=series_id))
    upgrade(revision="0012_series_slots")
    slots = dict(db.session.execute(sa.select(Event.id, Event.recurrence_start)).all())
    assert slots == {1: starts + timedelta(days=7), 2: starts + timedelta(days=14), 3: None}
    db.session.remove()
    downgrade(revision="0011_series")
    assert "recurrence_start" not in {
        c["name"] for c in sa.inspect(db.engine).get_columns("events")}
