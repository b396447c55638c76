"""Helpers the templates share for accessible forms: the error summary after a failed submit
(the GOV.UK pattern) lists every field error of every form on the page, each linking to its
field."""

from dataclasses import dataclass

from flask import flash
from flask_wtf import FlaskForm
from jinja2 import pass_context
from wtforms.fields import RadioField, SelectMultipleField
from wtforms.fields.core import Field

HIDDEN = ("CSRFTokenField", "HiddenField")


@dataclass(frozen=True)
class FieldError:
    target: str | None  # the id of the control to move to; None when it has none on the page
    label: str
    message: str


def field_target(field: Field) -> str | None:
    """The id of the control a link to the field should focus: the first option of a list
    of radio buttons or checkboxes, nothing for hidden fields."""
    if field.type in HIDDEN:
        return None
    if isinstance(field, RadioField) or (
            isinstance(field, SelectMultipleField) and "checkbox" in str(
                getattr(field.option_widget, "input_type", ""))):
        return f"{field.id}-0"
    return field.id


def errors_of(*forms) -> list[FieldError]:
    found = []
    for form in forms:
        if not isinstance(form, FlaskForm) or not form.errors:
            continue
        for field in form:
            for message in field.errors:
                if isinstance(message, str):
                    found.append(FieldError(field_target(field), str(field.label.text), message))
    return found


@pass_context
def page_form_errors(context) -> list[FieldError]:
    """Every field error of the forms the page was given, in the order the forms were."""
    forms, seen = [], set()
    for value in context.get_all().values():
        if isinstance(value, FlaskForm) and id(value) not in seen:
            seen.add(id(value))
            forms.append(value)
    return errors_of(*forms)


def register_ui_helpers(app) -> None:
    app.jinja_env.globals.update(page_form_errors=page_form_errors)


def show_error(form: FlaskForm | None, error, *, fallback: str | None = None) -> None:
    """A service's refusal, shown beside the field(s) it names (`error.errors` maps several
    fields to their messages); beside `fallback` when the form has none of them; else as a
    flash above the page."""
    errors = getattr(error, "errors", None) or {error.field: error.message}
    fields = form._fields if form is not None else {}
    placed = False
    for name, message in errors.items():
        if name and name in fields:
            fields[name].errors = [*fields[name].errors, message]
            placed = True
    if placed:
        return
    if fallback and fallback in fields:
        fields[fallback].errors = [*fields[fallback].errors, error.message]
    else:
        flash(error.message, "error")
