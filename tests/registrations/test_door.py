"""Tickets and the door: the signed token, the printable ticket, the scan's one explicit answer
for each case, the check-in window for the scanner and the attendee list's buttons alike."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from events.audit.models import AuditEntry
from events.db import utcnow
from events.enums import EventStatus, RegistrationStatus
from events.errors import Conflict, NotAllowed
from events.extensions import db
from events.registrations.door import Outcome, check_in_by_ticket, checkin_refusal
from events.registrations.services import cancel_registration, check_in, register
from events.registrations.tickets import secret_from_token, ticket_token
from tests.conftest import login
from tests.factories import make_event, make_partner, make_registration, make_user


def soon(**overrides):
    """An event whose check-in is open: it starts in 45 minutes."""
    starts = utcnow().replace(microsecond=0) + timedelta(minutes=45)
    return make_event(**({"starts_at": starts, "ends_at": starts + timedelta(hours=2)}
                         | overrides))


def check_ins(registration) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "registration.check_in",
        AuditEntry.subject_id == registration.id))


# ---- the token ------------------------------------------------------------------------------

def test_ticket_token_is_signed_and_not_the_registration_id(app):
    event = make_event()
    first, second = make_registration(event), make_registration(event)
    token = ticket_token(first)
    assert token != ticket_token(second)
    # The code carries the random ticket secret and its signature, nothing derived from the id.
    assert token.split(".")[0] == first.ticket_secret
    assert first.ticket_secret != second.ticket_secret
    assert len(first.ticket_secret) >= 20
    assert secret_from_token(token) == first.ticket_secret
    _secret, signature = token.rsplit(".", 1)
    forged = f"{second.ticket_secret}.{signature}"
    assert secret_from_token(forged) is None
    assert secret_from_token(first.ticket_secret) is None  # the bare secret is not a ticket
    assert secret_from_token("") is None
    assert secret_from_token("ж" * 40) is None
    assert secret_from_token("x" * 500) is None


def test_ticket_token_needs_the_apps_secret_key(app):
    registration = make_registration(make_event())
    token = ticket_token(registration)
    app.config["SECRET_KEY"] = "another-key"
    assert secret_from_token(token) is None


# ---- check_in_by_ticket: one explicit answer per case ----------------------------------------

@pytest.fixture
def door(app):
    host = make_partner()
    event = soon(lead=host, capacity=1)
    staff = make_user("staff", host, name="Door Keeper")
    return event, staff


def test_scan_checks_in_a_confirmed_ticket(door):
    event, staff = door
    registration = make_registration(event, make_user(name="Anna Petrova"))
    result = check_in_by_ticket(staff, event, ticket_token(registration))
    assert result.outcome == Outcome.CHECKED_IN
    assert result.admitted
    assert "Anna Petrova" in result.message
    assert registration.checked_in_at is not None
    assert registration.checked_in_by == staff
    assert check_ins(registration) == 1


def test_scan_twice_says_already_checked_in_with_when_and_by_whom(door):
    event, staff = door
    registration = make_registration(event)
    check_in_by_ticket(staff, event, ticket_token(registration))
    other = make_user("staff", event.involvements[0].partner, name="Second Phone")
    result = check_in_by_ticket(other, event, ticket_token(registration))
    assert result.outcome == Outcome.ALREADY
    assert result.admitted
    assert result.checked_in_by == "Door Keeper"
    assert "Door Keeper" in result.message
    assert result.as_json(event)["checked_in_at"]
    assert registration.checked_in_by == staff
    assert check_ins(registration) == 1


def test_scan_of_a_cancelled_registration_says_cancelled(door):
    event, staff = door
    registration = make_registration(event, status=RegistrationStatus.CANCELLED,
                                     cancelled_at=utcnow())
    result = check_in_by_ticket(staff, event, ticket_token(registration))
    assert result.outcome == Outcome.CANCELLED
    assert not result.admitted
    assert registration.checked_in_at is None


def test_scan_of_a_waitlisted_registration_says_not_confirmed(door):
    event, staff = door
    registration = make_registration(event, status=RegistrationStatus.WAITLISTED,
                                      confirmed_at=None)
    result = check_in_by_ticket(staff, event, ticket_token(registration))
    assert result.outcome == Outcome.NOT_CONFIRMED
    assert registration.checked_in_at is None


def test_scan_of_a_registration_waiting_for_approval_says_so(door):
    event, staff = door
    registration = make_registration(event, status=RegistrationStatus.PENDING,
                                      confirmed_at=None)
    result = check_in_by_ticket(staff, event, ticket_token(registration))
    assert result.outcome == Outcome.NOT_CONFIRMED
    assert "waiting for approval" in result.message
    assert registration.checked_in_at is None


def test_scan_of_another_events_ticket_says_wrong_event(door):
    event, staff = door
    elsewhere = make_registration(soon(title="Patent clinic"))
    result = check_in_by_ticket(staff, event, ticket_token(elsewhere))
    assert result.outcome == Outcome.WRONG_EVENT
    assert "Patent clinic" in result.message  # a public event the staff member may see
    assert elsewhere.checked_in_at is None


def test_wrong_event_hides_the_title_of_an_event_the_staff_may_not_see(door):
    event, staff = door
    draft = soon(title="Secret draft", status=EventStatus.DRAFT)
    result = check_in_by_ticket(staff, event, ticket_token(make_registration(draft)))
    assert result.outcome == Outcome.WRONG_EVENT
    assert "Secret draft" not in result.message


@pytest.mark.parametrize("token", ["", "hello", "not-ours.signature", "x" * 300])
def test_scan_of_a_code_not_issued_here_says_unknown(door, token):
    event, staff = door
    assert check_in_by_ticket(staff, event, token).outcome == Outcome.UNKNOWN


def test_scan_of_a_forged_signature_says_unknown(door):
    event, staff = door
    registration = make_registration(event)
    token = ticket_token(registration)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert check_in_by_ticket(staff, event, forged).outcome == Outcome.UNKNOWN
    assert registration.checked_in_at is None


@pytest.mark.parametrize(("starts_in", "length", "status"), [
    (timedelta(hours=3), timedelta(hours=2), EventStatus.SCHEDULED),   # too early
    (timedelta(hours=-3), timedelta(hours=2), EventStatus.SCHEDULED),  # over
    (timedelta(minutes=30), timedelta(hours=2), EventStatus.CANCELLED),
])
def test_scan_outside_the_window_says_closed(app, starts_in, length, status):
    host = make_partner()
    starts = utcnow() + starts_in
    event = make_event(lead=host, starts_at=starts, ends_at=starts + length, status=status)
    registration = make_registration(event)
    result = check_in_by_ticket(make_user("staff", host), event, ticket_token(registration))
    assert result.outcome == Outcome.CLOSED
    assert registration.checked_in_at is None


def test_window_opens_the_configured_hours_before_the_start(app):
    event = soon()
    event.starts_at = utcnow() + timedelta(hours=3)
    event.ends_at = event.starts_at + timedelta(hours=1)
    assert "Check-in opens on" in checkin_refusal(event)
    app.config["CHECKIN_OPENS_HOURS"] = 4
    assert checkin_refusal(event) is None
    assert checkin_refusal(event, now=event.ends_at) is not None


def test_scan_by_residents_and_uninvolved_staff_is_refused(door):
    event, _staff = door
    registration = make_registration(event)
    for outsider in (make_user(), make_user("staff")):
        with pytest.raises(NotAllowed):
            check_in_by_ticket(outsider, event, ticket_token(registration))
    assert registration.checked_in_at is None


def test_admin_may_scan(door):
    event, _staff = door
    registration = make_registration(event)
    result = check_in_by_ticket(make_user("admin"), event, ticket_token(registration))
    assert result.outcome == Outcome.CHECKED_IN


def test_list_button_obeys_the_same_window(app, residents):
    host = make_partner()
    staff = make_user("staff", host)
    event = make_event(lead=host)  # a week ahead
    registration = register(residents[0], event).registration
    with pytest.raises(Conflict, match="Check-in opens on"):
        check_in(staff, registration)
    assert registration.checked_in_at is None


def test_a_person_who_cancels_and_registers_again_gets_a_new_ticket(app, residents):
    event = soon()
    first = register(residents[0], event).registration
    cancel_registration(residents[0], first)
    second = register(residents[0], event).registration
    assert ticket_token(first) != ticket_token(second)
    staff = make_user("admin")
    assert check_in_by_ticket(staff, event, ticket_token(first)).outcome == Outcome.CANCELLED
    assert check_in_by_ticket(staff, event, ticket_token(second)).outcome == Outcome.CHECKED_IN


# ---- pages ---------------------------------------------------------------------------------

def test_ticket_page_shows_the_qr_code_to_its_owner_only(app, client, residents):
    event = make_event(title="Lab tour")
    registration = register(residents[0], event).registration
    waiting_event = make_event(capacity=0)
    waiting = register(residents[0], waiting_event).registration
    db.session.commit()
    login(client, residents[0])
    page = client.get(f"/registrations/{registration.id}/ticket")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert '<svg' in text
    assert 'class="ticket-qr"' in text
    assert ticket_token(registration) in text
    assert "<script>" not in text
    assert "style=" not in text
    assert client.get(f"/registrations/{waiting.id}/ticket").status_code == 404
    mine = client.get("/my/events").get_data(as_text=True)
    assert f'href="/registrations/{registration.id}/ticket"' in mine
    assert mine.count('class="ticket-qr"') == 1  # the waitlisted one has no ticket
    login(client, residents[1])
    assert client.get(f"/registrations/{registration.id}/ticket").status_code == 404


def test_confirmation_mail_carries_the_ticket(app, residents, outbox):
    from events.outbox.worker import wake_worker

    event = make_event()
    registration = register(residents[0], event).registration
    db.session.commit()
    wake_worker()
    (message,) = outbox
    png = [a for a in message.attachments if a.content_type == "image/png"]
    assert len(png) == 1
    assert png[0].data.startswith(b"\x89PNG")
    assert f"http://localhost/registrations/{registration.id}/ticket" in message.body
    assert f"/registrations/{registration.id}/ticket" in message.html


def test_door_page_for_staff_only(app, client, door):
    event, staff = door
    db.session.commit()
    login(client, make_user())
    assert client.get(f"/events/{event.id}/door").status_code == 403
    login(client, make_user("staff"))
    assert client.get(f"/events/{event.id}/door").status_code == 403
    login(client, staff)
    page = client.get(f"/events/{event.id}/door").get_data(as_text=True)
    assert f'action="/events/{event.id}/door/scan"' in page
    assert "vendor/jsqr/jsQR.js" in page
    assert f'data-counts-url="/events/{event.id}/attendees/counts"' in page


def test_scan_answers_json_to_the_scanner(app, client, door):
    event, staff = door
    registration = make_registration(event, make_user(name="Boris Smith"))
    db.session.commit()
    login(client, staff)
    json = {"Accept": "application/json"}
    url = f"/events/{event.id}/door/scan"
    answer = client.post(url, data={"token": ticket_token(registration)}, headers=json)
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["outcome"] == "checked_in"
    assert body["name"] == "Boris Smith"
    assert body["counts"]["checked_in"] == 1
    assert body["counts"]["confirmed"] == 1
    again = client.post(url, data={"token": ticket_token(registration)}, headers=json)
    assert again.get_json()["outcome"] == "already"
    assert client.post(url, data={"token": "garbage"}, headers=json).get_json()[
        "outcome"] == "unknown"
    empty = client.post(url, data={"token": ""}, headers=json)
    assert empty.status_code == 400
    assert empty.get_json()["outcome"] == "invalid"


def test_typed_code_works_without_javascript(app, client, door):
    event, staff = door
    registration = make_registration(event, make_user(name="Vera Lee"))
    db.session.commit()
    login(client, staff)
    page = client.post(f"/events/{event.id}/door/scan",
                       data={"token": f"  {ticket_token(registration)} "})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Checked in: Vera Lee." in text
    assert "is-admitted" in text
    assert client.post(f"/events/{event.id}/door/scan", data={"token": ""}).status_code == 422


def test_attendee_list_hides_check_in_buttons_outside_the_window(app, client, residents):
    host = make_partner()
    staff = make_user("staff", host)
    event = make_event(lead=host)
    registration = make_registration(event, residents[0])
    db.session.commit()
    login(client, staff)
    page = client.get(f"/events/{event.id}/attendees").get_data(as_text=True)
    assert "data-check-in" not in page
    assert "Check-in opens on" in page
    response = client.post(f"/registrations/{registration.id}/check-in")
    assert response.status_code == 409
    assert registration.checked_in_at is None
