"""What comes next, in words: the staff area names the organisation, the planning panel
follows the workflow, "ready to schedule" once every invited partner has answered (with one
mail to the lead coordinators), and co-hosts hear when the event is scheduled or cancelled."""

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from events.enums import EventStatus, InvolvementState, Role
from events.extensions import db
from events.outbox.services import queued_messages
from events.outbox.worker import wake_worker
from events.planning.models import Involvement
from events.planning.services import (
    create_event,
    invite_partner,
    propose_event,
    ready_to_schedule,
)
from tests.conftest import ROOT, login
from tests.factories import make_partner, make_user


def text(response) -> str:
    return response.get_data(as_text=True)


def _third(world):
    world.c = make_partner(slug="gamma", short_name="Gamma", name="Gamma Labs",
                           short_name_ru="Гамма", name_ru="Гамма Лабс")
    world.coord_c = make_user(Role.COORDINATOR, world.c, name="Greta Coord", locale="en")
    return world


def _proposed(world, values, *partners):
    event = create_event(world.staff_a, **values)
    for partner, role in partners:
        invite_partner(world.staff_a, event, partner, role)
    propose_event(world.staff_a, event)
    db.session.commit()
    wake_worker()  # the invitations go out now, as after a request
    return event


def _involvement(event, partner):
    return db.session.scalar(sa.select(Involvement).where(
        Involvement.event_id == event.id, Involvement.partner_id == partner.id))


def _answer(client, user, involvement, accept=True, note=""):
    login(client, user)
    response = client.post(f"/involvements/{involvement.id}/answer",
                           data={"accept" if accept else "decline": "1", "note": note})
    assert response.status_code == 302


# ---- the staff area names the organisation ------------------------------------------------

def test_staff_area_names_the_readers_organisation(client, world, values):
    world.a.short_name_ru = "Альфа Кластер"
    create_event(world.staff_a, **values | {"title": "Our draft"})
    db.session.commit()
    login(client, world.staff_a)
    page = text(client.get("/staff"))
    assert "Drafts and proposals led by Alpha" in page
    assert "Upcoming events Alpha takes part in" in page
    assert "Invitations to Alpha waiting for an answer" in page
    assert "your partner" not in page.lower()
    client.post("/language", data={"language": "ru"})
    page = text(client.get("/staff"))
    assert "Черновики и предложения, которые ведёт Альфа Кластер" in page
    assert "Ближайшие мероприятия, в которых участвует Альфа Кластер" in page
    assert "вашего партн" not in page


def test_admins_staff_area_speaks_of_all_partners(client, world):
    db.session.commit()
    login(client, world.admin)
    page = text(client.get("/staff"))
    assert "Drafts and proposals</h2>" in page
    assert "your partner" not in page.lower()


def test_no_template_or_message_says_your_partner():
    """Partners are each other: the reader's own organisation is named, never "your partner"."""
    said = []
    for folder, pattern in (("templates", "**/*.[ht][tx][mt]*"), ("events", "**/*.py")):
        for path in (ROOT / folder).glob(pattern):
            for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
                if re.search(r"_l?\(.*your (own )?partner\b", line, re.IGNORECASE):
                    said.append(f"{path.relative_to(ROOT)}:{n}")
    for po in (ROOT / "events" / "translations" / "ru").glob("*.po"):
        for n, line in enumerate(po.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"(вашего|своего|вашему|ваш) партн", line):
                said.append(f"{po.relative_to(ROOT)}:{n}")
    assert said == []


# ---- the planning panel in workflow order --------------------------------------------------

def test_new_draft_shows_invite_before_propose(client, world, values):
    event = create_event(world.staff_a, **values)
    db.session.commit()
    login(client, world.coord_a)
    page = text(client.get(f"/events/{event.id}"))
    panel = page.split('id="actions"')[1]
    invite = panel.index(f'action="/events/{event.id}/invite"')
    propose = panel.index(f'action="/events/{event.id}/propose"')
    cancel = panel.index(f'action="/events/{event.id}/cancel"')
    assert invite < propose < cancel


def test_panel_order_after_proposing(client, world, values):
    _third(world)  # someone left to invite
    event = _proposed(world, values, (world.b, "co-host"))
    _answer(client, world.staff_b, _involvement(event, world.b))
    login(client, world.coord_a)
    panel = text(client.get(f"/events/{event.id}")).split('id="actions"')[1]
    assert f'action="/events/{event.id}/propose"' not in panel
    order = [panel.index(marker) for marker in (
        f'href="/events/{event.id}/edit"', f'action="/events/{event.id}/invite"',
        "Ready to schedule", f'action="/events/{event.id}/schedule"',
        f'action="/events/{event.id}/cancel"')]
    assert order == sorted(order)


# ---- ready to schedule ----------------------------------------------------------------------

def test_ready_to_schedule_only_once_every_invitation_is_answered(client, world, values,
                                                                 outbox):
    _third(world)
    event = _proposed(world, values, (world.b, "co-host"), (world.c, "supporter"))
    outbox.clear()  # the invitations
    assert not ready_to_schedule(event)
    _answer(client, world.staff_b, _involvement(event, world.b), note="Мы с вами")
    assert outbox == []  # Gamma has not answered yet
    for person in (world.staff_a, world.coord_a):
        login(client, person)
        assert "Ready to schedule" not in text(client.get(f"/events/{event.id}"))

    _answer(client, world.coord_c, _involvement(event, world.c), accept=False,
            note="No budget this quarter")
    db.session.refresh(event)
    assert ready_to_schedule(event)
    assert [m.recipients for m in outbox] == [[world.coord_a.email]]
    mail = outbox[0]
    assert mail.subject == f"Ready to schedule: “{event.title}”"
    assert "Beta Park (Co-host): Accepted — “Мы с вами”" in mail.body
    assert "Gamma Labs (Supporter): Declined — “No budget this quarter”" in mail.body
    assert "Alpha Cluster" in mail.body
    assert f"/events/{event.id}" in mail.body
    assert "Ready to schedule" in mail.html or "ready to schedule" in mail.html

    for person in (world.staff_a, world.coord_a):  # lead staff and coordinators see it
        login(client, person)
        page = text(client.get(f"/events/{event.id}"))
        assert "Ready to schedule" in page
        dashboard = text(client.get("/staff")).split('id="drafts"')[1].split('id="upcoming"')[0]
        assert "Ready to schedule" in dashboard
    login(client, world.staff_b)  # the invited partner has nothing to schedule
    assert "Ready to schedule" not in text(client.get(f"/events/{event.id}"))


def test_ready_mail_is_in_each_coordinators_language(client, world, values, outbox):
    world.coord_a.locale = "ru"
    world.a.name_ru = "Альфа Кластер"
    world.b.short_name_ru = "Бета"
    world.b.name_ru = "Бета Парк"
    event = _proposed(world, values, (world.b, "co-host"))
    outbox.clear()
    _answer(client, world.staff_b, _involvement(event, world.b))
    (mail,) = outbox
    assert mail.subject == f"Можно планировать: «{event.title}»"
    assert "Бета Парк (Соорганизатор): Принято" in mail.body
    assert "Альфа Кластер" in mail.body
    assert "Альфа Кластер" in mail.html


def test_a_later_invitation_makes_the_event_wait_again(client, world, values, outbox):
    _third(world)
    event = _proposed(world, values, (world.b, "co-host"))
    _answer(client, world.staff_b, _involvement(event, world.b))
    login(client, world.staff_a)
    client.post(f"/events/{event.id}/invite", data={"partner": str(world.c.id),
                                                    "role": "supporter"})
    db.session.refresh(event)
    assert not ready_to_schedule(event)
    outbox.clear()
    _answer(client, world.coord_c, _involvement(event, world.c))
    assert [m.recipients for m in outbox] == [[world.coord_a.email]]


def test_without_a_coordinator_the_lead_staff_hear_it(client, world, values, outbox):
    db.session.delete(world.coord_a)
    event = _proposed(world, values, (world.b, "co-host"))
    outbox.clear()
    _answer(client, world.staff_b, _involvement(event, world.b))
    assert [m.recipients for m in outbox] == [[world.staff_a.email]]


# ---- co-hosts hear of scheduling and cancelling ----------------------------------------------

def test_accepted_partners_hear_when_the_event_is_scheduled_and_cancelled(client, world,
                                                                          values, outbox):
    _third(world)
    event = _proposed(world, values, (world.b, "co-host"), (world.c, "supporter"))
    _answer(client, world.staff_b, _involvement(event, world.b))
    _answer(client, world.coord_c, _involvement(event, world.c), accept=False)
    outbox.clear()
    login(client, world.coord_a)
    assert client.post(f"/events/{event.id}/schedule").status_code == 302
    assert [m.recipients for m in outbox] == [[world.coord_b.email]]  # not the decliner
    (mail,) = outbox
    assert mail.subject == f"Запланировано и опубликовано: «{event.title}»"  # Boris: Russian
    assert "Соорганизатор" in mail.body
    assert mail.attachments[0].content_type.startswith("text/calendar")
    assert b"STATUS:CONFIRMED" in mail.attachments[0].data

    outbox.clear()
    response = client.post(f"/events/{event.id}/cancel", data={"reason": "Зал затопило"})
    assert response.status_code == 302
    assert [m.recipients for m in outbox] == [[world.coord_b.email]]
    (mail,) = outbox
    assert mail.subject == f"Отменено: «{event.title}»"
    assert "Зал затопило" in mail.body
    assert b"STATUS:CANCELLED" in mail.attachments[0].data


def test_cancelling_a_proposal_tells_partners_that_accepted(client, world, values, outbox):
    world.coord_b.locale = "en"
    event = _proposed(world, values, (world.b, "supporter"))
    _answer(client, world.staff_b, _involvement(event, world.b))
    outbox.clear()
    login(client, world.coord_a)
    client.post(f"/events/{event.id}/cancel", data={"reason": "Speaker ill"})
    db.session.refresh(event)
    assert event.status == EventStatus.CANCELLED
    (mail,) = outbox
    assert mail.subject == f"Cancelled: “{event.title}”"
    assert "Alpha Cluster has cancelled" in mail.body
    assert "Beta Park takes part in (Supporter)" in mail.body
    assert _involvement(event, world.b).state == InvolvementState.ACCEPTED


@pytest.mark.concurrency
def test_two_last_answers_at_once_send_exactly_one_ready_mail(app, world, values):
    import threading

    from events.auth.models import User
    from events.planning.services import answer_invitation

    _third(world)
    event = _proposed(world, values, (world.b, "co-host"), (world.c, "supporter"))
    answers = [(world.staff_b.id, _involvement(event, world.b).id),
               (world.coord_c.id, _involvement(event, world.c).id)]
    db.session.commit()
    barrier = threading.Barrier(len(answers))

    def answer(user_id: int, involvement_id: int) -> None:
        with app.app_context():
            actor = db.session.get(User, user_id)
            involvement = db.session.get(Involvement, involvement_id)
            db.session.rollback()
            barrier.wait(timeout=10)
            try:
                answer_invitation(actor, involvement, True)
                db.session.commit()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=answer, args=pair) for pair in answers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    ready = [m for m in queued_messages() if m.subject.startswith("Ready to schedule")]
    assert len(ready) == 1
