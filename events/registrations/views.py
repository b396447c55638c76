"""Registering, cancelling (signed in or by link), my events (with the confirmation sent again),
and the staff attendee list."""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from events.auth.permissions import can_see_staff_details
from events.auth.views import safe_next
from events.db import utcnow
from events.enums import QuestionKind, RegistrationStatus
from events.errors import NotAllowed, NotFound, ValidationFailed
from events.extensions import db, limiter
from events.planning.access import visible_event
from events.registrations import questions, services
from events.registrations.export import attendees_csv
from events.registrations.forms import ActionForm, CheckInForm, answers_form
from events.registrations.models import Registration
from events.registrations.queries import (
    attendees as attendee_list,
)
from events.registrations.queries import (
    event_counts,
    event_panel,
    matches,
    my_events,
    waitlist_positions,
)
from events.security import user_limit_key

bp = Blueprint("registrations", __name__)


def _staff_event_or_404(event_id: int):
    event = visible_event(event_id)
    if not can_see_staff_details(current_user, event):
        raise NotAllowed(_("Only staff of the event's partners see its attendees."))
    return event


def _valid(form) -> None:
    if not form.validate_on_submit():
        abort(400, _("The form was changed or has expired. Reload the page and try again."))


@bp.get("/my/events")
@login_required
def mine():
    """My registrations, upcoming and past."""
    now = utcnow()
    found = my_events(current_user, now)
    asked = questions.events_with_questions({r.event_id for r in found["upcoming"]})
    return render_template("registrations/mine.html", form=ActionForm(), now=now,
                           may_cancel=lambda r: services.refusal_to_cancel(current_user, r, now)
                           is None,
                           may_answer=lambda r: r.event_id in asked
                           and questions.answers_refusal(current_user, r, now) is None,
                           **found)


def answers_page(event, registration, error: ValidationFailed | None = None):
    """The form of answers: to register (no registration yet) or to change them. After a
    refused POST the typed answers stay, and the refusal is shown beside its field (and in the
    summary above the form), with a 422."""
    asked = questions.current_questions(event)
    if error is not None:
        form = answers_form(asked, formdata=request.form)
    else:
        multiple = {questions.field_name(q) for q in asked
                    if q.kind == QuestionKind.MULTIPLE_CHOICE}
        form = answers_form(asked, formdata=None, data={
            name: value if name in multiple else (value[0] if value else None)
            for name, value in questions.form_values(registration).items()})
    if error is not None and error.field and error.field in form:
        form[error.field].errors = [error.message]
    elif error is not None:
        flash(error.message, "error")
    page = render_template("registrations/answers.html", event=event, registration=registration,
                           form=form, asked=asked, panel=event_panel(event, current_user))
    return page, 422 if error is not None else 200


@bp.post("/events/<int:event_id>/register")
@login_required
def register(event_id: int):
    """Take a seat, or a place on the waitlist when the event is full."""
    event = visible_event(event_id)
    _valid(ActionForm())
    data = request.form.to_dict(flat=False)
    try:
        registration, is_new, _token = services.register(current_user, event, data)
    except ValidationFailed as error:
        if not (error.field or "").startswith("q"):
            raise
        return answers_page(event, None, error)
    if not is_new:
        flash(_("You were already registered for this event."), "info")
    elif registration.status == RegistrationStatus.PENDING:
        flash(_("We have your registration. The organisers approve registrations for this "
                "event; you will get a mail when they decide."), "success")
    elif registration.status == RegistrationStatus.CONFIRMED:
        flash(_("You are registered. A confirmation is on its way to your mailbox."), "success")
    else:
        flash(_("The event is full: you are number %(n)d on the waitlist.",
                n=waitlist_positions([event.id])[registration.id]), "warning")
    return redirect(url_for("planning.detail", event_id=event.id))


@bp.post("/registrations/<int:registration_id>/cancel")
@login_required
def cancel(registration_id: int):
    """Cancel my registration; the seat goes to the waitlist."""
    registration = services.own_registration(current_user, registration_id)
    form = ActionForm()
    _valid(form)
    services.cancel_registration(current_user, registration)
    flash(_("Your registration for “%(title)s” is cancelled.", title=registration.event.title),
          "success")
    return redirect(safe_next(form.next.data, "registrations.mine"))


@bp.post("/registrations/<int:registration_id>/resend")
@login_required
@limiter.limit(lambda: current_app.config["RESEND_CONFIRMATION_RATE_LIMIT"],
               key_func=user_limit_key)
def resend(registration_id: int):
    """Send my confirmation again with a fresh cancel link (the old link stops working)."""
    registration = services.own_registration(current_user, registration_id)
    _valid(ActionForm())
    services.resend_confirmation(current_user, registration)
    flash(_("We sent the confirmation for “%(title)s” again to %(email)s, with a new cancel "
            "link; earlier links no longer work.", title=registration.event.title,
            email=current_user.email), "success")
    return redirect(url_for("registrations.mine"))


@bp.route("/cancel/<token>", methods=["GET", "POST"])
def cancel_by_token(token: str):
    """The link in the confirmation mail: confirm, then cancel without signing in."""
    registration = services.registration_for_token(token)
    form = ActionForm()
    if request.method == "POST":
        _valid(form)
        services.cancel_by_token(token)
        flash(_("Your registration for “%(title)s” is cancelled.",
                title=registration.event.title), "success")
    return render_template("registrations/cancel.html", registration=registration, form=form,
                           refusal=services.refusal_to_cancel(registration.user, registration))


@bp.get("/events/<int:event_id>/attendees")
@login_required
def attendees(event_id: int):
    """Attendees, waitlist and check-in for staff of the event's partners."""
    event = _staff_event_or_404(event_id)
    search = request.args.get("q", "").strip()[:100]
    registrations = attendee_list(event)
    shown = [r for r in registrations if matches(r, search)] if search else registrations
    return render_template(
        "registrations/attendees.html", event=event, registrations=shown, search=search,
        counts=event_counts(event), positions=waitlist_positions([event.id]),
        form=CheckInForm(q=search), total=len(registrations),
        columns=questions.answer_columns(event), answers=questions.answers_by_registration(event),
        choice_counts=questions.choice_counts(event),
    )


@bp.get("/events/<int:event_id>/attendees.csv")
@login_required
def export(event_id: int):
    """The attendee list as CSV, in the reader's spreadsheet conventions (events.sheets)."""
    event = _staff_event_or_404(event_id)
    data = attendees_csv(event, attendee_list(event), waitlist_positions([event.id]),
                         str(get_locale()), questions.answer_columns(event),
                         questions.answers_by_registration(event))
    return Response(data, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="attendees-event-{event.id}.csv"',
        "Cache-Control": "no-store",
    })


@bp.get("/events/<int:event_id>/attendees/counts")
@login_required
def counts(event_id: int):
    """Live figures for the attendee page (polled by static/js/registrations.js)."""
    event = _staff_event_or_404(event_id)
    return event_counts(event), 200, {"Cache-Control": "no-store"}


def _staff_registration_or_404(registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        raise NotFound(_("There is no such registration."))
    _staff_event_or_404(registration.event_id)
    return registration


@bp.post("/registrations/<int:registration_id>/check-in")
@login_required
def check_in(registration_id: int):
    """Mark a confirmed attendee as arrived."""
    registration = _staff_registration_or_404(registration_id)
    form = CheckInForm()
    _valid(form)
    services.check_in(current_user, registration)
    flash(_("%(name)s is checked in.", name=registration.user.name), "success")
    # `done`: static/js/registrations.js moves focus on to the next attendee to check in.
    return redirect(url_for(".attendees", event_id=registration.event_id, q=form.q.data or None,
                            done=registration.id))


@bp.post("/registrations/<int:registration_id>/undo-check-in")
@login_required
def undo_check_in(registration_id: int):
    """Take back a check-in made by mistake."""
    registration = _staff_registration_or_404(registration_id)
    form = CheckInForm()
    _valid(form)
    services.undo_check_in(current_user, registration)
    flash(_("Check-in of %(name)s was undone.", name=registration.user.name), "info")
    return redirect(url_for(".attendees", event_id=registration.event_id, q=form.q.data or None,
                            done=registration.id))
