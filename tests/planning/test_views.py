"""The planning screens over HTTP: forms, buttons, messages beside fields, filters, calendars,
the staff area, and constant query counts."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from events.db import utcnow
from events.enums import (
    Audience,
    Category,
    EventFormat,
    EventStatus,
    InvolvementRole,
    InvolvementState,
)
from events.extensions import db
from events.planning.models import Event, Involvement
from events.planning.services import create_event, invite_partner, propose_event
from tests.conftest import login
from tests.factories import make_event, make_involvement, make_registration, make_venue


def errors_of(response) -> dict[str, str]:
    """{field id: message} of the messages shown beside fields."""
    html = response.get_data(as_text=True)
    return dict(re.findall(r'<p class="error" id="([\w-]+?)-error-\d+">'
                           r'<span class="visually-hidden">[^<]*</span>([^<]*)</p>', html))


def form_data(world, **overrides):
    starts = (utcnow() + timedelta(days=12)).strftime("%Y-%m-%dT10:00")
    ends = (utcnow() + timedelta(days=12)).strftime("%Y-%m-%dT12:00")
    data = {"title_en": "Pitch training", "summary_en": "For founders",
            "description_en": "Bring slides",
            "category": "workshop", "format": "in_person", "venue": str(world.room.id),
            "online_url": "", "timezone": "Europe/Moscow", "starts_at": starts,
            "ends_at": ends, "capacity": "20", "audience": "public", "programme": "0",
            "registration_opens_at": "", "registration_closes_at": ""}
    return data | overrides


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def committed(world):
    db.session.commit()
    return world


# ---- the event form --------------------------------------------------------------------

def test_staff_create_a_draft_through_the_form(client, committed):
    world = committed
    login(client, world.staff_a)
    assert client.get("/events/new").status_code == 200
    response = client.post("/events/new", data=form_data(world))
    assert response.status_code == 302
    event = db.session.scalar(sa.select(Event).where(Event.title == "Pitch training"))
    assert response.headers["Location"].endswith(f"/events/{event.id}")
    assert event.status == EventStatus.DRAFT
    assert event.lead_partner.id == world.a.id
    # Entered as 10:00 in Moscow (UTC+3) → stored as 07:00 UTC.
    assert event.starts_at.hour == 7
    assert event.starts_at.tzinfo is not None


def test_times_are_entered_in_the_events_own_zone(client, committed):
    login(client, committed.staff_a)
    client.post("/events/new", data=form_data(committed, timezone="Asia/Novosibirsk"))
    event = db.session.scalar(sa.select(Event).where(Event.title == "Pitch training"))
    assert event.timezone == "Asia/Novosibirsk"
    assert event.starts_at.hour == 3  # 10:00 at UTC+7
    page = text(client.get(f"/events/{event.id}/edit"))
    assert 'value="' + event.local_starts_at.strftime("%Y-%m-%dT10:00") + '"' in page


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"title_en": ""}, "title_en", "Give the event a title in Russian or in English."),
    ({"title_en": "x" * 201}, "title_en", "Use at most 200 characters."),
    ({"summary_en": "x" * 501}, "summary_en", "Use at most 500 characters."),
    ({"title_en": "", "summary_ru": "Кратко"}, "title_en",
     "Give the event a title in Russian or in English."),
    ({"summary_ru": "Кратко"}, "title_ru",
     "Give a title in this language too, or leave its summary and description empty."),
    ({"timezone": "Moon/Base"}, "timezone",
     "Unknown time zone; use a name such as Europe/Moscow."),
    ({"venue": "0"}, "venue", "Choose a room for an event held in person."),
    ({"format": "online", "venue": "0"}, "online_url", "Give the link of the online event."),
    ({"format": "online", "online_url": "ftp://files"}, "online_url",
     "Enter a web address starting with https:// or http://."),
    ({"starts_at": ""}, "starts_at", "Enter a date and time."),
    ({"capacity": "0"}, "capacity",
     "Capacity is a whole number of at least 1 (leave it empty for no limit)."),
    ({"starts_at": "2020-01-01T10:00", "ends_at": "2020-01-01T12:00"}, "starts_at",
     "The start is in the past."),
])
def test_form_shows_the_services_message_beside_the_field(client, committed, overrides, field,
                                                           message):
    login(client, committed.staff_a)
    response = client.post("/events/new", data=form_data(committed, **overrides))
    assert response.status_code == 422
    assert errors_of(response)[field] == message
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == 0


def test_end_before_start_in_the_form(client, committed):
    login(client, committed.staff_a)
    data = form_data(committed)
    response = client.post("/events/new", data=data | {"ends_at": data["starts_at"][:-5]
                                                        + "09:00"})
    assert response.status_code == 422
    assert errors_of(response) == {"ends_at": "The end must be after the start."}


def test_unparseable_input_is_a_400_with_a_message_not_a_500(client, committed):
    login(client, committed.staff_a)
    response = client.post("/events/new", data=form_data(
        committed, starts_at="tomorrow-ish", capacity="many", venue="abc"))
    assert response.status_code == 400
    errors = errors_of(response)
    assert {"starts_at", "capacity"} <= set(errors)


def test_booking_conflict_names_the_other_event_beside_the_room(client, committed):
    world = committed
    login(client, world.staff_a)
    client.post("/events/new", data=form_data(world, title_en="First"))
    response = client.post("/events/new", data=form_data(world, title_en="Second"))
    assert response.status_code == 409
    assert "First" in errors_of(response)["venue"]


def test_capacity_warning_on_the_event_page(client, committed):
    login(client, committed.staff_a)
    response = client.post("/events/new", data=form_data(committed, capacity="90"),
                           follow_redirects=True)
    assert "The capacity (90) is larger than Hall holds (40)." in text(response)


def test_admin_form_asks_for_the_lead_partner(client, committed):
    world = committed
    login(client, world.admin)
    assert 'name="lead_partner"' in text(client.get("/events/new"))
    response = client.post("/events/new", data=form_data(world, lead_partner="0"))
    assert errors_of(response) == {"lead_partner": "Choose the lead partner."}
    response = client.post("/events/new", data=form_data(world, lead_partner=str(world.b.id)))
    assert response.status_code == 302
    event = db.session.scalar(sa.select(Event))
    assert event.lead_partner.id == world.b.id


def test_staff_form_has_no_lead_partner_choice(client, committed):
    login(client, committed.staff_a)
    assert 'name="lead_partner"' not in text(client.get("/events/new"))


def test_residents_cannot_open_the_form(client, committed):
    login(client, committed.resident)
    assert client.get("/events/new").status_code == 403
    assert client.post("/events/new", data=form_data(committed)).status_code == 403


def test_edit_saves_and_records_the_trail(client, committed, values):
    world = committed
    event = create_event(world.staff_a, **values)
    db.session.commit()
    login(client, world.coord_a)
    data = form_data(world, title_en="Renamed workshop", capacity="25",
                     starts_at=event.local_starts_at.strftime("%Y-%m-%dT%H:%M"),
                     ends_at=event.local_ends_at.strftime("%Y-%m-%dT%H:%M"))
    response = client.post(f"/events/{event.id}/edit", data=data)
    assert response.status_code == 302
    db.session.refresh(event)
    assert (event.title, event.capacity, event.sequence) == ("Renamed workshop", 25, 1)
    page = text(client.get(f"/events/{event.id}"))
    assert "changed the event" in page
    assert "Bioreactor workshop → Renamed workshop" in page


def test_other_partners_cannot_edit(client, committed, values):
    event = create_event(committed.staff_a, **values)
    db.session.commit()
    login(client, committed.staff_b)
    assert client.get(f"/events/{event.id}/edit").status_code == 404  # a draft: not visible
    propose_event(committed.staff_a, event)
    invite_partner(committed.staff_a, event, committed.b, "co-host")
    db.session.commit()
    assert client.get(f"/events/{event.id}/edit").status_code == 403
    assert client.post(f"/events/{event.id}/edit", data=form_data(committed)).status_code == 403


def test_description_markdown_is_sanitised(client, committed):
    event = make_event(lead=committed.a, description="**Bold** <script>alert(1)</script>"
                       " [x](javascript:alert(2))")
    db.session.commit()
    page = text(client.get(f"/events/{event.id}"))
    assert "<strong>Bold</strong>" in page
    assert "<script>alert(1)" not in page
    assert "href=\"javascript" not in page


# ---- the workflow buttons --------------------------------------------------------------

def test_the_whole_workflow_through_the_buttons(client, committed, outbox, values):
    world = committed
    event = create_event(world.staff_a, **values)
    db.session.commit()
    login(client, world.staff_a)
    page = text(client.get(f"/events/{event.id}"))
    assert f'action="/events/{event.id}/propose"' in page
    assert f'action="/events/{event.id}/schedule"' not in page  # staff, not coordinator
    assert client.post(f"/events/{event.id}/propose").status_code == 302
    response = client.post(f"/events/{event.id}/invite",
                           data={"partner": str(world.b.id), "role": "co-host"})
    assert response.status_code == 302
    assert [m.recipients for m in outbox] == [[world.coord_b.email]]
    assert "Приглашение" in outbox[0].subject  # Boris reads Russian

    involvement = db.session.scalar(sa.select(Involvement).where(
        Involvement.partner_id == world.b.id))
    login(client, world.coord_a)
    page = text(client.get(f"/events/{event.id}"))
    assert "Waiting for an answer from:" in page
    assert f'action="/events/{event.id}/schedule"' not in page
    refused = client.post(f"/events/{event.id}/schedule")
    assert refused.status_code == 409
    assert "Still waiting for an answer from Beta." in text(refused)

    login(client, world.staff_b)
    page = text(client.get(f"/events/{event.id}"))
    assert f'action="/involvements/{involvement.id}/answer"' in page
    response = client.post(f"/involvements/{involvement.id}/answer",
                           data={"accept": "1", "note": "Count us in"})
    assert response.status_code == 302
    db.session.refresh(involvement)
    assert involvement.state == InvolvementState.ACCEPTED

    login(client, world.coord_a)
    assert client.post(f"/events/{event.id}/schedule").status_code == 302
    db.session.refresh(event)
    assert event.status == EventStatus.SCHEDULED

    client.get("/")  # a fresh request as a visitor
    with client.session_transaction() as session:
        session.clear()
    assert "Bioreactor workshop" in text(client.get("/"))


def test_decline_button(client, committed, values):
    world = committed
    event = create_event(world.staff_a, **values)
    involvement = invite_partner(world.staff_a, event, world.b, "supporter")
    propose_event(world.staff_a, event)
    db.session.commit()
    login(client, world.coord_b)
    response = client.post(f"/involvements/{involvement.id}/answer",
                           data={"decline": "1", "note": "Not this time"})
    assert response.status_code == 302
    db.session.refresh(involvement)
    assert (involvement.state, involvement.note) == (InvolvementState.DECLINED, "Not this time")
    assert "Not this time" in text(client.get(f"/events/{event.id}"))


def test_answer_without_a_choice_is_a_400(client, committed, values):
    event = create_event(committed.staff_a, **values)
    involvement = invite_partner(committed.staff_a, event, committed.b, "supporter")
    propose_event(committed.staff_a, event)
    db.session.commit()
    login(client, committed.staff_b)
    assert client.post(f"/involvements/{involvement.id}/answer").status_code == 400


def test_answering_someone_elses_invitation_is_refused(client, committed, values):
    event = create_event(committed.staff_a, **values)
    involvement = invite_partner(committed.staff_a, event, committed.b, "supporter")
    propose_event(committed.staff_a, event)
    db.session.commit()
    login(client, committed.staff_a)
    response = client.post(f"/involvements/{involvement.id}/answer", data={"accept": "1"})
    assert response.status_code == 403
    db.session.refresh(involvement)
    assert involvement.state == InvolvementState.INVITED


def test_invite_twice_shows_the_message_beside_the_partner(client, committed, values):
    event = create_event(committed.staff_a, **values)
    invite_partner(committed.staff_a, event, committed.b, "supporter")
    db.session.commit()
    login(client, committed.staff_a)
    response = client.post(f"/events/{event.id}/invite",
                           data={"partner": str(committed.b.id), "role": "co-host"})
    assert response.status_code == 409
    assert "Beta is already part of this event." in text(response)


def test_cancel_without_a_reason_shows_the_message(client, committed):
    event = make_event(lead=committed.a)
    db.session.commit()
    login(client, committed.coord_a)
    response = client.post(f"/events/{event.id}/cancel", data={"reason": " "})
    assert response.status_code == 422
    assert errors_of(response)["reason"] == "Give a reason; the people registered will read it."
    response = client.post(f"/events/{event.id}/cancel", data={"reason": "Flooded hall"})
    assert response.status_code == 302
    page = text(client.get(f"/events/{event.id}"))
    assert "is-cancelled" in page
    assert "Flooded hall" in page
    client.get("/")
    with client.session_transaction() as session:
        session.clear()
    agenda = text(client.get("/"))
    assert event.title in agenda
    assert "is-cancelled" in agenda


def test_staff_may_not_cancel_only_coordinators(client, committed):
    event = make_event(lead=committed.a)
    db.session.commit()
    login(client, committed.staff_a)
    assert f"/events/{event.id}/cancel" not in text(client.get(f"/events/{event.id}"))
    assert client.post(f"/events/{event.id}/cancel", data={"reason": "x"}).status_code == 403


def test_actions_on_invisible_events_are_404(client, committed, values):
    event = create_event(committed.staff_a, **values)
    db.session.commit()
    login(client, committed.coord_b)
    for action in ("propose", "schedule", "invite", "cancel"):
        assert client.post(f"/events/{event.id}/{action}").status_code == 404


def test_trail_is_for_staff_only(client, committed):
    event = make_event(lead=committed.a)
    db.session.commit()
    login(client, committed.staff_a)
    client.post(f"/events/{event.id}/edit", data=form_data(
        committed, title="Trail check", starts_at=event.local_starts_at.strftime(
            "%Y-%m-%dT%H:%M"), ends_at=event.local_ends_at.strftime("%Y-%m-%dT%H:%M")))
    assert "History" in text(client.get(f"/events/{event.id}"))
    login(client, committed.resident)
    assert "History" not in text(client.get(f"/events/{event.id}"))


# ---- agenda ----------------------------------------------------------------------------

def test_agenda_filters(client, committed):
    world = committed
    soon = utcnow() + timedelta(days=3)
    make_event(lead=world.a, title="Alpha seminar", category=Category.SEMINAR, starts_at=soon,
               ends_at=soon + timedelta(hours=1))
    online = make_event(lead=world.b, title="Beta online demo", category=Category.DEMO_DAY,
                        format=EventFormat.ONLINE, online_url="https://m.example",
                        audience=Audience.RESIDENTS)
    make_involvement(online, world.a, role=InvolvementRole.SUPPORTER)
    declined = make_event(lead=world.b, title="Beta conference", category=Category.CONFERENCE)
    make_involvement(declined, world.a, state=InvolvementState.DECLINED)
    db.session.commit()
    login(client, world.resident)

    def titles(query):
        return set(re.findall(r'href="/events/\d+">([^<]+)</a>', text(client.get("/" + query))))

    everything = {"Alpha seminar", "Beta online demo", "Beta conference"}
    assert titles("") == everything
    assert titles("?partner=alpha") == {"Alpha seminar", "Beta online demo"}
    assert titles("?category=demo_day") == {"Beta online demo"}
    assert titles("?format=online") == {"Beta online demo"}
    assert titles("?audience=residents") == {"Beta online demo"}
    assert titles("?q=SEMINAR") == {"Alpha seminar"}
    assert titles("?q=100%25") == set()  # LIKE wildcards are taken literally
    assert titles("?category=nonsense&partner=nobody") == everything


def test_agenda_cards_show_time_zone_hosts_and_seats(client, committed):
    world = committed
    event = make_event(lead=world.a, title="Zone card", timezone="Asia/Vladivostok",
                       starts_at=datetime(2031, 5, 6, 0, 0, tzinfo=UTC),
                       ends_at=datetime(2031, 5, 6, 2, 0, tzinfo=UTC), capacity=5,
                       venue=world.room)
    make_involvement(event, world.b, role=InvolvementRole.CO_HOST)
    make_registration(event)
    make_registration(event)
    db.session.commit()
    page = text(client.get("/"))
    assert "10:00" in page  # midnight UTC is 10:00 in Vladivostok
    assert "Asia/Vladivostok" in page
    assert "partner-alpha" in page
    assert "partner-beta" in page
    assert "Co-host" in page
    assert "Host" in page
    assert "3 seats left" in page
    assert "Hall" in page


def test_agenda_paginates(client, committed):
    base = utcnow() + timedelta(days=2)
    for n in range(15):
        make_event(lead=committed.a, title=f"Paged {n:02d}",
                   starts_at=base + timedelta(hours=n), ends_at=base + timedelta(hours=n + 1))
    db.session.commit()
    first = text(client.get("/"))
    assert "Paged 00" in first
    assert "Paged 11" in first
    assert "Paged 12" not in first
    assert "15 events" in first
    second = text(client.get("/?page=2"))
    assert "Paged 12" in second
    assert "Paged 00" not in second
    assert client.get("/?page=999").status_code == 200
    assert client.get("/?page=-1").status_code == 200
    assert client.get("/?page=abc").status_code == 200


def test_past_events_leave_the_agenda(client, committed):
    make_event(lead=committed.a, title="Long gone",
               starts_at=datetime(2020, 1, 1, 10, tzinfo=UTC),
               ends_at=datetime(2020, 1, 1, 12, tzinfo=UTC))
    db.session.commit()
    assert "Long gone" not in text(client.get("/"))


# ---- calendar --------------------------------------------------------------------------

def test_month_calendar_shows_events_today_and_navigation(client, committed):
    event = make_event(lead=committed.a, title="Calendar entry")
    db.session.commit()
    month = event.local_starts_at.strftime("%Y-%m")
    page = text(client.get(f"/calendar?month={month}"))
    assert "Calendar entry" in page
    assert 'rel="prev"' in page
    assert 'rel="next"' in page
    assert 'aria-current="date"' in text(client.get("/calendar"))
    assert client.get("/calendar?month=garbage").status_code == 200
    assert client.get("/calendar?month=99999-01").status_code == 200


def test_week_view_and_multi_day_events(client, committed):
    starts = datetime(2031, 3, 3, 7, 0, tzinfo=UTC)  # Monday 10:00 in Moscow
    make_event(lead=committed.a, title="Three-day exhibition", starts_at=starts,
               ends_at=starts + timedelta(days=2, hours=8))
    db.session.commit()
    page = text(client.get("/calendar?view=week&week=2031-03-05"))
    assert page.count("Three-day exhibition") == 3
    assert "10:00" in page
    month = text(client.get("/calendar?month=2031-03"))
    assert month.count("Three-day exhibition") >= 3
    assert client.get("/calendar?view=week&week=not-a-date").status_code == 200


def test_calendar_filters(client, committed):
    make_event(lead=committed.a, title="Alpha only")
    make_event(lead=committed.b, title="Beta only")
    db.session.commit()
    week = (utcnow() + timedelta(days=7)).date().isoformat()
    page = text(client.get(f"/calendar?view=week&week={week}&partner=beta"))
    assert "Beta only" in page
    assert "Alpha only" not in page


# ---- staff area ------------------------------------------------------------------------

def test_dashboard_sections(client, committed, values):
    world = committed
    draft = create_event(world.staff_a, **values | {"title": "Our draft"})
    invited = make_event(lead=world.b, title="Beta asks us", status=EventStatus.PROPOSED)
    make_involvement(invited, world.a, state=InvolvementState.INVITED)
    upcoming = make_event(lead=world.a, title="Filling up", capacity=4)
    for _ in range(3):
        make_registration(upcoming)
    db.session.commit()
    login(client, world.staff_a)
    page = text(client.get("/staff"))
    invitations = page.split('id="invitations"')[1].split('id="drafts"')[0]
    drafts = page.split('id="drafts"')[1].split('id="upcoming"')[0]
    upcoming_html = page.split('id="upcoming"')[1]
    assert "Beta asks us" in invitations
    assert draft.title in drafts
    assert "Filling up" in upcoming_html
    assert "3 of 4 (75%)" in upcoming_html


# ---- constant query counts -------------------------------------------------------------

def _events(world, n):
    base = utcnow() + timedelta(days=1)
    for i in range(n):
        venue = make_venue(world.a if i % 2 else world.b)
        event = make_event(lead=world.a if i % 2 else world.b, venue=venue,
                           starts_at=base + timedelta(hours=i * 3),
                           ends_at=base + timedelta(hours=i * 3 + 2))
        make_involvement(event, world.b if i % 2 else world.a)
        make_registration(event)
    db.session.commit()


@pytest.mark.parametrize("url", [
    "/", "/?partner=alpha&q=event", "/calendar", "/calendar?view=week", "/staff"])
def test_pages_issue_a_constant_number_of_queries(client, committed, count_queries, url):
    login(client, committed.staff_a)
    _events(committed, 3)
    client.get(url)  # warm-up (first-request work)
    db.session.expire_all()
    with count_queries() as few:
        assert client.get(url).status_code == 200
    _events(committed, 27)
    db.session.expire_all()
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert many.count == few.count, (few.statements, many.statements)


# ---- what registrations hear of planning's changes --------------------------------------

def test_cancelling_tells_the_people_registered(client, committed, outbox):
    event = make_event(lead=committed.a, venue=committed.room)
    registration = make_registration(event)
    db.session.commit()
    login(client, committed.coord_a)
    response = client.post(f"/events/{event.id}/cancel", data={"reason": "Hall flooded"})
    assert response.status_code == 302
    assert registration.user.email in [r for m in outbox for r in m.recipients]


def test_moving_tells_the_people_registered_and_more_seats_promote_the_waitlist(
        client, committed, outbox):
    from events.enums import RegistrationStatus

    event = make_event(lead=committed.a, venue=committed.room, capacity=1)
    make_registration(event)
    waiting = make_registration(event, status=RegistrationStatus.WAITLISTED, confirmed_at=None)
    db.session.commit()
    login(client, committed.staff_a)
    later = event.local_starts_at + timedelta(hours=1)
    response = client.post(f"/events/{event.id}/edit", data=form_data(
        committed, title=event.title, capacity="2", summary="", description="",
        category="seminar", starts_at=later.strftime("%Y-%m-%dT%H:%M"),
        ends_at=(later + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")))
    assert response.status_code == 302
    db.session.refresh(waiting)
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert waiting.user.email in [r for m in outbox for r in m.recipients]


def test_event_page_queries_do_not_grow_with_partners_or_history(client, committed,
                                                                 count_queries):
    from tests.factories import make_partner

    event = make_event(lead=committed.a, venue=committed.room)
    make_involvement(event, make_partner(), state=InvolvementState.INVITED)
    make_registration(event)
    db.session.commit()
    login(client, committed.coord_a)

    def edit(title):
        client.post(f"/events/{event.id}/edit", data=form_data(
            committed, title=title,
            starts_at=event.local_starts_at.strftime("%Y-%m-%dT%H:%M"),
            ends_at=event.local_ends_at.strftime("%Y-%m-%dT%H:%M")))

    edit("First edit")
    client.get(f"/events/{event.id}")
    db.session.expire_all()
    with count_queries() as few:
        assert client.get(f"/events/{event.id}").status_code == 200
    for _ in range(6):
        make_involvement(event, make_partner(), state=InvolvementState.INVITED)
        make_registration(event)
    db.session.commit()
    for n in range(5):
        edit(f"Edit {n}")
    db.session.expire_all()
    with count_queries() as many:
        assert client.get(f"/events/{event.id}").status_code == 200
    assert many.count == few.count, (few.statements, many.statements)


@pytest.mark.parametrize("url", ["/", "/calendar", "/calendar?view=week", "/staff",
                                 "/events/new", "/events/{id}", "/events/{id}/edit"])
def test_get_never_writes(client, committed, count_queries, url):
    event = make_event(lead=committed.a, venue=committed.room)
    db.session.commit()
    login(client, committed.staff_a)
    with count_queries() as counter:
        assert client.get(url.format(id=event.id)).status_code == 200
    writes = [s for s in counter.statements
              if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []


# ---- hostile input never answers 500 (PostgreSQL refuses NUL and ids past int4) -----------

@pytest.mark.parametrize("url", ["/events/99999999999", "/?q=a%00b&partner=%00",
                                 "/calendar?q=%00&month=2031-01%00",
                                 "/calendar?view=week&week=%00"])
def test_hostile_urls_are_answered_calmly(client, committed, url):
    assert client.get(url).status_code in (200, 400, 404)  # NUL: refused at the door (400)


def test_hostile_ids_in_posts_are_404(client, committed):
    login(client, committed.admin)
    for url in ("/events/99999999999/propose", "/involvements/99999999999/answer",
                "/events/99999999999/edit"):
        assert client.post(url, data={"accept": "1"}).status_code == 404


def test_control_characters_never_reach_the_database(client, committed, values):
    login(client, committed.staff_a)
    response = client.post("/events/new", data=form_data(
        committed, title_en="Bell\x07 title\x1b", summary_en="Two\nlines\x08",
        description_en="Keep\n\nparagraphs\x0b\tand tabs"))
    assert response.status_code == 302
    event = db.session.scalar(sa.select(Event))
    assert (event.title, event.summary) == ("Bell title", "Two lines")
    assert event.description == "Keep\n\nparagraphs\tand tabs"
    involvement = invite_partner(committed.staff_a, event, committed.b, "supporter")
    propose_event(committed.staff_a, event)
    db.session.commit()
    login(client, committed.staff_b)
    client.post(f"/involvements/{involvement.id}/answer", data={"accept": "1",
                                                                 "note": "ok\x7f"})
    db.session.refresh(involvement)
    assert involvement.note == "ok"


def test_a_busy_day_shows_four_events_and_links_to_the_week(client, committed):
    starts = datetime(2031, 3, 5, 6, 0, tzinfo=UTC)
    for n in range(6):
        make_event(lead=committed.a, title=f"Busy {n}", starts_at=starts + timedelta(hours=n),
                   ends_at=starts + timedelta(hours=n, minutes=30))
    db.session.commit()
    month = text(client.get("/calendar?month=2031-03"))
    grid, phone_list = month.split('<ol class="plain month-list')
    assert sum(f"Busy {n}" in grid for n in range(6)) == 4
    assert "+ 2 more" in grid
    assert "week=2031-03-05" in grid
    assert all(f"Busy {n}" in phone_list for n in range(6))  # a list has room for all
    week = text(client.get("/calendar?view=week&week=2031-03-05"))
    assert all(f"Busy {n}" in week for n in range(6))


def test_staff_see_who_answered_and_admins_see_every_invitation(client, committed, values):
    world = committed
    event = create_event(world.staff_a, **values)
    involvement = invite_partner(world.staff_a, event, world.b, "co-host")
    propose_event(world.staff_a, event)
    db.session.commit()
    login(client, world.admin)
    assert event.title in text(client.get("/staff")).split('id="drafts"')[0]
    login(client, world.staff_b)
    client.post(f"/involvements/{involvement.id}/answer", data={"accept": "1"})
    login(client, world.staff_a)
    assert "answered by Bob Staff" in text(client.get(f"/events/{event.id}"))
    login(client, world.coord_a)
    assert client.post(f"/events/{event.id}/schedule").status_code == 302
    login(client, world.resident)
    assert client.get(f"/events/{event.id}").status_code == 200
    assert "answered by" not in text(client.get(f"/events/{event.id}"))
