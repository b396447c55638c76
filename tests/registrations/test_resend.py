""""Send my confirmation again" on My events: a fresh cancel link replaces the old one."""

from datetime import timedelta

import icalendar
import pytest

from events.enums import EventStatus, RegistrationStatus
from events.errors import Conflict, NotAllowed
from events.extensions import db
from events.registrations.services import hash_token, resend_confirmation
from tests.conftest import login
from tests.factories import make_registration, make_user
from tests.registrations.helpers import cancel_token_from

OLD_TOKEN = "o" * 43


@pytest.fixture
def seat(event, residents):
    return make_registration(event, residents[0], cancel_token_hash=hash_token(OLD_TOKEN))


def test_owner_gets_the_confirmation_again_with_a_new_link(app, client, event, residents, seat,
                                                          outbox):
    login(client, residents[0])
    db.session.commit()
    page = client.get("/my/events").get_data(as_text=True)
    assert f'action="/registrations/{seat.id}/resend"' in page
    response = client.post(f"/registrations/{seat.id}/resend")
    assert response.status_code == 302
    assert response.location.endswith("/my/events")
    (message,) = outbox
    assert message.recipients == [residents[0].email]
    assert message.subject == f"You are registered: {event.title}"
    token = cancel_token_from(message)
    assert token != OLD_TOKEN
    db.session.refresh(seat)
    assert seat.cancel_token_hash == hash_token(token)
    calendar = icalendar.Calendar.from_ical(message.attachments[0].data)
    assert str(calendar["METHOD"]) == "REQUEST"
    page = client.get("/my/events").get_data(as_text=True)
    assert "with a new cancel link; earlier links no longer work" in page
    # The old link is dead; the new one works.
    assert client.get(f"/cancel/{OLD_TOKEN}").status_code == 404
    assert client.get(f"/cancel/{token}").status_code == 200


def test_waitlisted_person_gets_the_waitlist_mail_again(app, client, event, residents, outbox):
    make_registration(event, residents[1])
    make_registration(event, residents[2])
    waiting = make_registration(event, residents[0], status=RegistrationStatus.WAITLISTED,
                                confirmed_at=None, cancel_token_hash=hash_token(OLD_TOKEN))
    login(client, residents[0])
    db.session.commit()
    assert client.post(f"/registrations/{waiting.id}/resend").status_code == 302
    (message,) = outbox
    assert message.subject.startswith("You are on the waitlist")
    assert "you are number 1" in message.body
    assert not message.attachments
    assert client.get(f"/cancel/{OLD_TOKEN}").status_code == 404
    assert client.get(f"/cancel/{cancel_token_from(message)}").status_code == 200


def test_a_promoted_person_gets_a_cancel_link_at_last(app, client, event, residents, outbox):
    """The promotion mail carries no link (the secret is not stored): this gives one."""
    now = event.starts_at - timedelta(days=3)
    promoted = make_registration(event, residents[0], registered_at=now - timedelta(days=1),
                                 confirmed_at=now, cancel_token_hash=None)
    login(client, residents[0])
    db.session.commit()
    client.post(f"/registrations/{promoted.id}/resend")
    (message,) = outbox
    token = cancel_token_from(message)
    response = client.post(f"/cancel/{token}")
    assert response.status_code == 200
    db.session.refresh(promoted)
    assert promoted.status == RegistrationStatus.CANCELLED


def test_someone_elses_registration_is_404_and_changes_nothing(app, client, residents, seat,
                                                             outbox):
    login(client, residents[1])
    db.session.commit()
    assert client.post(f"/registrations/{seat.id}/resend").status_code == 404
    assert client.post("/registrations/999999/resend").status_code == 404
    db.session.refresh(seat)
    assert seat.cancel_token_hash == hash_token(OLD_TOKEN)
    assert not outbox


def test_visitors_are_sent_to_sign_in(app, client, seat, outbox):
    db.session.commit()
    response = client.post(f"/registrations/{seat.id}/resend")
    assert response.status_code == 302
    assert "/signin" in response.location
    assert not outbox


def test_cancelled_or_finished_registrations_have_nothing_to_send(app, client, event, residents,
                                                                 outbox):
    cancelled = make_registration(event, residents[0], status=RegistrationStatus.CANCELLED,
                                  cancel_token_hash=hash_token(OLD_TOKEN))
    login(client, residents[0])
    db.session.commit()
    page = client.get("/my/events").get_data(as_text=True)
    assert "/resend" not in page
    response = client.post(f"/registrations/{cancelled.id}/resend")
    assert response.status_code == 409
    assert "nothing to send" in response.get_data(as_text=True)
    db.session.refresh(cancelled)
    assert cancelled.cancel_token_hash == hash_token(OLD_TOKEN)
    assert not outbox


@pytest.mark.usefixtures("in_request")
def test_the_rule_refuses_others_and_events_that_are_over(app, event, residents, seat):
    with pytest.raises(NotAllowed):
        resend_confirmation(residents[1], seat)
    with pytest.raises(NotAllowed):
        resend_confirmation(None, seat)
    event.status = EventStatus.CANCELLED
    with pytest.raises(Conflict):
        resend_confirmation(residents[0], seat)
    event.status = EventStatus.SCHEDULED
    event.starts_at -= timedelta(days=30)
    event.ends_at -= timedelta(days=30)
    with pytest.raises(Conflict):
        resend_confirmation(residents[0], seat)


def test_the_button_speaks_russian(app, client, event, seat):
    person = make_user(locale="ru")
    make_registration(event, person)
    login(client, person)
    db.session.commit()
    page = client.get("/my/events").get_data(as_text=True)
    assert "Отправить подтверждение ещё раз" in page
