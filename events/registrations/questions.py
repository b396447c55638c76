"""Registration questions: the lead partner's staff ask them per event (one line, long text,
single or multiple choice, a consent checkbox; required or optional, in their order); people
answer them when they register and may change the answers until the event starts. Staff read
them in the attendee list and the CSV.

A question that already has answers is never deleted: removing it only marks it removed, and
each answer keeps a copy of the question's label and kind, so it still reads right."""

from collections.abc import Mapping
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import gettext as _

from events.audit.services import record
from events.auth.permissions import can_manage_registration
from events.db import utcnow
from events.enums import EventStatus, QuestionKind, RegistrationStatus
from events.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from events.extensions import db
from events.planning.models import Event
from events.registrations.models import Registration, RegistrationAnswer, RegistrationQuestion
from events.text import one_line

MAX_QUESTIONS = 30
MAX_CHOICES = 20
LABEL_MAX, HELP_MAX, CHOICE_MAX = 200, 500, 200
TEXT_MAX, LONG_TEXT_MAX = 300, 5000
CHOICE_KINDS = (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)
YES = ("y", "yes", "on", "true", "1")


def field_name(question: RegistrationQuestion) -> str:
    """The form field that carries the answer to `question`."""
    return f"q{question.id}"


def current_questions(event: Event) -> list[RegistrationQuestion]:
    """The event's questions as they are asked now, in order."""
    if event.id is None:
        return []
    return list(db.session.scalars(
        sa.select(RegistrationQuestion)
        .where(RegistrationQuestion.event_id == event.id,
               RegistrationQuestion.removed_at.is_(None))
        .order_by(RegistrationQuestion.position, RegistrationQuestion.id)))


def question_of(event: Event, question_id: int) -> RegistrationQuestion:
    question = db.session.get(RegistrationQuestion, question_id)
    if question is None or question.event_id != event.id or question.removed_at is not None:
        raise NotFound(_("There is no such question."))
    return question


# --- staff: the questions --------------------------------------------------------------------

def _check_manager(actor, event: Event) -> None:
    if not can_manage_registration(actor, event):
        raise NotAllowed(_("Only the lead partner's staff set an event's registration "
                           "questions."))
    if event.status == EventStatus.CANCELLED:
        raise Conflict(_("This event is cancelled."))


class QuestionValues(NamedTuple):
    label: str
    help_text: str
    choices: list[str]
    is_required: bool


def _clean(kind: QuestionKind, label, help_text, choices, is_required) -> QuestionValues:
    label, help_text = one_line(label or ""), one_line(help_text or "")
    if not label:
        raise ValidationFailed(_("Write the question."), field="label")
    if len(label) > LABEL_MAX:
        raise ValidationFailed(_("Keep the question under %(n)d characters.", n=LABEL_MAX),
                               field="label")
    if len(help_text) > HELP_MAX:
        raise ValidationFailed(_("Keep the help text under %(n)d characters.", n=HELP_MAX),
                               field="help_text")
    if isinstance(choices, str):
        choices = choices.splitlines()
    options: list[str] = []
    for choice in choices or ():
        choice = one_line(choice)
        if choice and choice not in options:
            options.append(choice)
    if kind not in CHOICE_KINDS:
        options = []
    elif len(options) < 2:
        raise ValidationFailed(_("Give at least two options, one per line."), field="choices")
    elif len(options) > MAX_CHOICES:
        raise ValidationFailed(_("Give at most %(n)d options.", n=MAX_CHOICES), field="choices")
    elif any(len(option) > CHOICE_MAX for option in options):
        raise ValidationFailed(_("Keep each option under %(n)d characters.", n=CHOICE_MAX),
                               field="choices")
    return QuestionValues(label, help_text, options, bool(is_required))


def _kind(kind) -> QuestionKind:
    try:
        return QuestionKind(kind)
    except ValueError as error:
        raise ValidationFailed(_("Choose what kind of answer the question takes."),
                               field="kind") from error


def add_question(actor, event: Event, *, kind, label, help_text="", choices=(),
                 is_required=False) -> RegistrationQuestion:
    """Ask a new question, after the others."""
    _check_manager(actor, event)
    kind = _kind(kind)
    values = _clean(kind, label, help_text, choices, is_required)
    questions = current_questions(event)
    if len(questions) >= MAX_QUESTIONS:
        raise Conflict(_("An event asks at most %(n)d questions.", n=MAX_QUESTIONS))
    question = RegistrationQuestion(
        event=event, kind=kind, position=max((q.position for q in questions), default=-1) + 1,
        **values._asdict())
    db.session.add(question)
    db.session.flush()
    record(actor, "registration_question.add", question,
           {"question": [None, question.label], "answer_kind": [None, kind.value]},
           event=event)
    return question


# The names a question's fields go by in the event's history (events.audit.display).
AUDIT_NAMES = {"label": "question", "help_text": "help_text", "choices": "choices",
               "is_required": "is_required"}


def _audited(value):
    return " · ".join(value) if isinstance(value, list) else value


def update_question(actor, question: RegistrationQuestion, *, label, help_text="",
                    choices=(), is_required=False) -> RegistrationQuestion:
    """Change a question's wording, options or whether it must be answered (its kind stays).
    Answers given earlier keep the label they were given under."""
    event = question.event
    _check_manager(actor, event)
    values = _clean(question.kind, label, help_text, choices, is_required)
    changes = {AUDIT_NAMES[name]: [_audited(getattr(question, name)), _audited(value)]
               for name, value in values._asdict().items() if getattr(question, name) != value}
    for name, value in values._asdict().items():
        setattr(question, name, value)
    db.session.flush()
    if changes:
        record(actor, "registration_question.update", question, changes, event=event)
    return question


def remove_question(actor, question: RegistrationQuestion) -> RegistrationQuestion:
    """Stop asking a question; the answers already given stay with their registrations."""
    event = question.event
    _check_manager(actor, event)
    if question.removed_at is None:
        question.removed_at = utcnow()
        record(actor, "registration_question.remove", question,
               {"question": [question.label, None]}, event=event)
    return question


def move_question(actor, question: RegistrationQuestion, offset: int) -> RegistrationQuestion:
    """Move a question up (-1) or down (+1) among the event's questions."""
    event = question.event
    _check_manager(actor, event)
    questions = current_questions(event)
    index = questions.index(question)
    target = min(max(index + (1 if offset > 0 else -1), 0), len(questions) - 1)
    questions.insert(target, questions.pop(index))
    for position, each in enumerate(questions):
        each.position = position
    db.session.flush()
    return question


# --- residents: the answers ------------------------------------------------------------------

def _given(data: Mapping, question: RegistrationQuestion) -> list[str]:
    value = data.get(field_name(question))
    if value is None:
        return []
    values = [value] if isinstance(value, str) else list(value)
    return [v for v in values if isinstance(v, str)]


def clean_answers(data: Mapping, questions: list[RegistrationQuestion]) -> dict[int, object]:
    """{question_id: value} from the submitted form (field name → list of values), or
    ValidationFailed naming the field of the first answer that is missing or not allowed."""
    answers: dict[int, object] = {}
    for question in questions:
        given, field = _given(data, question), field_name(question)
        label = question.label
        if question.kind in (QuestionKind.TEXT, QuestionKind.LONG_TEXT):
            if question.kind == QuestionKind.TEXT:
                value, limit = one_line(given[0] if given else ""), TEXT_MAX
            else:
                value, limit = (given[0] if given else "").strip(), LONG_TEXT_MAX
            if len(value) > limit:
                raise ValidationFailed(_("Keep the answer to “%(label)s” under %(n)d "
                                         "characters.", label=label, n=limit), field=field)
            value = value or None
        elif question.kind == QuestionKind.SINGLE_CHOICE:
            chosen = [v for v in given if v]
            if len(chosen) > 1 or any(v not in question.choices for v in chosen):
                raise ValidationFailed(_("Choose one of the options for “%(label)s”.",
                                         label=label), field=field)
            value = chosen[0] if chosen else None
        elif question.kind == QuestionKind.MULTIPLE_CHOICE:
            chosen = [v for v in given if v]
            if any(v not in question.choices for v in chosen):
                raise ValidationFailed(_("Choose among the options for “%(label)s”.",
                                         label=label), field=field)
            value = [c for c in question.choices if c in chosen] or None
        else:  # consent
            value = any(v.lower() in YES for v in given)
            if question.is_required and not value:
                raise ValidationFailed(_("Tick “%(label)s” to register.", label=label),
                                       field=field)
        if question.is_required and value is None:
            raise ValidationFailed(_("“%(label)s” needs an answer.", label=label), field=field)
        answers[question.id] = value
    return answers


def save_answers(registration: Registration, questions: list[RegistrationQuestion],
                 answers: dict[int, object]) -> None:
    """Store the answers to the questions asked now (answers to removed questions stay)."""
    existing = {a.question_id: a for a in registration.answers}
    for question in questions:
        answer = existing.get(question.id)
        if answer is None:
            answer = RegistrationAnswer(question=question)
            registration.answers.append(answer)
        answer.question_label, answer.question_kind = question.label, question.kind
        answer.value = answers.get(question.id)
    db.session.flush()


def answers_refusal(actor, registration: Registration, now=None) -> str | None:
    """Why `actor` may not change the answers of `registration` now, or None if they may (the
    link on My events is shown with this same rule)."""
    if actor is None or registration.user_id != getattr(actor, "id", None):
        return _("You can only change your own answers.")
    if registration.status == RegistrationStatus.CANCELLED:
        return _("This registration is cancelled.")
    if registration.event.starts_at <= (now or utcnow()):
        return _("The event has started; the answers can no longer be changed.")
    return None


def edit_answers(actor, registration: Registration, data: Mapping) -> Registration:
    """The person changes their answers, until the event starts."""
    refusal = answers_refusal(actor, registration)
    if refusal:
        if actor is None or registration.user_id != actor.id:
            raise NotFound(_("There is no such registration."))
        raise Conflict(refusal)
    questions = current_questions(registration.event)
    save_answers(registration, questions, clean_answers(data, questions))
    # The trail says that the answers changed, not what they say (they are personal data).
    record(actor, "registration.answers", registration, event=registration.event)
    return registration


def form_values(registration: Registration | None) -> dict[str, list[str]]:
    """The stored answers as form values, to fill the form for editing."""
    values: dict[str, list[str]] = {}
    for answer in registration.answers if registration is not None else ():
        value = answer.value
        if value is None:
            continue
        if isinstance(value, bool):
            value = ["yes"] if value else []
        values[f"q{answer.question_id}"] = value if isinstance(value, list) else [str(value)]
    return values


# --- reading the answers ---------------------------------------------------------------------

def shown(value, kind: QuestionKind | str | None = None) -> str:
    """An answer as text, for the attendee list and the CSV."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


class Column(NamedTuple):
    question_id: int
    heading: str


def answer_columns(event: Event) -> list[Column]:
    """One column per question: those asked now, then removed ones that have answers."""
    answered = sa.select(RegistrationAnswer.question_id).where(
        RegistrationAnswer.question_id == RegistrationQuestion.id).exists()
    questions = db.session.scalars(
        sa.select(RegistrationQuestion)
        .where(RegistrationQuestion.event_id == event.id,
               sa.or_(RegistrationQuestion.removed_at.is_(None), answered))
        .order_by(RegistrationQuestion.removed_at.is_not(None), RegistrationQuestion.position,
                  RegistrationQuestion.id))
    return [Column(q.id, q.label if q.removed_at is None
                   else _("%(label)s (removed)", label=q.label)) for q in questions]


def answers_by_registration(event: Event) -> dict[int, dict[int, str]]:
    """{registration_id: {question_id: answer as text}} for the whole event, in one query."""
    rows = db.session.execute(
        sa.select(RegistrationAnswer.registration_id, RegistrationAnswer.question_id,
                  RegistrationAnswer.value, RegistrationAnswer.question_kind)
        .join(Registration, Registration.id == RegistrationAnswer.registration_id)
        .where(Registration.event_id == event.id, Registration.anonymised_at.is_(None)))
    table: dict[int, dict[int, str]] = {}
    for registration_id, question_id, value, kind in rows:
        table.setdefault(registration_id, {})[question_id] = shown(value, kind)
    return table


def forget_answers(registration_ids) -> None:
    """Anonymising registrations (`registration_ids`: a select of their ids) blanks their
    answers: they may hold anything the person wrote."""
    db.session.execute(
        sa.update(RegistrationAnswer)
        .where(RegistrationAnswer.registration_id.in_(registration_ids))
        .values(value=None).execution_options(synchronize_session=False))


def events_with_questions(event_ids) -> set[int]:
    """Which of these events ask questions now, in one query."""
    ids = list(event_ids)
    if not ids:
        return set()
    return set(db.session.scalars(
        sa.select(RegistrationQuestion.event_id).distinct()
        .where(RegistrationQuestion.event_id.in_(ids),
               RegistrationQuestion.removed_at.is_(None))))


class ChoiceCount(NamedTuple):
    question: RegistrationQuestion
    counts: list[tuple[str, int]]  # each option (or Yes/No) with how many chose it
    answered: int


def choice_counts(event: Event) -> list[ChoiceCount]:
    """For each choice and yes/no question asked now: how many of the people registered (not
    cancelled) chose each option, in the question's order; one query for the answers."""
    asked = [q for q in current_questions(event) if q.kind in (
        QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE, QuestionKind.CONSENT)]
    if not asked:
        return []
    rows = db.session.execute(
        sa.select(RegistrationAnswer.question_id, RegistrationAnswer.value)
        .join(Registration, Registration.id == RegistrationAnswer.registration_id)
        .where(Registration.event_id == event.id,
               Registration.status != RegistrationStatus.CANCELLED,
               RegistrationAnswer.question_id.in_([q.id for q in asked])))
    tallies: dict[int, dict[str, int]] = {q.id: {} for q in asked}
    answered: dict[int, int] = dict.fromkeys(tallies, 0)
    for question_id, value in rows:
        if value is None or value == [] or value == "":
            continue
        answered[question_id] += 1
        for chosen in value if isinstance(value, list) else [value]:
            key = shown(chosen) if isinstance(chosen, bool) else str(chosen)
            tallies[question_id][key] = tallies[question_id].get(key, 0) + 1
    found = []
    for question in asked:
        options = [_("Yes"), _("No")] if question.kind == QuestionKind.CONSENT \
            else list(question.choices)
        tally = tallies[question.id]
        extra = [k for k in tally if k not in options]  # options renamed since answered
        found.append(ChoiceCount(question, [(o, tally.get(o, 0)) for o in options + extra],
                                 answered[question.id]))
    return found
