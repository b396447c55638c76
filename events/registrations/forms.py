"""Registration forms: the buttons carry only their CSRF token (and where to return to); the
questions staff ask, and the form of answers built from them."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from events.enums import LABELS, QuestionKind


class ActionForm(FlaskForm):
    """A button that changes one thing: register, cancel, confirm a cancel link."""

    next = HiddenField(validators=[Optional(), Length(max=300)])


class CheckInForm(FlaskForm):
    """Check-in buttons on the attendee list keep the search the staff member typed."""

    q = HiddenField(validators=[Optional(), Length(max=100)])


class ScanForm(FlaskForm):
    """The door page: the code the camera read, or that staff typed or pasted."""

    token = StringField(_l("Ticket code"), validators=[DataRequired(), Length(max=200)])


class AddPersonForm(FlaskForm):
    """Staff add someone: an account's address, or a walk-in's name and address."""

    email = StringField(_l("Email"), validators=[DataRequired(), Length(max=320)])
    name = StringField(_l("Name (for a walk-in without an account)"),
                       validators=[Optional(), Length(max=200)])


class MoveAheadForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=300)])


class MessageForm(FlaskForm):
    """A message to all attendees or a group of them (events.registrations.staff.Group)."""

    group = StringField(_l("Send to"), validators=[DataRequired(), Length(max=20)])
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=5000)])


class FeedbackForm(FlaskForm):
    """After the event: a rating from 1 to 5 and a comment (the service checks both)."""

    rating = RadioField(_l("How was it?"), choices=[], validate_choice=False)
    comment = TextAreaField(_l("Comment (optional)"),
                            description=_l("Shown to the organisers without your name."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rating.choices = [
            ("5", _l("5 — excellent")), ("4", _l("4 — good")), ("3", _l("3 — fair")),
            ("2", _l("2 — poor")), ("1", _l("1 — very poor"))]


class QuestionForm(FlaskForm):
    """A registration question (events.registrations.questions checks the values)."""

    kind = SelectField(_l("Kind of answer"), choices=[
        SelectChoice(kind.value, LABELS[kind]) for kind in QuestionKind])
    label = StringField(_l("Question"), validators=[DataRequired(), Length(max=200)])
    help_text = StringField(_l("Help text (optional)"), validators=[Optional(), Length(max=500)])
    choices = TextAreaField(_l("Options, one per line (for a choice)"),
                            validators=[Optional(), Length(max=5000)])
    is_required = BooleanField(_l("An answer is required"))


class QuestionEditForm(QuestionForm):
    """A question's kind stays once asked (remove it and add another to change it)."""

    kind = None


class MoveForm(FlaskForm):
    direction = HiddenField(validators=[DataRequired(), AnyOf(["up", "down"])])


class ApprovalForm(FlaskForm):
    needs_approval = BooleanField(_l("Registrations need our approval"))


class DeclineForm(FlaskForm):
    reason = StringField(_l("Reason (optional, goes into the mail)"),
                         validators=[Optional(), Length(max=500)])


def _optional(question) -> str:
    return question.label if question.is_required else _("%(label)s (optional)",
                                                           label=question.label)


def answers_form(questions, **kwargs) -> FlaskForm:
    """A form with one field per question, named as events.registrations.questions.field_name
    says. It checks only the CSRF token: the service checks the answers, with its messages."""
    fields = {}
    for question in questions:
        label, hint = _optional(question), question.help_text or None
        if question.kind == QuestionKind.TEXT:
            field = StringField(label, description=hint)
        elif question.kind == QuestionKind.LONG_TEXT:
            field = TextAreaField(label, description=hint)
        elif question.kind == QuestionKind.SINGLE_CHOICE:
            field = RadioField(label, description=hint, validate_choice=False,
                               choices=[SelectChoice(c, c) for c in question.choices])
        elif question.kind == QuestionKind.MULTIPLE_CHOICE:
            field = SelectMultipleField(label, description=hint, validate_choice=False,
                                        choices=[SelectChoice(c, c) for c in question.choices],
                                        widget=ListWidget(prefix_label=False),
                                        option_widget=CheckboxInput())
        else:
            field = BooleanField(question.label, description=hint)
        fields[f"q{question.id}"] = field
    return type("AnswersForm", (FlaskForm,), fields)(**kwargs)
