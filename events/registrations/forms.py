"""Registration forms: the buttons carry only their CSRF token (and where to return to)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


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
