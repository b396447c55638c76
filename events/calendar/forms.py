"""Shapes of the calendar forms: token (re)generation and .ics import."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectMultipleField, URLField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget


class FeedTokenForm(FlaskForm):
    """Create or regenerate the private feed token (only the CSRF token travels)."""


class ImportForm(FlaskForm):
    file = FileField(_l("An .ics file"))
    url = URLField(_l("…or the address of a calendar"),
                   validators=[Optional(), Length(max=2000)])


class ConfirmImportForm(FlaskForm):
    payload = HiddenField(validators=[DataRequired()])
    chosen = SelectMultipleField(
        _l("Events to import"), coerce=int, validate_choice=False,
        option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False))
