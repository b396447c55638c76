"""The event History in people's words: every action the services record, with every field
they record, renders without column names, ids, enum values or ISO times, in English and in
Russian — field labels translated, partners, rooms and programmes by name, enums by their
words, times in the event's zone, yes/no, and the actor's name."""

import re
from datetime import datetime, timedelta
from decimal import Decimal
from html import unescape
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale

from events.audit.display import ACTIONS, FIELD_NAMES, HIDDEN_FIELDS, _Names, _value
from events.audit.models import AuditEntry
from events.contributions.services import (
    add_contribution,
    assign_programme,
    deliver_contribution,
    update_contribution,
    withdraw_contribution,
)
from events.db import utcnow
from events.enums import (
    Audience,
    Category,
    ContributionKind,
    EventFormat,
    Role,
)
from events.extensions import db
from events.i18n import local_datetime
from events.planning.models import Programme
from events.planning.services import (
    answer_invitation,
    cancel_event,
    create_event,
    invite_partner,
    propose_event,
    schedule_event,
    update_event,
)
from events.registrations.approval import approve, decline, set_needs_approval
from events.registrations.questions import (
    add_question,
    edit_answers,
    remove_question,
    update_question,
)
from events.registrations.services import (
    cancel_registration,
    check_in,
    register,
    resend_confirmation,
    undo_check_in,
)
from events.registrations.staff import Group, add_person, message_attendees, move_ahead
from tests.conftest import ROOT, login
from tests.factories import make_partner, make_user, make_venue

CYRILLIC = re.compile(r"[А-Яа-яЁё]")
# A number standing alone is fine for these (a count or an amount), never for a name.
NUMERIC_LABELS = {"Capacity", "Quantity", "Amount", "Вместимость", "Количество", "Сумма"}


def _the_whole_life_of_an_event():
    """Go through every service that writes an entry into an event's trail."""
    a = make_partner(slug="alpha", name="Alpha Cluster", short_name="Alpha",
                     name_ru="Альфа Кластер", short_name_ru="Альфа")
    b = make_partner(slug="beta", name="Beta Park", short_name="Beta",
                     name_ru="Бета Парк", short_name_ru="Бета")
    c = make_partner(slug="gamma", name="Gamma Labs", short_name="Gamma",
                     name_ru="Гамма Лабс", short_name_ru="Гамма")
    people = SimpleNamespace(
        staff_a=make_user(Role.STAFF, a, name="Anna Sokolova"),
        coord_a=make_user(Role.COORDINATOR, a, name="Irina Volkova"),
        staff_b=make_user(Role.STAFF, b, name="Boris Orlov"),
        staff_c=make_user(Role.STAFF, c, name="Greta Lind"),
        first=make_user(name="Maria Ivanova"), second=make_user(name="Oleg Petrov"))
    hall = make_venue(a, name="Conference hall", building="Lab building", site="Campus")
    room = make_venue(a, name="Room 2.14", building="Lab building", site="Campus")
    spring, autumn = Programme(slug="spring", title="Spring programme"), \
        Programme(slug="autumn", title="Autumn programme")
    db.session.add_all([spring, autumn])
    db.session.flush()
    starts = (utcnow() + timedelta(days=10)).replace(second=0, microsecond=0)
    event = create_event(
        people.staff_a, title="Bioreactor workshop", summary="Scale-up in practice",
        description="**Hands-on**", category=Category.WORKSHOP, format=EventFormat.IN_PERSON,
        venue=hall, starts_at=starts, ends_at=starts + timedelta(hours=2),
        timezone="Europe/Moscow", capacity=1, audience=Audience.PUBLIC,
        registration_closes_at=starts - timedelta(hours=1), programme=spring)
    invite_partner(people.staff_a, event, b, "co-host")
    invite_partner(people.staff_a, event, c, "supporter")
    propose_event(people.staff_a, event)
    involvements = {i.partner_id: i for i in event.involvements}
    answer_invitation(people.staff_b, involvements[b.id], True, "Мы приведём двух спикеров")
    answer_invitation(people.staff_c, involvements[c.id], False, "No budget")
    schedule_event(people.coord_a, event)

    first = register(people.first, event).registration
    register(people.second, event)  # waitlisted: capacity 1
    # This story checks people in days ahead; the check-in window has its own tests.
    current_app.config["CHECKIN_OPENS_HOURS"] = 24 * 30
    check_in(people.staff_a, first)
    undo_check_in(people.staff_a, first)
    cancel_registration(people.first, first)  # the second person moves up
    second = db.session.scalar(sa.select(type(first)).where(
        type(first).user_id == people.second.id))
    resend_confirmation(people.second, second)
    check_in(people.staff_b, second)
    # Staff manage the list: a walk-in (waitlisted: the one seat is taken), moved ahead,
    # and a message to everyone on the list.
    walk_in = add_person(people.staff_a, event, email="walk.in@example.org", name="Walk In")
    move_ahead(people.staff_a, walk_in, "Speaker's assistant")
    message_attendees(people.staff_a, event, Group.ALL, "Parking", "Use gate 3.")
    # Registration questions and approval: asked, changed, answered; approved and declined.
    diet = add_question(people.staff_a, event, kind="single_choice", label="Lunch",
                        choices="Fish\nVegetarian", is_required=True)
    update_question(people.staff_a, diet, label="Lunch choice", help_text="Served at 13:00",
                    choices="Fish\nVegetarian\nVegan", is_required=False)
    set_needs_approval(people.staff_a, event, True)
    third = register(make_user(name="Pavel Smirnov"), event, {f"q{diet.id}": ["Fish"]})
    edit_answers(third.registration.user, third.registration, {f"q{diet.id}": ["Vegan"]})
    approve(people.staff_a, third.registration)
    fourth = register(make_user(name="Nina Popova"), event)
    decline(people.staff_a, fourth.registration, "Residents of the cluster only")
    remove_question(people.staff_a, diet)
    set_needs_approval(people.staff_a, event, False)

    update_event(people.staff_a, event, title="Bioreactor scale-up workshop",
                 summary="From flask to pilot", description="**Bring** your data",
                 category=Category.SEMINAR, format=EventFormat.HYBRID, venue=room,
                 online_url="https://meet.example.org/bio", starts_at=starts + timedelta(hours=1),
                 ends_at=starts + timedelta(hours=4), timezone="Asia/Novosibirsk",
                 capacity=None, audience=Audience.RESIDENTS,
                 registration_opens_at=starts - timedelta(days=5),
                 registration_closes_at=starts, programme=autumn)
    assign_programme(people.staff_a, event, spring)
    assign_programme(people.staff_a, event, None)

    coffee = add_contribution(people.staff_a, event, a, kind="catering",
                              description="Coffee break", quantity="2", unit="ч",
                              amount="1250.50", currency="EUR")
    update_contribution(people.staff_a, coffee, kind="equipment", description="Projector",
                        quantity="3", unit="items", amount="1300", currency="RUB")
    deliver_contribution(people.staff_a, coffee)
    speakers = add_contribution(people.staff_b, event, b, kind=ContributionKind.SPEAKERS,
                                description="Two speakers", quantity="2", unit="people")
    withdraw_contribution(people.staff_b, speakers)
    cancel_event(people.coord_a, event, "The hall is flooded")

    # What the calendar import creates: a draft through the same service, with a foreign UID.
    imported = create_event(
        people.staff_a, title="Imported seminar", description="From a partner's calendar",
        category=Category.SEMINAR, format=EventFormat.ONLINE,
        online_url="https://meet.example.org/x", starts_at=starts,
        ends_at=starts + timedelta(hours=1), timezone="Europe/Moscow",
        audience="public", uid="imported-1@example.org")
    db.session.commit()
    return event, imported, people


def _actions_in_the_code() -> tuple[set[str], set[str]]:
    """Literal action names next to record() calls, and prefixes of computed ones."""
    literal, computed = set(), set()
    for path in (ROOT / "events").rglob("*.py"):
        if path.name == "display.py":
            continue
        source = path.read_text(encoding="utf-8")
        if "record(" not in source and "_set_status(" not in source:
            continue
        literal |= set(re.findall(
            r'(?<!f)"((?:event|involvement|contribution|registration)\.[a-z_]+)"', source))
        computed |= set(re.findall(
            r'f"((?:event|involvement|contribution|registration))\.\{', source))
    return literal, computed


def _history(client, event) -> str:
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    return page.split('<section class="card audit">', 1)[1].split("</section>", 1)[0]


def _changes(history: str) -> list[tuple[str, str]]:
    return [(unescape(label), unescape(re.sub(r"<[^>]+>", "", value)).strip())
            for label, value in re.findall(
                r'<li><span class="field-name">([^<]*)</span>:(.*?)</li>', history, re.S)]


def _sentences(history: str) -> list[str]:
    return [unescape(re.sub(r"<[^>]+>", "", s)).strip()
            for s in re.findall(r'<span class="action">(.*?)</span>\s*(?:<ul|</li>)', history,
                                re.S)]


@pytest.fixture
def life(app):
    return _the_whole_life_of_an_event()


def test_every_action_in_the_code_is_exercised_and_worded(life):
    event, imported, _people = life
    seen = set(db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.event_id.in_([event.id, imported.id]))))
    literal, computed = _actions_in_the_code()
    assert literal - {"demo.seed"} <= seen, literal - seen
    for prefix in computed:
        assert any(action.startswith(prefix + ".") for action in seen), prefix
    assert seen <= set(ACTIONS), seen - set(ACTIONS)


def test_every_recorded_field_has_a_label_or_is_bookkeeping(life):
    event, imported, _people = life
    fields = set()
    for changes in db.session.scalars(sa.select(AuditEntry.changes).where(
            AuditEntry.event_id.in_([event.id, imported.id]))):
        fields |= set(changes)
    assert fields <= set(FIELD_NAMES) | HIDDEN_FIELDS, fields - set(FIELD_NAMES) - HIDDEN_FIELDS


@pytest.mark.parametrize("language", ["en", "ru"])
def test_history_reads_in_peoples_words(app, client, life, language):
    event, imported, people = life
    people.coord_a.locale = language
    db.session.commit()
    login(client, people.coord_a)
    with app.test_request_context(), force_locale(language):
        labels = {str(text) for text in FIELD_NAMES.values()}
    raw_fields = set()
    for changes in db.session.scalars(sa.select(AuditEntry.changes).where(
            AuditEntry.event_id.in_([event.id, imported.id]))):
        raw_fields |= set(changes)
    for shown in (event, imported):
        history = _history(client, shown)
        text = unescape(re.sub(r"<[^>]+>", " ", history))
        changes = _changes(history)
        sentences = _sentences(history)
        assert changes
        assert len(sentences) == db.session.scalar(sa.select(sa.func.count()).select_from(
            AuditEntry).where(AuditEntry.event_id == shown.id))
        # Field labels, never column names.
        assert {label for label, _value in changes} <= labels
        for raw in raw_fields:
            if "_" in raw or raw in ("uid", "sequence"):
                assert raw not in text, raw
        # No ids, enum values, ISO times, JSON or bookkeeping.
        for label, value in changes:
            if label not in NUMERIC_LABELS:
                assert not re.fullmatch(r"[\d\s→—]+", value), (label, value)
        for internal in ("in_person", "co-host", "staff_time", "demo_day", "waitlisted",
                         "withdrawn", "catering", "imported-1@example.org", "None", "null",
                         "True", "False", "{", "["):
            assert internal not in text, internal
        assert not re.search(r"\d{4}-\d{2}-\d{2}T\d", text)
        assert "System" not in text
        assert "Система" not in text
        if language == "ru":
            for label, _value in changes:
                assert CYRILLIC.search(label), label
            for sentence in sentences:
                assert CYRILLIC.search(sentence), sentence

    history = _history(client, event)
    text = unescape(re.sub(r"<[^>]+>", " ", history))
    sentences = _sentences(history)
    changes = _changes(history)
    # Every actor by name.
    for person in ("Anna Sokolova", "Irina Volkova", "Boris Orlov", "Greta Lind",
                   "Maria Ivanova"):
        assert person in text, person
    # Partners by their names in the reader's language; rooms and programmes by name.
    if language == "en":
        assert "Boris Orlov accepted the invitation for Beta" in sentences
        assert "Greta Lind declined the invitation for Gamma" in sentences
        assert "Oleg Petrov got a freed seat from the waitlist (after a change by " \
               "Maria Ivanova)" in sentences
        assert "Anna Sokolova checked in Maria Ivanova" in sentences
        assert "Anna Sokolova took back the check-in of Maria Ivanova" in sentences
        assert ("Lead partner", "Alpha") in changes
        assert ("Room", "Conference hall, Lab building, Campus → Room 2.14, Lab building, "
                        "Campus") in changes
        assert ("Programme", "Spring programme → Autumn programme") in changes
        assert ("Programme", "Autumn programme → Spring programme") in changes
        assert ("Programme", "Spring programme → —") in changes
        assert ("Status", "Proposed → Scheduled") in changes
        assert ("Status", "Waitlisted → Confirmed") in changes
        assert ("Answer", "Invited → Accepted") in changes
        assert ("Role", "Co-host") in changes
        assert ("Format", "In person → Hybrid") in changes
        assert ("Capacity", "1 → no limit") in changes
        assert ("Unit", "h → pcs") in changes
        assert ("Note", "No budget") in changes
        assert ("Capacity", "1") in changes  # as created
        assert "Maria Ivanova cancelled their registration" in sentences
        assert ("Amount", "1,250.5 → 1,300") in changes
        assert ("Kind", "Catering → Equipment") in changes
        assert any(s.startswith("Anna Sokolova recorded a contribution: Alpha · Catering")
                   or s.startswith("Anna Sokolova recorded a contribution: Alpha · Equipment")
                   for s in sentences)
        assert "Beta" in text
        assert "Бета" not in text
    else:
        assert "Boris Orlov: приглашение принято (Бета)" in sentences
        assert "Greta Lind: приглашение отклонено (Гамма)" in sentences
        assert "Anna Sokolova: отмечен приход — Maria Ivanova" in sentences
        assert ("Ведущий партнёр", "Альфа") in changes
        assert ("Статус", "Предложено → Запланировано") in changes
        assert ("Статус", "В листе ожидания → Подтверждена") in changes
        assert ("Сумма", "1\xa0250,5 → 1\xa0300") in changes
        assert "Бета" in text
        assert " Beta" not in text
    # Times in the event's own zone (Novosibirsk since the edit), never UTC.
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "registration.check_in", AuditEntry.event_id == event.id)
        .order_by(AuditEntry.id))
    checked_in = datetime.fromisoformat(entry.changes["checked_in_at"][1])
    with app.test_request_context(), force_locale(language):
        local = local_datetime(checked_in, event, "short")
    assert local in text


def test_yes_no_and_unknown_fields_read_as_words(app):
    names = _Names({}, {}, {}, {}, {})
    entry = SimpleNamespace(subject_type="venues")
    event = SimpleNamespace(timezone="Europe/Moscow")
    with app.test_request_context():
        for language, yes, no in (("en", "yes", "no"), ("ru", "да", "нет")):
            with force_locale(language):
                assert _value("is_active", True, entry, event, names) == yes
                assert _value("is_active", False, entry, event, names) == no
                assert _value("quantity", 2.0, entry, event, names) == "2"
                assert _value("amount", str(Decimal("10.50")), entry, event, names) in (
                    "10.5", "10,5")


def test_query_count_does_not_grow_with_the_history(app, client, life, count_queries):
    event, _imported, people = life
    login(client, people.coord_a)
    client.get(f"/events/{event.id}")
    db.session.expire_all()
    with count_queries() as before:
        client.get(f"/events/{event.id}")
    entries = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.event_id == event.id)).all()
    for _ in range(3):  # three times as many entries of every kind
        db.session.add_all(AuditEntry(
            actor_id=e.actor_id, action=e.action, subject_type=e.subject_type,
            subject_id=e.subject_id, event_id=e.event_id, changes=e.changes) for e in entries)
    db.session.commit()
    db.session.expire_all()
    with count_queries() as after:
        client.get(f"/events/{event.id}")
    assert after.count == before.count
