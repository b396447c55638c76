"""Migration 0010_tickets: registrations made before it get a ticket secret each, distinct,
and the downgrade takes the column away again."""

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from events.extensions import db
from tests.test_migrations import scratch_app, scratch_url  # noqa: F401 - fixtures


def test_existing_registrations_get_distinct_ticket_secrets(scratch_app):  # noqa: F811
    from events.enums import RegistrationStatus
    from tests.factories import make_event, make_registration

    upgrade(revision="heads")
    event = make_event()
    make_registration(event)
    make_registration(event, status=RegistrationStatus.WAITLISTED, confirmed_at=None)
    db.session.commit()
    db.session.remove()
    downgrade(revision="0007_operations")  # rows made before tickets existed
    columns = {c["name"] for c in sa.inspect(db.engine).get_columns("registrations")}
    assert "ticket_secret" not in columns
    upgrade(revision="0010_tickets")
    with db.engine.connect() as conn:
        secrets = conn.execute(sa.text("SELECT ticket_secret FROM registrations")).scalars().all()
    assert len(secrets) == 2
    assert len(set(secrets)) == 2
    assert all(len(s) >= 20 for s in secrets)
