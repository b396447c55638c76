"""Registration forms: the buttons carry only their CSRF token (and where to return to)."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length, Optional


class ActionForm(FlaskForm):
    """A button that changes one thing: register, cancel, confirm a cancel link."""

    next = HiddenField(validators=[Optional(), Length(max=300)])


class CheckInForm(FlaskForm):
    """Check-in buttons on the attendee list keep the search the staff member typed."""

    q = HiddenField(validators=[Optional(), Length(max=100)])


class ScanForm(FlaskForm):
    """The door page: the code the camera read, or that staff typed or pasted."""

    token = StringField(validators=[DataRequired(), Length(max=200)])
