"""Shapes of the resident company forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class CompanyForm(FlaskForm):
    name = StringField(_l("Company"), validators=[DataRequired(), Length(max=200)])
    domains = TextAreaField(_l("Email domains"), validators=[DataRequired(), Length(max=2000)])
    partner = HiddenField()


class CompanyImportForm(FlaskForm):
    file = FileField(_l("A CSV file"))
    partner = HiddenField()


class DecisionForm(FlaskForm):
    """Confirm or refuse a resident (only the CSRF token travels)."""
