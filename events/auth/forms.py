"""Shapes of the sign-in, sign-up and language forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from events.auth.services import MIN_PASSWORD_LENGTH


class SignInForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in"))


class SignUpForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    company = StringField(_l("Company"), validators=[DataRequired(), Length(max=200)])
    site_partner = SelectField(
        _l("Your company resides at"), coerce=int, validators=[DataRequired()]
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(
            min=MIN_PASSWORD_LENGTH, max=200,
            message=_l("Use between %(min)d and %(max)d characters."))]
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("Passwords differ."))],
    )


class LanguageForm(FlaskForm):
    language = HiddenField(validators=[DataRequired()])
    next = HiddenField()


class AccountForm(FlaskForm):
    """An account created by an admin or a partner's coordinator."""

    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(_l("Role"), validators=[DataRequired()])
    partner = SelectField(_l("Partner"), coerce=int, validate_choice=False)
    password = PasswordField(
        _l("Initial password"), validators=[DataRequired(), Length(
            min=MIN_PASSWORD_LENGTH, max=200,
            message=_l("Use between %(min)d and %(max)d characters."))]
    )


class ActiveForm(FlaskForm):
    active = HiddenField(validators=[DataRequired()])
