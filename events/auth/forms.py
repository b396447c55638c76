"""Shapes of the sign-in, sign-up, password and account forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from events.auth.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH


def _new_password(label):
    return PasswordField(label, validators=[DataRequired(), Length(
        min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH,
        message=_l("Use between %(min)d and %(max)d characters."))])


def _repeat():
    return PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("Passwords differ."))])


class SignInForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=320)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in"))


class SignUpForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=320)])
    company = StringField(_l("Company"), validators=[DataRequired(), Length(max=200)])
    site_partner = SelectField(
        _l("Your company resides at"), coerce=int, validators=[DataRequired()]
    )
    password = _new_password(_l("Password"))
    confirm = _repeat()


class EmailForm(FlaskForm):
    """Forgot password: the address to send the link to."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=320)])


class NewPasswordForm(FlaskForm):
    """Reset link and invitation: choose a password."""

    password = _new_password(_l("New password"))
    confirm = _repeat()


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    password = _new_password(_l("New password"))
    confirm = _repeat()


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=200)])


class ConfirmForm(FlaskForm):
    """A button that only carries the CSRF token."""


class LanguageForm(FlaskForm):
    language = HiddenField(validators=[DataRequired()])
    next = HiddenField()


class AccountForm(FlaskForm):
    """An account created by an admin or a partner's coordinator; the person gets an
    invitation mail and chooses their own password."""

    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=320)])
    role = SelectField(_l("Role"), validators=[DataRequired()])
    partner = SelectField(_l("Partner"), coerce=int, validate_choice=False)


class ActiveForm(FlaskForm):
    active = HiddenField(validators=[DataRequired()])
