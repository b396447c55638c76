"""The admins' outbox page and the dead-mail count in the staff area."""

from datetime import timedelta

import sqlalchemy as sa

from events.db import utcnow
from events.enums import OutboxStatus, Role
from events.extensions import db
from events.mail import queue_mail
from events.outbox.models import OutboxMessage
from tests.conftest import login
from tests.factories import make_user


def _message(address: str, status: OutboxStatus, attempts: int, error: str = ""):
    row = queue_mail(address, "Hello %(n)s", "verify_email", n=1, link="https://x.test/v",
                     user=None)
    row.status, row.attempts, row.last_error = status, attempts, error
    return row


def test_admin_sees_dead_and_failed_mail_and_sends_it_again(app, client, outbox):
    admin = make_user(Role.ADMIN)
    dead = _message("gone@example.org", OutboxStatus.DEAD, 13, "SMTPRecipientsRefused: 550")
    failed = _message("slow@example.org", OutboxStatus.QUEUED, 2, "TimeoutError: timed out")
    failed.next_attempt_at = utcnow() + timedelta(minutes=5)
    db.session.commit()
    login(client, admin)

    staff_area = client.get("/staff").get_data(as_text=True)
    assert "1 mail could not be delivered." in staff_area
    page = client.get("/outbox/?show=dead").get_data(as_text=True)
    assert "gone@example.org" in page
    assert "SMTPRecipientsRefused: 550" in page
    assert "Dead (1)" in page
    assert "Failed, to retry (1)" in page
    page = client.get("/outbox/").get_data(as_text=True)
    assert "slow@example.org" in page
    assert "TimeoutError: timed out" in page

    response = client.post("/outbox/send-again", data={"all_dead": "1"})
    assert response.status_code == 303
    db.session.expire_all()
    # Sent again at once (the test worker runs when woken), with a fresh retry schedule.
    assert dead.status == OutboxStatus.SENT
    assert [m.recipients for m in outbox] == [["gone@example.org"]]
    assert failed.status == OutboxStatus.QUEUED   # not chosen: waits for its own next attempt
    assert "could not be delivered" not in client.get("/staff").get_data(as_text=True)


def test_choosing_nothing_is_a_clear_message(app, client):
    login(client, make_user(Role.ADMIN))
    db.session.commit()
    response = client.post("/outbox/send-again", data={"message": ["x", "99999999999"]},
                           follow_redirects=True)
    assert "Choose the messages to send again." in response.get_data(as_text=True)


def test_sent_mail_cannot_be_sent_again(app, client):
    row = _message("done@example.org", OutboxStatus.SENT, 1)
    login(client, make_user(Role.ADMIN))
    db.session.commit()
    client.post("/outbox/send-again", data={"message": [str(row.id)]})
    db.session.expire_all()
    assert row.status == OutboxStatus.SENT
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1


def test_staff_and_coordinators_cannot_see_the_outbox(app, client):
    for role in (Role.STAFF, Role.COORDINATOR, Role.RESIDENT):
        person = make_user(role)
        db.session.commit()
        login(client, person)
        assert client.get("/outbox/").status_code == 403
        assert client.post("/outbox/send-again", data={"all_dead": "1"}).status_code == 403
