"""The pages and buttons: registering, cancelling, the mailed link, my events, staff pages."""

import csv
import io
from datetime import timedelta

import pytest

from events.db import utcnow
from events.enums import Audience, EventStatus, RegistrationStatus
from events.extensions import db
from events.registrations.services import register
from tests.conftest import login
from tests.factories import make_event, make_partner, make_registration, make_user
from tests.registrations.helpers import cancel_token_from, rows, statuses


def post_register(client, event_id):
    return client.post(f"/events/{event_id}/register")


def test_resident_registers_from_the_event_page(app, client, event, residents, outbox):
    person = residents[0]
    login(client, person)
    db.session.commit()
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert f'action="/events/{event.id}/register"' in page
    response = post_register(client, event.id)
    assert response.status_code == 302
    assert statuses(event) == {person.id: "confirmed"}
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You have a seat." in page
    assert "Cancel my registration" in page
    assert [m.recipients for m in outbox] == [[person.email]]


def test_registering_twice_is_harmless(app, client, event, residents, outbox):
    login(client, residents[0])
    db.session.commit()
    post_register(client, event.id)
    response = post_register(client, event.id)
    assert response.status_code == 302
    assert rows() == 1
    assert len(outbox) == 1
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "already registered" in page


def test_full_event_puts_people_on_the_waitlist_with_their_position(app, client, event,
                                                                   residents):
    for person in residents[:2]:
        make_registration(event, person)
    login(client, residents[2])
    db.session.commit()
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Join the waitlist" in page
    response = post_register(client, event.id)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "number 1 on the waitlist" in page


@pytest.mark.parametrize(("overrides", "status", "message"), [
    ({"status": EventStatus.CANCELLED}, 409, "This event is cancelled."),
    ({"starts_at_days": -2}, 409, "already started"),
    ({"registration_closes_at_days": -1}, 409, "Registration closed"),
    ({"registration_opens_at_days": 2}, 409, "Registration opens"),
    ({"audience": Audience.INTERNAL}, 404, "does not exist, or you may not see it"),
    ({"status": EventStatus.DRAFT}, 404, "does not exist, or you may not see it"),
])
def test_bad_registrations_get_a_clear_4xx_and_change_nothing(app, client, host, residents,
                                                              overrides, status, message):
    now = utcnow()
    values = dict(overrides)
    if "starts_at_days" in values:
        days = values.pop("starts_at_days")
        values.update(starts_at=now + timedelta(days=days),
                      ends_at=now + timedelta(days=days, hours=2))
    for key in ("registration_closes_at", "registration_opens_at"):
        if f"{key}_days" in values:
            values[key] = now + timedelta(days=values.pop(f"{key}_days"))
    event = make_event(lead=host, **values)
    login(client, residents[0])
    db.session.commit()
    response = post_register(client, event.id)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert rows() == 0


def test_unknown_event_is_404(app, client, residents):
    login(client, residents[0])
    db.session.commit()
    assert post_register(client, 999999).status_code == 404
    assert rows() == 0


def test_visitor_is_sent_to_sign_in(app, client, event):
    db.session.commit()
    response = post_register(client, event.id)
    assert response.status_code == 302
    assert "/signin" in response.headers["Location"]
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Sign in to register" in page
    assert rows() == 0


def test_tampered_cancel_of_someone_elses_registration(app, client, event, residents):
    theirs = make_registration(event, residents[1])
    login(client, residents[0])
    db.session.commit()
    response = client.post(f"/registrations/{theirs.id}/cancel")
    assert response.status_code == 404
    assert statuses(event) == {residents[1].id: "confirmed"}


def test_tampered_form_with_an_overlong_field_is_refused(app, client, event, residents):
    mine = make_registration(event, residents[0])
    login(client, residents[0])
    db.session.commit()
    response = client.post(f"/registrations/{mine.id}/cancel", data={"next": "x" * 5000})
    assert response.status_code == 400
    assert "Reload the page" in response.get_data(as_text=True)
    assert statuses(event) == {residents[0].id: "confirmed"}


def test_cancel_redirects_only_to_this_site(app, client, event, residents):
    mine = make_registration(event, residents[0])
    login(client, residents[0])
    db.session.commit()
    response = client.post(f"/registrations/{mine.id}/cancel",
                           data={"next": "https://evil.example/"})
    assert response.headers["Location"].endswith("/my/events")


def test_cancel_from_my_events_promotes_and_mails_the_next_person(app, client, event,
                                                                 residents, outbox):
    mine = make_registration(event, residents[0])
    make_registration(event, residents[1])
    waiting = make_registration(event, residents[2], status=RegistrationStatus.WAITLISTED,
                                confirmed_at=None)
    login(client, residents[0])
    db.session.commit()
    page = client.get("/my/events").get_data(as_text=True)
    assert event.title in page
    response = client.post(f"/registrations/{mine.id}/cancel", data={"next": "/my/events"})
    assert response.status_code == 302
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert [m.recipients for m in outbox] == [[residents[0].email], [residents[2].email]]
    assert "Registration cancelled" in outbox[0].subject
    assert "A seat is yours" in outbox[1].subject


def test_cancel_link_from_the_mail_works_once_without_signing_in(app, client, event,
                                                                 residents, outbox):
    login(client, residents[0])
    db.session.commit()
    post_register(client, event.id)
    token = cancel_token_from(outbox[0])
    visitor = app.test_client()
    page = visitor.get(f"/cancel/{token}")
    assert page.status_code == 200
    assert "Yes, cancel my registration" in page.get_data(as_text=True)
    assert statuses(event) == {residents[0].id: "confirmed"}  # GET changes nothing
    done = visitor.post(f"/cancel/{token}")
    assert done.status_code == 200
    assert statuses(event) == {residents[0].id: "cancelled"}
    again = visitor.post(f"/cancel/{token}")
    assert again.status_code == 409
    assert "already cancelled" in again.get_data(as_text=True)


@pytest.mark.parametrize("token", ["forged", "A" * 43, "x" * 300])
def test_forged_cancel_link_is_404_and_changes_nothing(app, client, event, residents, token):
    make_registration(event, residents[0])
    db.session.commit()
    for method in ("get", "post"):
        response = getattr(client, method)(f"/cancel/{token}")
        assert response.status_code == 404
        assert "not valid" in response.get_data(as_text=True)
    assert statuses(event) == {residents[0].id: "confirmed"}


def test_my_events_shows_upcoming_past_status_and_position(app, client, host, residents):
    person = residents[0]
    now = utcnow()
    upcoming = make_event(lead=host, title="Coming soon", capacity=1)
    past = make_event(lead=host, title="Long ago", starts_at=now - timedelta(days=3),
                      ends_at=now - timedelta(days=3) + timedelta(hours=2))
    make_registration(upcoming, residents[1])
    make_registration(upcoming, person, status=RegistrationStatus.WAITLISTED, confirmed_at=None)
    make_registration(past, person, checked_in_at=past.starts_at)
    login(client, person)
    db.session.commit()
    page = client.get("/my/events").get_data(as_text=True)
    upcoming_part, past_part = page.split('class="my-past"')
    assert "Coming soon" in upcoming_part
    assert "Number 1 on the waitlist" in upcoming_part
    assert "Cancel registration" in upcoming_part
    assert "Long ago" in past_part
    assert "Checked in" in past_part
    assert "Cancel registration" not in past_part


def test_my_events_query_count_does_not_grow(app, client, host, residents, count_queries):
    person = residents[0]
    login(client, person)
    db.session.commit()

    def measure():
        with count_queries() as counter:
            assert client.get("/my/events").status_code == 200
        return counter.count

    make_registration(make_event(lead=host), person)
    make_registration(make_event(lead=host, capacity=0), person,
                      status=RegistrationStatus.WAITLISTED, confirmed_at=None)
    db.session.commit()
    few = measure()
    for _ in range(5):
        event = make_event(lead=host, capacity=0)
        make_registration(event, person, status=RegistrationStatus.WAITLISTED, confirmed_at=None)
    db.session.commit()
    assert measure() == few


# ---- staff --------------------------------------------------------------------------------

def test_staff_see_attendees_counts_and_waitlist(app, client, event, residents, staff):
    for person in residents[:4]:
        register(person, event)
    login(client, staff)
    db.session.commit()
    page = client.get(f"/events/{event.id}/attendees").get_data(as_text=True)
    for person in residents[:4]:
        assert person.name in page
    assert residents[0].company in page
    counts = client.get(f"/events/{event.id}/attendees/counts").get_json()
    assert counts == {"confirmed": 2, "waitlisted": 2, "checked_in": 0, "pending": 0,
                      "capacity": 2, "seats_left": 0}


def test_attendee_page_query_count_does_not_grow(app, client, event, staff, count_queries):
    login(client, staff)
    make_registration(event, make_user(site_partner=event.lead_partner),
                      checked_in_at=utcnow(), checked_in_by=staff)
    db.session.commit()

    def measure():
        with count_queries() as counter:
            assert client.get(f"/events/{event.id}/attendees").status_code == 200
        return counter.count

    few = measure()
    for n in range(6):
        make_registration(event, make_user(site_partner=make_partner()),
                          checked_in_at=utcnow() if n % 2 else None,
                          checked_in_by=make_user("staff", event.lead_partner) if n % 2 else None)
    db.session.commit()
    assert measure() == few


def test_search_by_name_finds_cyrillic_names(app, client, event, staff):
    anna = make_user(name="Анна Петрова")
    make_registration(event, anna)
    make_registration(event, make_user(name="Boris Smith"))
    login(client, staff)
    db.session.commit()
    page = client.get(f"/events/{event.id}/attendees", query_string={"q": "анна"})
    text = page.get_data(as_text=True)
    assert "Анна Петрова" in text
    assert "Boris Smith" not in text


def test_check_in_button_and_undo(app, client, door_open, event, residents, staff):
    registration = make_registration(event, residents[0])
    login(client, staff)
    db.session.commit()
    response = client.post(f"/registrations/{registration.id}/check-in", data={"q": "Res"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/events/{event.id}/attendees?q=Res&done={registration.id}")
    assert registration.checked_in_at is not None
    counts = client.get(f"/events/{event.id}/attendees/counts").get_json()
    assert counts["checked_in"] == 1
    client.post(f"/registrations/{registration.id}/undo-check-in")
    assert registration.checked_in_at is None


def test_uninvolved_staff_and_residents_are_refused(app, client, event, residents):
    registration = make_registration(event, residents[0])
    outsider = make_user("staff")
    db.session.commit()
    for user, code in ((outsider, 403), (residents[1], 403)):
        login(client, user)
        assert client.get(f"/events/{event.id}/attendees").status_code == code
        assert client.get(f"/events/{event.id}/attendees.csv").status_code == code
        assert client.post(f"/registrations/{registration.id}/check-in").status_code == code
    assert registration.checked_in_at is None


def test_csv_export_opens_with_cyrillic(app, client, event, staff):
    make_registration(event, make_user(name="Анна Петрова", company="=HYPERLINK(1)"))
    login(client, staff)
    db.session.commit()
    response = client.get(f"/events/{event.id}/attendees.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert table[0][:5] == ["Name", "Email", "Company", "Partner site", "Status"]
    assert table[1][0] == "Анна Петрова"
    assert table[1][2] == "'=HYPERLINK(1)"  # a spreadsheet will not run it
    assert table[1][4] == "Confirmed"


def test_csv_export_for_a_russian_reader_uses_semicolons(app, client, event, staff):
    make_registration(event, make_user(name="Анна Петрова", company="Рога; и копыта"))
    staff.locale = "ru"
    login(client, staff)
    db.session.commit()
    response = client.get(f"/events/{event.id}/attendees.csv")
    text = response.data.decode("utf-8-sig")
    header = text.split("\r\n")[0]
    assert header.startswith("Имя;")
    assert "," not in header
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert table[1][2] == "Рога; и копыта"
    assert table[1][4] == "Подтверждена"


def test_russian_page_for_a_russian_resident(app, client, event):
    person = make_user(locale="ru")
    login(client, person)
    db.session.commit()
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Зарегистрироваться" in page


def test_my_events_links_the_personal_feed_only_when_it_exists(make_app):
    for with_feed in (False, True):
        app = make_app()
        if with_feed and "calendar.subscribe" not in app.view_functions:
            # A stand-in until the calendar area's subscribe page is merged.
            app.add_url_rule("/subscribe", "calendar.subscribe", lambda: "feeds")
        with app.app_context():
            person = make_user()
            db.session.commit()
            client = app.test_client()
            login(client, person)
            page = client.get("/my/events").get_data(as_text=True)
            has_link = 'href="/subscribe"' in page
            assert has_link == ("calendar.subscribe" in app.view_functions)
            db.session.rollback()
