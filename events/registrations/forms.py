"""Registration forms: the buttons carry only their CSRF token (and where to return to)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
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
