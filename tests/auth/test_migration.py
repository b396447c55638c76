"""Upgrading a database from before verification: existing residents stay confirmed residents,
every account gets its own session token and look-alike key."""

import sqlalchemy as sa
from flask_migrate import upgrade

from events.extensions import db
from tests.test_migrations import scratch_app, scratch_url  # noqa: F401 — fixtures


def test_existing_accounts_are_carried_over(scratch_app):  # noqa: F811
    upgrade(revision="0001_initial")
    with db.engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO partners (id, slug, name, short_name, description, color, created_at) "
            "VALUES (1, 'p', 'P', 'P', '', '#123456', CURRENT_TIMESTAMP)"))
        for n, (email, role) in enumerate([("maria@genotek.example", "resident"),
                                           ("staff@northern.example", "staff")], start=1):
            conn.execute(sa.text(
                "INSERT INTO users (id, email, name, password_hash, role, partner_id, company,"
                " site_partner_id, is_active, created_at) VALUES (:id, :email, 'X', 'h', :role,"
                " :partner, '', :site, true, CURRENT_TIMESTAMP)"),
                {"id": n, "email": email, "role": role,
                 "partner": 1 if role == "staff" else None,
                 "site": 1 if role == "resident" else None})
    upgrade(revision="heads")
    from events.auth.models import User

    maria, staff = db.session.scalars(sa.select(User).order_by(User.id)).all()
    assert maria.is_confirmed_resident
    assert staff.is_verified
    assert staff.residency is None
    assert maria.session_token != staff.session_token
    assert maria.email_key == "maria@genotek.example"
