"""Personal data: download as JSON, delete the account, anonymise attendees of old events."""

import json
from datetime import timedelta

import sqlalchemy as sa

from events.audit.models import AuditEntry
from events.audit.services import record
from events.auth.personal_data import anonymise_past_attendees
from events.calendar.models import FeedToken
from events.calendar.tokens import issue_feed_token
from events.db import utcnow
from events.enums import Role
from events.extensions import db
from events.registrations.queries import event_counts
from tests.conftest import login
from tests.factories import PASSWORD, make_event, make_registration, make_user


def test_download_my_data(app, client):
    user = make_user(name="Maria Ivanova", email="maria@genotek.example")
    event = make_event(title="Biotech day")
    make_registration(event, user, checked_in_at=None)
    issue_feed_token(user, secret_key=app.config["SECRET_KEY"])
    db.session.commit()
    login(client, user)
    response = client.get("/account/data.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["account"]["email"] == "maria@genotek.example"
    assert data["account"]["name"] == "Maria Ivanova"
    assert data["registrations"][0]["event"] == "Biotech day"
    assert data["private_feed"]["exists"] is True
    assert "token" not in json.dumps(data["private_feed"]).replace("exists", "")
    assert "password" not in response.get_data(as_text=True).replace("password_changed_at", "")


def test_delete_my_account_keeps_counts_and_revokes_everything(app, client):
    user = make_user(name="Maria Ivanova", email="maria@genotek.example")
    event = make_event()
    registration = make_registration(event, user)
    token = issue_feed_token(user, secret_key=app.config["SECRET_KEY"])
    staff = make_user(Role.STAFF, event.lead_partner)
    record(user, "user.create", user, {"email": [None, user.email]})
    db.session.commit()
    before = event_counts(event)
    login(client, user)
    wrong = client.post("/account/delete", data={"password": "nope"})
    assert wrong.status_code == 422
    response = client.post("/account/delete", data={"password": PASSWORD})
    assert response.status_code == 302
    db.session.expire_all()
    assert event_counts(event) == before
    assert registration.anonymised_at is not None
    assert user.name != "Maria Ivanova"
    assert "maria" not in user.email
    assert db.session.scalar(sa.select(FeedToken).where(FeedToken.user_id == user.id)) is None
    trail = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.subject_type == "users", AuditEntry.subject_id == user.id))
    assert "maria" not in str([entry.changes for entry in trail])
    assert client.get(f"/feeds/{token}.ics").status_code == 404
    assert client.get("/account").status_code == 302  # signed out
    refused = app.test_client().post("/signin", data={"email": "maria@genotek.example",
                                                      "password": PASSWORD})
    assert refused.status_code == 401
    login(client, staff)
    page = client.get(f"/events/{event.id}/attendees").get_data(as_text=True)
    assert "Anonymised attendee" in page
    assert "Maria" not in page
    # The address is free again for a new account.
    assert client.post("/signout").status_code == 302


def test_retention_anonymises_attendees_of_old_events_only(app):
    now = utcnow()
    old = make_event(starts_at=now - timedelta(days=400), ends_at=now - timedelta(days=399))
    recent = make_event(starts_at=now - timedelta(days=10), ends_at=now - timedelta(days=9))
    gone, kept = make_registration(old), make_registration(recent)
    assert anonymise_past_attendees(0) == 0  # setting off
    assert anonymise_past_attendees(365, now=now) == 1
    db.session.expire_all()
    assert gone.anonymised_at is not None
    assert kept.anonymised_at is None
    assert anonymise_past_attendees(365, now=now) == 0  # once


def test_retention_command(app, runner):
    now = utcnow()
    make_registration(make_event(starts_at=now - timedelta(days=40),
                                 ends_at=now - timedelta(days=39)))
    db.session.commit()
    off = runner.invoke(args=["auth", "anonymise-attendees"])
    assert "retention is off" in off.output
    app.config["ATTENDEE_RETENTION_DAYS"] = 30
    result = runner.invoke(args=["auth", "anonymise-attendees"])
    assert result.exit_code == 0, result.output
    assert "anonymised 1" in result.output


def test_the_worker_anonymises_once_a_day_after_the_retention_period(app):
    from events.outbox.worker import daily

    now = utcnow()
    registration = make_registration(make_event(starts_at=now - timedelta(days=40),
                                                 ends_at=now - timedelta(days=39)))
    db.session.commit()
    assert daily() == 0                          # retention off by default
    app.config["ATTENDEE_RETENTION_DAYS"] = 30
    assert daily() == 1
    db.session.expire_all()
    assert registration.anonymised_at is not None
    huey = app.extensions["huey"]
    assert "worker.daily" in {type(task).__name__ for task in huey._registry.periodic_tasks}
