"""Migration 0013_questions: the status CHECK accepts "pending" afterwards (on SQLite and
PostgreSQL alike) and still refuses made-up statuses; the downgrade turns pending
registrations into cancelled ones and takes "pending" away again."""

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from events.extensions import db
from tests.test_migrations import scratch_app, scratch_url  # noqa: F401 - fixtures


def _set_status(status: str) -> None:
    with db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE registrations SET status = :s"), {"s": status})


def _status() -> str:
    with db.engine.connect() as conn:
        return conn.execute(sa.text("SELECT status FROM registrations")).scalar_one()


def test_status_check_takes_pending_and_the_downgrade_cancels_it(scratch_app):  # noqa: F811
    from tests.factories import make_event, make_registration

    upgrade(revision="heads")
    make_registration(make_event())
    db.session.commit()
    db.session.remove()
    _set_status("pending")
    assert _status() == "pending"
    with pytest.raises(sa.exc.IntegrityError):
        _set_status("maybe")
    downgrade(revision="0011_series")
    assert _status() == "cancelled"
    with pytest.raises(sa.exc.IntegrityError):
        _set_status("pending")
    tables = set(sa.inspect(db.engine).get_table_names())
    assert "registration_questions" not in tables
    upgrade(revision="heads")
    _set_status("pending")
    assert _status() == "pending"
