"""Agenda, calendar, event pages, the event form, the workflow buttons and the staff area."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from events.audit.display import trail_rows
from events.audit.queries import trail_for_event
from events.auth.permissions import can_create_event, can_see_staff_details, can_view_event
from events.contributions.queries import event_panel as contributions_panel
from events.enums import Audience, Category, EventFormat
from events.errors import DomainError, ValidationFailed
from events.outbox.services import dead_count
from events.partners.queries import all_partners
from events.planning import series as series_services
from events.planning import services
from events.planning.access import not_there, visible_event
from events.planning.calendar_grid import month_from_arg, month_grid, week_from_arg, week_grid
from events.planning.cli import register_planning_cli
from events.planning.forms import (
    ActionForm,
    AnswerForm,
    CancelForm,
    EventForm,
    InviteForm,
    ScopeForm,
)
from events.planning.queries import (
    EventFilters,
    agenda_page,
    all_programmes,
    get_involvement,
    staff_dashboard,
    venue_choices,
)
from events.planning.validation import known_zones, warnings_for
from events.registrations.queries import confirmed_counts, seats_left
from events.registrations.queries import event_panel as registrations_panel
from events.transaction import roll_back
from events.ui import show_error

bp = Blueprint("planning", __name__)
register_planning_cli(bp)


@bp.record_once
def _template_globals(state) -> None:
    """The choices the filter bar offers, for every planning template and macro."""
    state.app.jinja_env.globals["planning_choices"] = {
        "category": list(Category), "audience": list(Audience), "format": list(EventFormat),
    }


def _page_arg() -> int:
    page = request.args.get("page", "1")
    return max(int(page), 1) if page.isdigit() and len(page) < 7 else 1


def _seats(events) -> dict:
    counts = confirmed_counts(e.id for e in events)
    return {e.id: seats_left(e, counts.get(e.id, 0)) for e in events}


@bp.get("/")
def index():
    """The agenda: upcoming events this visitor may see, filtered and paginated."""
    partners = all_partners()
    filters = EventFilters.from_args(request.args, partners)
    pagination = agenda_page(current_user, filters, _page_arg(),
                             current_app.config["AGENDA_PAGE_SIZE"])
    return render_template("planning/index.html", events=pagination.items,
                           pagination=pagination, seats=_seats(pagination.items),
                           filters=filters, partners=partners)


@bp.get("/calendar")
def calendar():
    """A month (?month=YYYY-MM) or a week (?view=week&week=YYYY-MM-DD) of visible events."""
    zone = current_app.config["DEFAULT_EVENT_TIMEZONE"]
    partners = all_partners()
    filters = EventFilters.from_args(request.args, partners)
    if request.args.get("view") == "week":
        grid = week_grid(current_user, week_from_arg(request.args.get("week"), zone), zone,
                         filters)
        return render_template("planning/calendar_week.html", grid=grid, filters=filters,
                               partners=partners)
    grid = month_grid(current_user, month_from_arg(request.args.get("month"), zone), zone,
                      filters)
    return render_template("planning/calendar.html", grid=grid, filters=filters,
                           partners=partners)


@bp.get("/accessibility")
def accessibility():
    """The accessibility statement: the standard targeted, how it is tested, known gaps and
    whom to write to."""
    return render_template("planning/accessibility.html",
                           contact=current_app.config["CONTACT_EMAIL"])


def _invitable_partners(event):
    taken = {i.partner_id for i in event.involvements if i.state.value != "declined"}
    return [p for p in all_partners() if p.id not in taken]


def _render_detail(event, status: int = 200, **forms):
    """The event page; forms given here (with their errors) replace the blank ones."""
    user = current_user
    actions = services.available_actions(user, event)
    answerable = [i for i in event.involvements if services.refusal_to_answer(user, i) is None]
    invite_form = forms.get("invite_form")
    if invite_form is None:
        invite_form = InviteForm(formdata=None)
    invite_form.setup(_invitable_partners(event))
    staff = can_see_staff_details(user, event)
    return render_template(
        "planning/detail.html",
        event=event,
        trail=trail_rows(trail_for_event(event), event) if staff else [],
        registrations=registrations_panel(event, user),
        contributions=contributions_panel(event, user),
        actions=actions,
        answerable=answerable,
        pending=services.pending_invitations(event),
        ready=actions["edit"] and services.ready_to_schedule(event),
        schedule_refusal=services.refusal_to_schedule(user, event),
        warnings=warnings_for(event) if actions["edit"] else [],
        action_form=ActionForm(formdata=None),
        invite_form=invite_form,
        cancel_form=forms.get("cancel_form", CancelForm(formdata=None)),
        answer_form=forms.get("answer_form", AnswerForm(formdata=None)),
    ), status


@bp.get("/events/<int:event_id>")
def detail(event_id: int):
    """One event with its partners, the workflow buttons, and for staff its trail."""
    return _render_detail(visible_event(event_id))


def _refused(event, error: DomainError, form=None, form_name: str | None = None):
    """Roll back, show the message beside its field (or as a flash) on the event page."""
    roll_back()
    event = visible_event(event.id)
    show_error(form, error)
    return _render_detail(event, error.status, **({form_name: form} if form_name else {}))


def _done(event, message: str):
    flash(message, "success")
    return redirect(url_for("planning.detail", event_id=event.id))


def _event_form(event=None) -> EventForm:
    admin_creating = event is None and current_user.is_admin
    return EventForm().setup(
        venues=venue_choices(event.venue if event else None), programmes=all_programmes(),
        partners=all_partners() if admin_creating else None,
        default_zone=current_app.config["DEFAULT_EVENT_TIMEZONE"],
    )


def _form_page(form, event=None, status: int = 200, scope_form=None):
    return render_template("planning/form.html", form=form, event=event,
                           scope_form=scope_form, zones=sorted(known_zones())), status


@bp.route("/events/new", methods=["GET", "POST"])
@login_required
def new():
    """Create a draft led by the person's partner."""
    if not can_create_event(current_user):
        abort(403)
    form = _event_form()
    if not form.validate_on_submit():
        return _form_page(form, status=400 if form.errors else 200)
    try:
        event = services.create_event(current_user, **form.event_values(),
                                      lead_partner=form.chosen_lead_partner())
    except DomainError as error:
        roll_back()
        show_error(form, error)
        return _form_page(form, status=error.status)
    return _done(event, _("Draft saved. Invite partners, then propose it."))


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@login_required
def edit(event_id: int):
    """Change an event (the lead partner's staff)."""
    event = visible_event(event_id)
    refusal = services.refusal_to_edit(current_user, event)
    if refusal is not None:
        raise refusal
    form = _event_form(event)
    scope_form = ScopeForm() if event.series_id else None
    if not form.is_submitted():
        form.fill_from(event)
    if not form.validate_on_submit():
        return _form_page(form, event, status=400 if form.errors else 200, scope_form=scope_form)
    try:
        if scope_form is not None:
            changed = series_services.update_series(current_user, event, form.event_values(),
                                                    scope_form.scope.data)
            changes = any(changed.values())
        else:
            changes = services.update_event(current_user, event, **form.event_values())
    except DomainError as error:
        roll_back()
        show_error(form, error)
        return _form_page(form, event, status=error.status, scope_form=scope_form)
    return _done(event, _("Changes saved.") if changes else _("Nothing changed."))


def _action(event_id: int, service, message: str):
    event = visible_event(event_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        service(current_user, event)
    except DomainError as error:
        return _refused(event, error)
    return _done(event, message)


@bp.post("/events/<int:event_id>/propose")
@login_required
def propose(event_id: int):
    """Draft → proposed."""
    return _action(event_id, services.propose_event,
                   _("Proposed. The invited partners can see it and answer."))


@bp.post("/events/<int:event_id>/schedule")
@login_required
def schedule(event_id: int):
    """Proposed → scheduled (published)."""
    return _action(event_id, services.schedule_event, _("Scheduled and published."))


@bp.post("/events/<int:event_id>/cancel")
@login_required
def cancel(event_id: int):
    """Cancel with a reason."""
    event = visible_event(event_id)
    form = CancelForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.cancel_event(current_user, event, form.reason.data)
    except DomainError as error:
        return _refused(event, error, form, "cancel_form")
    return _done(event, _("The event is cancelled."))


@bp.post("/events/<int:event_id>/invite")
@login_required
def invite(event_id: int):
    """Invite a partner as co-host or supporter."""
    event = visible_event(event_id)
    form = InviteForm().setup(all_partners())
    if not form.validate_on_submit():
        return _refused(event, ValidationFailed(_("Choose a partner."), "partner"),
                        form, "invite_form")
    try:
        involvement = services.invite_partner(current_user, event, form.chosen_partner(),
                                              form.role.data)
    except DomainError as error:
        return _refused(event, error, form, "invite_form")
    return _done(event, _("%(partner)s is invited.", partner=involvement.partner.local_short_name))


@bp.post("/involvements/<int:involvement_id>/answer")
@login_required
def answer(involvement_id: int):
    """The invited partner accepts or declines."""
    involvement = get_involvement(involvement_id)
    if involvement is None or not can_view_event(current_user, involvement.event):
        raise not_there(involvement.event_id if involvement else 0)
    event, form = involvement.event, AnswerForm()
    if not form.validate_on_submit() or not (form.accept.data or form.decline.data):
        abort(400)
    try:
        services.answer_invitation(current_user, involvement, bool(form.accept.data),
                                   form.note.data)
    except DomainError as error:
        return _refused(event, error, form, "answer_form")
    return _done(event, _("Thank you: your answer is recorded."))


@bp.get("/staff")
@login_required
def dashboard():
    """The staff area: invitations to answer, drafts and proposals, upcoming fill rates."""
    if not can_create_event(current_user):
        abort(403)
    data = staff_dashboard(current_user)
    counts = confirmed_counts(e.id for e in data["upcoming"])
    ready = {e.id for e in data["drafts"] if services.ready_to_schedule(e)}
    dead_mail = dead_count() if current_user.is_admin else 0
    return render_template("planning/dashboard.html", counts=counts, ready=ready,
                           dead_mail=dead_mail, **data)
