"""One-line fields stay one line: at the service boundary, and defensively in feeds and mail."""

import sqlalchemy as sa

from events.auth.models import User
from events.calendar.tokens import issue_feed_token
from events.enums import Role
from events.extensions import db
from events.mail import queue_mail
from events.text import one_line
from tests.factories import make_event, make_partner, make_registration, make_user


def test_one_line_folds_every_kind_of_break():
    assert one_line(" Ivan\nPetrov\r\n\tJr.\u2028X\x0b\x85 ") == "Ivan Petrov Jr. X"


def test_sign_up_stores_names_on_one_line(app, client):
    site = make_partner()
    db.session.commit()
    client.post("/signup", data={
        "name": "Ivan\nPetrov", "email": "ivan@example.org", "company": "Bio\r\nMatrix",
        "site_partner": str(site.id), "password": "plum-violin-harbour",
        "confirm": "plum-violin-harbour"})
    user = db.session.scalar(sa.select(User).where(User.email == "ivan@example.org"))
    assert (user.name, user.company) == ("Ivan Petrov", "Bio Matrix")


def test_a_private_feed_survives_a_stored_name_with_a_line_break(app, client):
    user = make_user(name="Ivan\nPetrov")  # written before the rule, straight into the table
    make_registration(make_event(), user)
    token = issue_feed_token(user, secret_key=app.config["SECRET_KEY"])
    db.session.commit()
    response = client.get(f"/feeds/{token}.ics")
    assert response.status_code == 200
    assert b"Ivan Petrov" in response.data


def test_mail_subjects_are_one_line(app, outbox):
    with app.test_request_context():
        item = queue_mail("a@example.org", "You are registered: %(title)s",
                          "registration_confirmed", title="Bad\nTitle",
                          event=make_event(), cancel_url="x", my_events_url="y")
    assert item.subject == "You are registered: Bad Title"


def test_partner_and_venue_names_are_one_line(app):
    from events.partners.services import create_partner, create_venue

    admin = make_user(Role.ADMIN)
    partner = create_partner(admin, slug="p-x", name="Tech\nPark", short_name="T\nP",
                             color="#123456")
    assert (partner.name, partner.short_name) == ("Tech Park", "T P")
    venue = create_venue(admin, partner, site="Main\nsite", building="A", name="Hall\n1",
                         address="Street", capacity=10, accessibility="Lift\nRamp")
    assert (venue.site, venue.name, venue.accessibility) == ("Main site", "Hall 1", "Lift\nRamp")


def test_imported_titles_are_one_line(app):
    from events.calendar.importer import parse_ics

    data = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x-1\r\n"
            b"DTSTART:20270101T100000Z\r\nSUMMARY:Line one\\nline two\r\n"
            b"END:VEVENT\r\nEND:VCALENDAR\r\n")
    found = parse_ics(data, default_zone="Europe/Moscow", domain="x.example")
    assert found[0].title == "Line one line two"
