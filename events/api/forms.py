"""Shapes of the token forms on the account page."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from events.api.tokens import NAME_MAX


class ApiTokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=NAME_MAX)])


class RevokeTokenForm(FlaskForm):
    """A button that only carries the CSRF token."""
