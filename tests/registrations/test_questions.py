"""Registration questions: each kind of answer, required answers refused with a clear message,
editing until the start, removed and changed questions keeping their answers, the CSV's
columns, the personal data copy and anonymisation."""

import csv
import io
from datetime import timedelta

import pytest

from events.auth.personal_data import anonymise_past_attendees, export_personal_data
from events.db import utcnow
from events.enums import RegistrationStatus
from events.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from events.extensions import db
from events.registrations import questions
from events.registrations.export import attendees_csv
from events.registrations.queries import attendees, waitlist_positions
from events.registrations.services import cancel_registration, register
from tests.factories import make_involvement, make_partner, make_user
from tests.registrations.helpers import rows

pytestmark = pytest.mark.usefixtures("in_request")


@pytest.fixture
def asked(event, staff):
    """One question of each kind; the first two and the consent are required."""
    add = questions.add_question
    return {
        "diet": add(staff, event, kind="text", label="Dietary needs", is_required=True,
                    help_text="Allergies, vegetarian…"),
        "about": add(staff, event, kind="long_text", label="What do you expect?",
                     is_required=True),
        "track": add(staff, event, kind="single_choice", label="Track",
                     choices="Biotech\nIT\nBiotech\n\n"),
        "topics": add(staff, event, kind="multiple_choice", label="Topics",
                      choices=["AI", "Patents", "Funding"]),
        "photos": add(staff, event, kind="consent", label="I agree to be photographed",
                      is_required=True),
    }


def answers_for(asked, **values) -> dict:
    data = {
        "diet": ["Vegetarian"], "about": ["Meeting investors\nand peers"], "track": ["IT"],
        "topics": ["Funding", "AI"], "photos": ["y"],
    } | values
    return {questions.field_name(asked[key]): value for key, value in data.items()
            if value is not None}


def stored(registration) -> dict:
    return {a.question_label: a.value for a in registration.answers}


def test_each_kind_of_answer_is_stored_and_shown(event, residents, asked):
    registration = register(residents[0], event, answers_for(asked)).registration
    assert stored(registration) == {
        "Dietary needs": "Vegetarian", "What do you expect?": "Meeting investors\nand peers",
        "Track": "IT", "Topics": ["AI", "Funding"],  # in the options' order
        "I agree to be photographed": True,
    }
    assert asked["track"].choices == ["Biotech", "IT"]  # blank and repeated options dropped
    table = questions.answers_by_registration(event)[registration.id]
    assert table[asked["topics"].id] == "AI; Funding"
    assert table[asked["photos"].id] == "Yes"


def test_optional_questions_may_stay_unanswered(event, residents, asked):
    registration = register(residents[0], event,
                            answers_for(asked, track=None, topics=None)).registration
    assert stored(registration)["Track"] is None
    assert stored(registration)["Topics"] is None


@pytest.mark.parametrize(("key", "value", "message"), [
    ("diet", None, "“Dietary needs” needs an answer."),
    ("diet", ["   "], "“Dietary needs” needs an answer."),
    ("about", None, "“What do you expect?” needs an answer."),
    ("photos", None, "Tick “I agree to be photographed” to register."),
    ("track", ["Chemistry"], "Choose one of the options for “Track”."),
    ("track", ["IT", "Biotech"], "Choose one of the options for “Track”."),
    ("topics", ["AI", "Gossip"], "Choose among the options for “Topics”."),
    ("diet", ["x" * 301], "Keep the answer to “Dietary needs” under 300 characters."),
])
def test_bad_answers_are_refused_with_a_clear_message(event, residents, asked, key, value,
                                                      message):
    with pytest.raises(ValidationFailed) as refused:
        register(residents[0], event, answers_for(asked, **{key: value}))
    assert refused.value.message == message
    assert refused.value.field == questions.field_name(asked[key])
    assert refused.value.status == 422
    db.session.rollback()
    assert rows() == 0


def test_without_questions_one_click_registers_as_before(event, residents):
    assert register(residents[0], event).registration.status == RegistrationStatus.CONFIRMED


def test_answers_can_be_changed_until_the_event_starts(event, residents, asked):
    registration = register(residents[0], event, answers_for(asked)).registration
    questions.edit_answers(residents[0], registration,
                           answers_for(asked, diet=["Vegan"], topics=["Patents"]))
    assert stored(registration)["Dietary needs"] == "Vegan"
    assert stored(registration)["Topics"] == ["Patents"]
    with pytest.raises(ValidationFailed):
        questions.edit_answers(residents[0], registration, answers_for(asked, diet=None))
    with pytest.raises(NotFound):
        questions.edit_answers(residents[1], registration, answers_for(asked))
    event.starts_at = utcnow() - timedelta(minutes=1)
    with pytest.raises(Conflict, match="has started"):
        questions.edit_answers(residents[0], registration, answers_for(asked))


def test_a_cancelled_registration_keeps_its_answers_but_they_cannot_change(event, residents,
                                                                           asked):
    registration = register(residents[0], event, answers_for(asked)).registration
    cancel_registration(residents[0], registration)
    with pytest.raises(Conflict):
        questions.edit_answers(residents[0], registration, answers_for(asked))
    assert stored(registration)["Dietary needs"] == "Vegetarian"


def test_changed_and_removed_questions_keep_the_answers(event, staff, residents, asked):
    registration = register(residents[0], event, answers_for(asked)).registration
    questions.update_question(staff, asked["diet"], label="Food", is_required=False)
    questions.remove_question(staff, asked["track"])
    assert stored(registration)["Dietary needs"] == "Vegetarian"  # given under the old label
    assert stored(registration)["Track"] == "IT"
    assert asked["track"] not in questions.current_questions(event)
    headings = [c.heading for c in questions.answer_columns(event)]
    assert headings == ["Food", "What do you expect?", "Topics", "I agree to be photographed",
                        "Track (removed)"]
    # The next person is no longer asked the removed question, nor forced to answer "Food".
    second = register(residents[1], event, answers_for(asked, diet=None, track=None))
    assert "Track" not in stored(second.registration)


def test_questions_are_ordered_and_moved(event, staff, asked):
    questions.move_question(staff, asked["photos"], -1)
    questions.move_question(staff, asked["diet"], -1)  # already first: stays
    assert [q.label for q in questions.current_questions(event)] == [
        "Dietary needs", "What do you expect?", "Track", "I agree to be photographed", "Topics"]


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"kind": "text", "label": "  "}, "label", "Write the question."),
    ({"kind": "essay", "label": "Why?"}, "kind", "Choose what kind of answer"),
    ({"kind": "single_choice", "label": "Track", "choices": "Only one"}, "choices",
     "at least two options"),
    ({"kind": "text", "label": "x" * 201}, "label", "under 200 characters"),
])
def test_bad_questions_are_refused(event, staff, values, field, message):
    with pytest.raises(ValidationFailed, match=message) as refused:
        questions.add_question(staff, event, **values)
    assert refused.value.field == field


def test_only_the_lead_partners_staff_set_questions(event, host, residents):
    other = make_partner(slug="other")
    make_involvement(event, other)
    co_host_staff = make_user("staff", other)
    for person in (co_host_staff, residents[0], make_user("staff")):
        with pytest.raises(NotAllowed):
            questions.add_question(person, event, kind="text", label="Why?")
    admin = make_user("admin")
    assert questions.add_question(admin, event, kind="text", label="Why?").id


def test_csv_has_one_column_per_question(app, event, residents, asked):
    register(residents[0], event, answers_for(asked))
    register(residents[1], event, answers_for(asked, diet=["=1+1"], topics=None))
    data = attendees_csv(event, attendees(event), waitlist_positions([event.id]), "en",
                         questions.answer_columns(event),
                         questions.answers_by_registration(event))
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0][-5:] == ["Dietary needs", "What do you expect?", "Track", "Topics",
                             "I agree to be photographed"]
    assert table[1][-5:] == ["Vegetarian", "Meeting investors\nand peers", "IT",
                             "AI; Funding", "Yes"]
    assert table[2][-5] == "'=1+1"  # a formula typed as an answer stays text
    assert table[2][-2] == ""


def test_personal_data_copy_holds_the_answers(event, residents, asked):
    register(residents[0], event, answers_for(asked))
    (copy,) = export_personal_data(residents[0])["registrations"]
    assert {"question": "Dietary needs", "answer": "Vegetarian"} in copy["answers"]
    assert {"question": "Topics", "answer": ["AI", "Funding"]} in copy["answers"]


def test_anonymising_blanks_the_answers(event, residents, asked):
    registration = register(residents[0], event, answers_for(asked)).registration
    db.session.flush()
    event.starts_at = utcnow() - timedelta(days=40)
    event.ends_at = event.starts_at + timedelta(hours=2)
    assert anonymise_past_attendees(30) == 1
    db.session.expire_all()
    assert all(a.value is None for a in registration.answers)
    assert len(registration.answers) == 5  # which questions were answered stays, not what
    assert questions.answers_by_registration(event) == {}
