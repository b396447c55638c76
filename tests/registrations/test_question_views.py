"""The pages and buttons of questions and approval: the register form, refused answers shown
beside their field with a 4xx, changing answers, the staff page of questions, the attendee
list and CSV with the answers, approve and decline, and who may reach each of them."""

import csv
import io

import pytest

from events.enums import RegistrationStatus
from events.extensions import db
from events.registrations import approval, questions
from events.registrations.models import Registration
from events.registrations.services import register
from tests.conftest import login
from tests.factories import make_involvement, make_partner, make_user
from tests.registrations.helpers import statuses


@pytest.fixture
def asked(app, event, staff):
    with app.test_request_context("/", method="POST"):
        diet = questions.add_question(staff, event, kind="text", label="Dietary needs",
                                      is_required=True)
        track = questions.add_question(staff, event, kind="single_choice", label="Track",
                                       choices="Biotech\nIT")
        consent = questions.add_question(staff, event, kind="consent",
                                         label="I agree to be photographed", is_required=True)
    db.session.commit()
    return diet, track, consent


def test_with_questions_register_opens_the_form(client, event, residents, asked):
    login(client, residents[0])
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert f'href="/events/{event.id}/register"' in page
    form = client.get(f"/events/{event.id}/register").get_data(as_text=True)
    diet, _track, _consent = asked
    assert f'name="q{diet.id}"' in form
    assert "Track (optional)" in form
    assert 'type="radio"' in form
    assert 'type="checkbox"' in form


def test_a_missing_answer_is_shown_beside_its_field(client, event, residents, asked):
    diet, track, consent = asked
    login(client, residents[0])
    response = client.post(f"/events/{event.id}/register",
                           data={f"q{diet.id}": "", f"q{track.id}": "IT",
                                 f"q{consent.id}": "y"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "“Dietary needs” needs an answer." in page
    assert 'aria-invalid="true"' in page
    assert f'<input checked id="q{track.id}-1"' in page  # the answers typed stay
    assert statuses(event) == {}


def test_answers_register_and_can_be_changed(client, event, residents, asked):
    diet, track, consent = asked
    login(client, residents[0])
    response = client.post(f"/events/{event.id}/register",
                           data={f"q{diet.id}": "Vegan", f"q{consent.id}": "y"})
    assert response.status_code == 302
    registration = db.session.query(Registration).one()
    assert registration.status == RegistrationStatus.CONFIRMED
    mine = client.get("/my/events").get_data(as_text=True)
    assert f"/registrations/{registration.id}/answers" in mine
    form = client.get(f"/registrations/{registration.id}/answers").get_data(as_text=True)
    assert 'value="Vegan"' in form
    response = client.post(f"/registrations/{registration.id}/answers",
                           data={f"q{diet.id}": "Vegetarian", f"q{track.id}": "Biotech",
                                 f"q{consent.id}": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert {a.question_label: a.value for a in registration.answers}["Dietary needs"] == \
        "Vegetarian"
    refused = client.post(f"/registrations/{registration.id}/answers",
                          data={f"q{diet.id}": "Vegetarian"})
    assert refused.status_code == 422
    assert "Tick “I agree to be photographed” to register." in refused.get_data(as_text=True)


def test_someone_elses_answers_do_not_exist(client, event, residents, asked, app):
    diet, _track, consent = asked
    with app.test_request_context("/", method="POST"):
        registration = register(residents[0], event,
                                {f"q{diet.id}": ["Vegan"], f"q{consent.id}": ["y"]})
        registration = registration.registration
    login(client, residents[1])
    assert client.get(f"/registrations/{registration.id}/answers").status_code == 404
    assert client.post(f"/registrations/{registration.id}/answers",
                       data={f"q{diet.id}": "Meat"}).status_code == 404


def test_staff_define_questions_on_their_page(client, event, staff):
    login(client, staff)
    page = client.get(f"/events/{event.id}/questions")
    assert page.status_code == 200
    response = client.post(f"/events/{event.id}/questions",
                           data={"kind": "multiple_choice", "label": "Topics",
                                 "choices": "AI\nPatents", "is_required": "y"})
    assert response.status_code == 302
    (question,) = questions.current_questions(event)
    assert (question.kind.value, question.choices, question.is_required) == (
        "multiple_choice", ["AI", "Patents"], True)
    response = client.post(f"/events/{event.id}/questions/{question.id}/edit",
                           data={f"edit{question.id}-label": "Topics you like",
                                 f"edit{question.id}-choices": "AI\nPatents\nFunding"})
    assert response.status_code == 302
    db.session.expire_all()
    assert question.label == "Topics you like"
    assert question.is_required is False
    refused = client.post(f"/events/{event.id}/questions",
                          data={"kind": "single_choice", "label": "Track", "choices": "One"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Give at least two options" in page
    assert 'aria-invalid="true"' in page  # beside the field, the form kept
    assert "One</textarea>" in page
    refused = client.post(f"/events/{event.id}/questions/{question.id}/edit",
                          data={f"edit{question.id}-label": ""})
    assert refused.status_code == 422
    assert "<details class=\"manage\" open>" in refused.get_data(as_text=True)
    assert client.post(f"/events/{event.id}/questions/{question.id}/remove").status_code == 302
    assert questions.current_questions(event) == []
    assert client.post(f"/events/{event.id}/approval",
                       data={"needs_approval": "y"}).status_code == 302
    db.session.expire_all()
    assert event.registration_needs_approval is True


def test_other_partners_staff_cannot_set_questions_or_decide(app, client, event, staff,
                                                            residents, asked):
    co_host = make_partner(slug="co-host")
    make_involvement(event, co_host)
    event.registration_needs_approval = True
    with app.test_request_context("/", method="POST"):
        pending = register(residents[0], event, {f"q{asked[0].id}": ["Vegan"],
                                                 f"q{asked[2].id}": ["y"]}).registration
    question = asked[0]
    for outsider in (make_user("staff", co_host), make_user("staff", make_partner())):
        login(client, outsider)
        for method, path, data in [
            ("get", f"/events/{event.id}/questions", None),
            ("post", f"/events/{event.id}/questions", {"kind": "text", "label": "Why?"}),
            ("post", f"/events/{event.id}/questions/{question.id}/edit",
             {f"edit{question.id}-label": "Hacked"}),
            ("post", f"/events/{event.id}/questions/{question.id}/remove", None),
            ("post", f"/events/{event.id}/questions/{question.id}/move", {"direction": "up"}),
            ("post", f"/events/{event.id}/approval", {}),
            ("post", f"/registrations/{pending.id}/approve", None),
            ("post", f"/registrations/{pending.id}/decline", {"reason": "No"}),
        ]:
            response = getattr(client, method)(path, data=data)
            assert response.status_code in (403, 404), (outsider.partner_id, path)
    db.session.expire_all()
    assert pending.status == RegistrationStatus.PENDING
    assert question.label == "Dietary needs"
    assert len(questions.current_questions(event)) == 3
    assert event.registration_needs_approval is True


def test_attendee_list_and_csv_show_answers_and_pending_people(app, client, event, staff,
                                                              residents, asked):
    diet, track, consent = asked
    with app.test_request_context("/", method="POST"):
        register(residents[0], event, {f"q{diet.id}": ["Vegan"], f"q{track.id}": ["IT"],
                                       f"q{consent.id}": ["y"]})
        approval.set_needs_approval(staff, event, True)
        pending = register(residents[1], event, {f"q{diet.id}": ["Halal"],
                                                 f"q{consent.id}": ["y"]}).registration
    login(client, staff)
    page = client.get(f"/events/{event.id}/attendees").get_data(as_text=True)
    assert "Waiting for approval" in page
    assert "Vegan" in page and "Halal" in page  # noqa: PT018 - two people, one page
    assert f"/registrations/{pending.id}/approve" in page
    data = client.get(f"/events/{event.id}/attendees.csv").get_data()
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0][-3:] == ["Dietary needs", "Track", "I agree to be photographed"]
    rows = {row[0]: row for row in table[1:]}
    assert rows[residents[0].name][-3:] == ["Vegan", "IT", "Yes"]
    assert rows[residents[1].name][4] == "Waiting for approval"
    response = client.post(f"/registrations/{pending.id}/approve")
    assert response.status_code == 302
    db.session.expire_all()
    assert pending.status == RegistrationStatus.CONFIRMED


def test_decline_from_the_attendee_list(app, client, event, staff, residents, outbox):
    event.registration_needs_approval = True
    with app.test_request_context("/", method="POST"):
        pending = register(residents[0], event).registration
    login(client, staff)
    response = client.post(f"/registrations/{pending.id}/decline",
                           data={"reason": "Residents of the cluster only"})
    assert response.status_code == 302
    db.session.expire_all()
    assert pending.status == RegistrationStatus.CANCELLED
    (mail,) = [m for m in outbox if m.subject.startswith("Registration not approved")]
    assert "Residents of the cluster only" in mail.body
    login(client, residents[0])
    mine = client.get("/my/events").get_data(as_text=True)
    assert "Not approved by the organisers." in mine


def test_pending_resident_sees_waiting_for_approval_and_withdraws(client, event, residents):
    event.registration_needs_approval = True
    login(client, residents[0])
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "need the organisers&#39; approval" in page or "need the organisers' approval" in page
    assert client.post(f"/events/{event.id}/register").status_code == 302
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Waiting for approval" in page
    assert "Withdraw my registration" in page
    mine = client.get("/my/events").get_data(as_text=True)
    assert "Waiting for approval" in mine
    registration = db.session.query(Registration).one()
    response = client.post(f"/registrations/{registration.id}/cancel")
    assert response.status_code == 302
    db.session.expire_all()
    assert registration.status == RegistrationStatus.CANCELLED


def test_my_answers_page_of_an_event_without_questions_says_so(app, client, event, residents):
    with app.test_request_context("/", method="POST"):
        registration = register(residents[0], event).registration
    login(client, residents[0])
    page = client.get(f"/registrations/{registration.id}/answers").get_data(as_text=True)
    assert "This event asks no questions at registration." in page
    assert "answers-form" not in page


def test_attendee_list_counts_each_choice(app, client, event, staff, residents, asked):
    diet, track, consent = asked
    event.capacity = 10
    picks = ["IT", "IT", "Biotech", None]
    with app.test_request_context("/", method="POST"):
        for person, pick in zip(residents, picks, strict=False):
            answers = {f"q{diet.id}": ["None"], f"q{consent.id}": ["y"]}
            if pick:
                answers[f"q{track.id}"] = [pick]
            register(person, event, answers)
    db.session.commit()
    counted = {c.question.label: (c.counts, c.answered) for c in questions.choice_counts(event)}
    assert counted["Track"] == ([("Biotech", 1), ("IT", 2)], 3)
    assert counted["I agree to be photographed"] == ([("Yes", 4), ("No", 0)], 4)
    assert "Dietary needs" not in counted  # free text is read in the list, not counted
    login(client, staff)
    page = client.get(f"/events/{event.id}/attendees").get_data(as_text=True)
    assert "Answers at a glance" in page
    assert "IT: <strong>2</strong>" in page


def test_an_unticked_optional_consent_is_shown_back_unticked(app, client, event, residents):
    staff_user = event.involvements[0]
    with app.test_request_context("/", method="POST"):
        from tests.factories import make_user as _user

        manager = _user("staff", staff_user.partner)
        photo = questions.add_question(manager, event, kind="consent",
                                       label="Photos are fine", is_required=False)
        registration = register(residents[0], event, {}).registration
    db.session.commit()
    answers = {a.question_id: a.value for a in registration.answers}
    assert answers.get(photo.id) in (False, None)
    login(client, residents[0])
    page = client.get(f"/registrations/{registration.id}/answers")
    assert page.status_code == 200
    assert 'checked' not in page.get_data(as_text=True).split("Photos are fine")[0][-300:]
