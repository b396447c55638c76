"""Russian counters read as counts ("Подтверждено", "Отмечено"), the undo-check-in button is not
the word for cancelling a registration, and plural forms agree with their numbers."""

import re

import pytest
from flask_babel import force_locale, ngettext, pgettext

from events.db import utcnow
from events.enums import RegistrationStatus, label
from events.extensions import db
from tests.conftest import login
from tests.factories import make_registration, make_user


def test_attendee_page_counters_and_undo_in_russian(app, client, event, staff, residents):
    staff.locale = "ru"
    arrived = make_registration(event, residents[0], checked_in_at=utcnow())
    make_registration(event, residents[1])
    make_registration(event, residents[2], status=RegistrationStatus.WAITLISTED,
                      confirmed_at=None)
    db.session.commit()
    login(client, staff)
    page = client.get(f"/events/{event.id}/attendees").get_data(as_text=True)
    counters = dict(re.findall(r"<dt>([^<]+)</dt><dd[^>]*>([^<]+)</dd>", page))
    assert counters["Подтверждено"] == "2"
    assert counters["Отмечено"] == "1"
    assert counters["В листе ожидания"] == "1"
    assert "Подтверждённые" in page  # the group heading is a list of people
    pattern = rf'action="/registrations/{arrived.id}/undo-check-in".*?<button[^>]*>([^<]+)</button>'
    undo = re.search(pattern, page, re.S).group(1)
    assert undo == "Снять отметку"
    # The resident's own button says "cancel"; the staff's undo never does.
    with app.test_request_context(), force_locale("ru"):
        from flask_babel import gettext

        cancel_word = gettext("Cancel my registration").split()[0]
    assert cancel_word == "Отменить"
    assert cancel_word.lower()[:5] not in undo.lower()


def test_event_panel_counts_for_staff_in_russian(app, client, event, staff, residents):
    staff.locale = "ru"
    make_registration(event, residents[0], checked_in_at=utcnow())
    db.session.commit()
    login(client, staff)
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Подтверждено: 1 · в листе ожидания: 0 · отмечено: 1" in page


def test_registration_labels_agree_with_registration_in_russian(app):
    with app.test_request_context(), force_locale("ru"):
        assert label(RegistrationStatus.CONFIRMED) == "Подтверждена"
        assert label(RegistrationStatus.CANCELLED) == "Отменена"
        from events.enums import EventStatus

        assert label(EventStatus.CANCELLED) == "Отменено"
        assert pgettext("counter", "Checked in") == "Отмечено"


RUSSIAN_FORMS = {
    # msgid, plural: {number: expected}
    ("%(num)d seat left", "%(num)d seats left"): {
        1: "Осталось 1 место", 2: "Осталось 2 места", 5: "Осталось 5 мест",
        11: "Осталось 11 мест", 21: "Осталось 21 место", 22: "Осталось 22 места"},
    ("%(num)d person on the waitlist", "%(num)d people on the waitlist"): {
        1: "1 человек в листе ожидания", 3: "3 человека в листе ожидания",
        12: "12 человек в листе ожидания", 25: "25 человек в листе ожидания"},
    ("%(num)d confirmed", "%(num)d confirmed"): {
        1: "подтверждено: 1", 4: "подтверждено: 4", 21: "подтверждено: 21"},
    ("%(num)d match", "%(num)d matches"): {
        1: "1 совпадение", 2: "2 совпадения", 7: "7 совпадений", 111: "111 совпадений"},
    ("%(num)d event", "%(num)d events"): {
        1: "1 мероприятие", 3: "3 мероприятия", 14: "14 мероприятий", 101: "101 мероприятие"},
}


@pytest.mark.parametrize("message", list(RUSSIAN_FORMS), ids=lambda m: m[0])
def test_russian_plural_forms_agree_with_the_number(app, message):
    with app.test_request_context(), force_locale("ru"):
        for number, expected in RUSSIAN_FORMS[message].items():
            assert ngettext(*message, number) == expected


def test_checked_in_on_my_events_is_not_gendered(app, client, event):
    person = make_user(locale="ru")
    make_registration(event, person, checked_in_at=utcnow())
    db.session.commit()
    login(client, person)
    page = client.get("/my/events").get_data(as_text=True)
    assert "Присутствие отмечено" in page
    assert "Пришёл" not in page
