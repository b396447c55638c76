"""Series pages: a new series with a preview of its dates, the series page with its dates,
fill rates and partners, and the workflow and registration buttons once for every date.
Views load, check, call events.planning.series and redirect; the request commits."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from events.auth.permissions import can_create_event
from events.contributions.series import series_panel
from events.errors import DomainError, NotFound, ValidationFailed
from events.partners.queries import all_partners
from events.planning import series as series_services
from events.planning.forms import (
    ActionForm,
    CancelForm,
    InviteForm,
    SeriesAnswerForm,
    SeriesForm,
)
from events.planning.queries import all_programmes, venue_choices
from events.planning.validation import known_zones
from events.registrations import series as series_registration
from events.registrations.queries import confirmed_counts
from events.registrations.services import active_registration_of
from events.transaction import roll_back
from events.ui import show_error

bp = Blueprint("series", __name__)


def _form() -> SeriesForm:
    return SeriesForm().setup(
        venues=venue_choices(None), programmes=all_programmes(),
        partners=all_partners() if current_user.is_admin else None,
        default_zone=current_app.config["DEFAULT_EVENT_TIMEZONE"],
    )


def _page(form, preview=None, status: int = 200):
    return render_template("planning/series_form.html", form=form, preview=preview,
                           zones=sorted(known_zones())), status


@bp.route("/series/new", methods=["GET", "POST"])
@login_required
def new():
    """A series: the event's fields and a pattern; "Show the dates" previews them checked
    by the planning rules, "Create the series" makes one draft per date."""
    if not can_create_event(current_user):
        abort(403)
    form = _form()
    if not form.validate_on_submit():
        return _page(form, status=400 if form.errors else 200)
    try:
        values, pattern = form.event_values(), form.pattern()
        if not form.create.data:
            preview = series_services.preview_series(current_user, values, pattern)
            roll_back()  # a preview writes nothing
            return _page(form, preview)
        series = series_services.create_series(
            current_user, values, pattern, lead_partner=form.chosen_lead_partner(),
            allow_series_registration=form.allow_series_registration.data)
    except DomainError as error:
        roll_back()
        show_error(form, error, fallback="starts_at")
        return _page(form, status=error.status)
    flash(_("The series is saved as drafts. Invite partners, then propose it."), "success")
    return redirect(url_for("series.detail", series_id=series.id))


def _visible(series_id: int):
    """The series and the dates this person may see; a series with none does not exist
    for them."""
    series = series_services.get_series(series_id)
    dates = series_services.visible_occurrences(current_user, series) if series else []
    if not dates:
        raise NotFound(_("The page does not exist, or you may not see it."))
    return series, dates


def _render(series, dates, status: int = 200, invite_form=None, answer_form=None,
            cancel_form=None):
    user = current_user
    if invite_form is None:
        invite_form = InviteForm(formdata=None)
    invite_form.setup([p for p in all_partners() if p.id != series.lead_partner_id])
    counts = confirmed_counts(e.id for e in dates)
    registered = user.is_authenticated and any(
        active_registration_of(user, e) is not None
        for e in series_services.open_occurrences(series) if e in dates)
    partners = {}
    for event in dates:
        for involvement in event.involvements:
            partners.setdefault(involvement.partner_id, involvement)
    return render_template(
        "planning/series.html", series=series, dates=dates, counts=counts,
        partners=list(partners.values()), registered=registered,
        actions=series_services.series_actions(user, series),
        action_form=ActionForm(formdata=None), invite_form=invite_form,
        answer_form=answer_form or SeriesAnswerForm(formdata=None),
        cancel_form=cancel_form or CancelForm(formdata=None),
        contributions=series_panel(user, series),
    ), status


@bp.get("/series/<int:series_id>")
def detail(series_id: int):
    """A series: its dates with status and fill rates, its partners, its buttons."""
    return _render(*_visible(series_id))


def _refused(series_id: int, error: DomainError, **forms):
    roll_back()
    series, dates = _visible(series_id)
    show_error(forms.get("invite_form") or forms.get("answer_form")
               or forms.get("cancel_form"), error)
    return _render(series, dates, error.status, **forms)


def _done(series, message: str):
    flash(message, "success")
    return redirect(url_for("series.detail", series_id=series.id))


def _action(series_id: int, service, message: str):
    series, _dates = _visible(series_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        n = service(current_user, series)
    except DomainError as error:
        return _refused(series_id, error)
    return _done(series, message % {"num": n} if isinstance(n, int) else message)


@bp.post("/series/<int:series_id>/propose")
@login_required
def propose(series_id: int):
    """Propose every draft date."""
    return _action(series_id, series_services.propose_series, _("%(num)d dates proposed."))


@bp.post("/series/<int:series_id>/schedule")
@login_required
def schedule(series_id: int):
    """Schedule every proposed date."""
    return _action(series_id, series_services.schedule_series,
                   _("%(num)d dates scheduled and published."))


@bp.post("/series/<int:series_id>/cancel")
@login_required
def cancel(series_id: int):
    """Cancel every coming date with one reason."""
    series, _dates = _visible(series_id)
    form = CancelForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        n = series_services.cancel_series(current_user, series, form.reason.data)
    except DomainError as error:
        return _refused(series_id, error, cancel_form=form)
    return _done(series, _("%(num)d dates cancelled.", num=n))


@bp.post("/series/<int:series_id>/invite")
@login_required
def invite(series_id: int):
    """Invite a partner to every coming date."""
    series, _dates = _visible(series_id)
    form = InviteForm().setup(all_partners())
    if not form.validate_on_submit():
        return _refused(series_id, ValidationFailed(_("Choose a partner."), "partner"),
                        invite_form=form)
    try:
        series_services.invite_series(current_user, series, form.chosen_partner(),
                                      form.role.data)
    except DomainError as error:
        return _refused(series_id, error, invite_form=form)
    return _done(series, _("%(partner)s is invited to every coming date.",
                           partner=form.chosen_partner().local_short_name))


@bp.post("/series/<int:series_id>/answer")
@login_required
def answer(series_id: int):
    """The invited partner accepts or declines every date at once."""
    series, _dates = _visible(series_id)
    form = SeriesAnswerForm()
    if not form.validate_on_submit() or not (form.accept.data or form.decline.data):
        abort(400)
    try:
        series_services.answer_series_invitation(current_user, series, bool(form.accept.data),
                                                 form.note.data)
    except DomainError as error:
        return _refused(series_id, error, answer_form=form)
    return _done(series, _("Thank you: your answer is recorded for every date."))


@bp.post("/series/<int:series_id>/register")
@login_required
def register(series_id: int):
    """A seat in every coming date (waitlisted where full)."""
    series, _dates = _visible(series_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        results = series_registration.register_for_series(current_user, series)
    except DomainError as error:
        return _refused(series_id, error)
    waiting = sum(1 for r in results if r.registration.status.value == "waitlisted")
    message = _("You are registered for %(num)d dates.", num=len(results))
    if waiting:
        message += " " + _("On the waitlist for %(num)d of them.", num=waiting)
    return _done(series, message)


@bp.post("/series/<int:series_id>/unregister")
@login_required
def unregister(series_id: int):
    """Cancel the person's registrations for every coming date."""
    return _action(series_id, series_registration.cancel_series_registration,
                   _("Your registrations for %(num)d dates are cancelled."))


