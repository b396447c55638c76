"""0012_series_slots: every occurrence existing before it stands for the date it is on."""

import warnings
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from events.extensions import db
from tests.test_migrations import scratch_app, scratch_url  # noqa: F401 — fixtures


def insert(conn, table_name: str, **values) -> None:
    """A row in the table as the database has it at this revision (the models hold columns
    later migrations add): NOT NULL columns without a default that are not given get an
    empty value of their type."""
    with warnings.catch_warnings():  # the users table's lower(email) index is not read
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
        table = sa.Table(table_name, sa.MetaData(), autoload_with=conn)
    for column in table.columns:
        if column.name in values or column.nullable or column.server_default is not None \
                or column.primary_key:
            continue
        try:
            kind = column.type.python_type
        except NotImplementedError:
            kind = str
        values[column.name] = {bool: False, int: 0, datetime: datetime(2026, 11, 27,
                                                                       tzinfo=UTC)}.get(kind, "")
    conn.execute(sa.insert(table).values(**values))


def test_upgrade_fills_the_slots_of_occurrences_only(scratch_app):  # noqa: F811
    upgrade(revision="0011_series")
    starts = datetime(2027, 3, 3, 9, 0, tzinfo=UTC)
    with db.engine.begin() as conn:
        insert(conn, "partners", id=1, slug="bpc", name="BPC", short_name="BPC",
               color="#123456")
        insert(conn, "series", id=1, title="Weekly", lead_partner_id=1,
               timezone="Europe/Berlin", frequency="weekly", interval=1, weekdays="2",
               count=2)
        for event_id, series_id in ((1, 1), (2, 1), (3, None)):
            moment = starts + timedelta(days=7 * event_id)
            insert(conn, "events", id=event_id, uid=f"uid-{event_id}",
                   title=f"Event {event_id}", category="workshop", format="online",
                   starts_at=moment, ends_at=moment + timedelta(hours=1),
                   timezone="Europe/Berlin", audience="public", status="scheduled",
                   series_id=series_id)
    upgrade(revision="0012_series_slots")
    with db.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, recurrence_start FROM events")).all()
    slots = {}
    for event_id, value in rows:
        if value is not None and not isinstance(value, datetime):
            value = datetime.fromisoformat(str(value))  # SQLite hands back text
        slots[event_id] = value.replace(tzinfo=value.tzinfo or UTC) if value else None
    assert slots == {1: starts + timedelta(days=7), 2: starts + timedelta(days=14), 3: None}
    db.session.remove()
    downgrade(revision="0011_series")
    assert "recurrence_start" not in {
        c["name"] for c in sa.inspect(db.engine).get_columns("events")}
