"""Staff manage an event's list from the attendee page: add a person, cancel a seat, move
someone to the head of the waitlist, message a group. Same blueprint as the other registration
pages; the rules are in events.registrations.staff."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from events.errors import ValidationFailed
from events.registrations import staff
from events.registrations.door_views import bp
from events.registrations.forms import ActionForm, AddPersonForm, MessageForm, MoveAheadForm
from events.registrations.views import _staff_event_or_404, _staff_registration_or_404

__all__ = ["bp"]

bp.add_app_template_global(staff.list_refusal, "list_refusal")
bp.add_app_template_global(staff.GROUP_LABELS, "message_groups")


def _checked(form):
    if not form.validate_on_submit():
        field, errors = next(iter(form.errors.items()))
        if field == "csrf_token":
            raise ValidationFailed(_("The form was changed or has expired. Reload the page "
                                     "and try again."))
        raise ValidationFailed(_("Check the field “%(field)s”: %(error)s",
                                 field=form[field].label.text, error=errors[0]), field=field)
    return form


def _back(event_id: int):
    return redirect(url_for("registrations.attendees", event_id=event_id))


@bp.post("/events/<int:event_id>/attendees/add")
@login_required
def add_person(event_id: int):
    """Add an account, or a walk-in who is mailed a link to claim the place."""
    event = _staff_event_or_404(event_id)
    form = _checked(AddPersonForm())
    registration = staff.add_person(current_user, event, email=form.email.data,
                                    name=form.name.data or "")
    if registration.status.value == "confirmed":
        flash(_("%(name)s has a seat.", name=registration.user.name), "success")
    else:
        flash(_("The event is full: %(name)s is on the waitlist.",
                name=registration.user.name), "warning")
    return _back(event.id)


@bp.post("/registrations/<int:registration_id>/cancel-seat")
@login_required
def cancel_seat(registration_id: int):
    """Cancel someone's place; the seat goes to the waitlist at once."""
    registration = _staff_registration_or_404(registration_id)
    _checked(ActionForm())
    staff.cancel_seat(current_user, registration)
    flash(_("The registration of %(name)s is cancelled.", name=registration.user.name),
          "success")
    return _back(registration.event_id)


@bp.post("/registrations/<int:registration_id>/move-ahead")
@login_required
def move_ahead(registration_id: int):
    """Put a waitlisted person first in line, with a reason kept in the history."""
    registration = _staff_registration_or_404(registration_id)
    form = _checked(MoveAheadForm())
    staff.move_ahead(current_user, registration, form.reason.data)
    if registration.status.value == "confirmed":
        flash(_("%(name)s got the free seat.", name=registration.user.name), "success")
    else:
        flash(_("%(name)s is first on the waitlist and gets the next freed seat.",
                name=registration.user.name), "success")
    return _back(registration.event_id)


@bp.post("/events/<int:event_id>/attendees/message")
@login_required
def message(event_id: int):
    """Mail all attendees, or one group of them, through the outbox."""
    event = _staff_event_or_404(event_id)
    form = _checked(MessageForm())
    try:
        group = staff.Group(form.group.data)
    except ValueError as error:
        raise ValidationFailed(_("Choose who gets the message."), field="group") from error
    sent = staff.message_attendees(current_user, event, group, form.subject.data, form.body.data)
    flash(ngettext("The message is on its way to %(num)d person.",
                   "The message is on its way to %(num)d people.", sent), "success")
    return _back(event.id)
