"""Recording contributions on an event, the cooperation reports and the action programmes."""

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from events.auth.permissions import (
    can_add_contribution,
    can_change_contribution,
    can_edit_programme,
    can_manage_programmes,
    can_view_event,
    can_view_reports,
)
from events.contributions import export, services
from events.contributions.forms import ContributionForm, ProgrammeForm
from events.contributions.queries import (
    all_programmes,
    get_contribution,
    programme_event_counts,
    programme_events,
)
from events.contributions.report_view import report_context, report_day, report_filters
from events.contributions.reports import event_currencies, iter_event_rows
from events.errors import DomainError
from events.extensions import db
from events.partners.queries import all_partners
from events.planning.access import not_there, visible_event
from events.planning.models import Programme
from events.transaction import roll_back
from events.ui import show_error

bp = Blueprint("contributions", __name__)
# The main navigation shows "Reports" with the same predicate the report views check.
bp.add_app_template_global(can_view_reports, "can_view_reports")
bp.add_app_template_filter(services.unit_label, "unit_label")


def _contribution_or_404(event_id: int, contribution_id: int, *, lock: bool):
    item = get_contribution(event_id, contribution_id, for_update=lock)
    if item is None or not can_view_event(current_user, item.event):
        raise not_there(event_id)
    return item


def _back_to(event_id: int):
    return redirect(url_for("planning.detail", event_id=event_id) + "#contributions")


def record_from_form(form: ContributionForm, partners: list, add):
    """`add(partner)` for the partner the form names among `partners`; its result, or None
    when refused — the refusal beside its field, the request's changes rolled back."""
    partner = next((p for p in partners if p.id == form.partner.data), None)
    try:
        if partner is None:
            raise DomainError(_("Choose a partner taking part in the event."), "partner")
        return add(partner)
    except DomainError as error:
        roll_back()
        show_error(form, error)
        return None


@bp.route("/events/<int:event_id>/contributions/new", methods=["GET", "POST"])
@login_required
def new(event_id: int):
    """Record a contribution of the actor's partner (admins: of any partner taking part)."""
    event = visible_event(event_id)
    partners = [i.partner for i in event.involvements
                if can_add_contribution(current_user, event, i.partner_id)]
    if not partners:
        abort(403)
    form = ContributionForm(partners=partners)
    if form.validate_on_submit() and record_from_form(
            form, partners, lambda partner: services.add_contribution(
                current_user, event, partner, **form.values())):
        flash(_("Contribution recorded."), "success")
        return _back_to(event.id)
    status = 422 if request.method == "POST" else 200
    return render_template("contributions/form.html", form=form, event=event,
                           item=None), status


@bp.route("/events/<int:event_id>/contributions/<int:contribution_id>/edit",
          methods=["GET", "POST"])
@login_required
def edit(event_id: int, contribution_id: int):
    """Correct a contribution's kind, description, quantity or money value."""
    item = _contribution_or_404(event_id, contribution_id, lock=request.method == "POST")
    if not can_change_contribution(current_user, item):
        abort(403)
    form = ContributionForm(obj=item)
    del form.partner  # a row never moves to another partner
    if request.method == "GET":
        form.kind.data = item.kind.value
        form.amount.data = "" if item.amount is None else str(item.amount)
        form.quantity.data = "" if item.quantity is None else f"{item.quantity:g}"
    if form.validate_on_submit():
        try:
            services.update_contribution(current_user, item, **form.values())
        except DomainError as error:
            roll_back()
            show_error(form, error)
        else:
            flash(_("Contribution updated."), "success")
            return _back_to(event_id)
    status = 422 if request.method == "POST" else 200
    return render_template("contributions/form.html", form=form, event=item.event,
                           item=item), status


def _move(event_id: int, contribution_id: int, action, message: str):
    item = _contribution_or_404(event_id, contribution_id, lock=True)
    action(current_user, item)  # a refusal renders as a friendly 403/409 page
    flash(message, "success")
    return _back_to(event_id)


@bp.post("/events/<int:event_id>/contributions/<int:contribution_id>/deliver")
@login_required
def deliver(event_id: int, contribution_id: int):
    """Mark a pledged contribution as delivered."""
    return _move(event_id, contribution_id, services.deliver_contribution,
                 _("Marked as delivered."))


@bp.post("/events/<int:event_id>/contributions/<int:contribution_id>/withdraw")
@login_required
def withdraw(event_id: int, contribution_id: int):
    """Withdraw a pledged contribution (kept in the ledger, shown apart)."""
    return _move(event_id, contribution_id, services.withdraw_contribution,
                 _("Contribution withdrawn."))


@bp.post("/events/<int:event_id>/programme")
@login_required
def assign_programme(event_id: int):
    """Put the event into an action programme, or take it out."""
    event = visible_event(event_id)
    raw = request.form.get("programme_id", "")
    programme = db.session.get(Programme, int(raw)) if raw.isdigit() else None
    if raw and programme is None:
        abort(400)
    services.assign_programme(current_user, event, programme)
    flash(_("Programme saved."), "success")
    return redirect(url_for("planning.detail", event_id=event.id))


# ---- reports -------------------------------------------------------------------------------

def _reports_allowed() -> None:
    if not can_view_reports(current_user):
        abort(403)


@bp.get("/reports")
@login_required
def reports():
    """The balance of cooperation over a period, per partner, per month and per event."""
    _reports_allowed()
    form, filters = report_filters(request.args, current_user)
    if filters is None:
        return render_template("contributions/reports.html", form=form, report=None), 422
    page = request.args.get("page", 1, type=int) or 1
    report = report_context(filters, current_user, page=max(page, 1))
    return render_template("contributions/reports.html", form=form, report=report)


@bp.get("/reports/<any(partners, balance, events, values, targets):table>.csv")
@login_required
def export_csv(table: str):
    """One report table as a CSV file for spreadsheets."""
    _reports_allowed()
    _form, filters = report_filters(request.args, current_user)
    if filters is None:
        abort(400)
    language = str(get_locale())
    name = f"{table}-{filters.start.isoformat()}-{filters.end.isoformat()}.csv"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if table == "events":
        # Streamed a chunk of events at a time: 10,000 events never sit in memory at once.
        chunks = export.events_csv_chunks(
            iter_event_rows(filters, current_user), all_partners(),
            event_currencies(filters, current_user), language,
            lambda event: report_day(event, filters.zone))
        return Response(stream_with_context(chunks), mimetype="text/csv", headers=headers)
    report = report_context(filters, current_user, page=None, with_events=False)
    if table == "partners":
        text = export.partners_csv(report["partner_rows"], report["currencies"], language)
    elif table == "values":
        from events.agreements.reporting import values_csv

        text = values_csv(report["values"], language)
    elif table == "targets":
        from events.agreements.reporting import report_plan
        from events.agreements.views import plan_csv, today

        text = plan_csv(report_plan(filters, current_user, today(), listed=None), language)
    else:
        text = export.balance_csv(report["balance"], report["month_labels"], language)
    return Response(text.encode("utf-8"), mimetype="text/csv", headers=headers)


@bp.get("/reports/balance.svg")
@login_required
def balance_svg():
    """The balance chart as a standalone image (for slides and documents)."""
    _reports_allowed()
    _form, filters = report_filters(request.args, current_user)
    if filters is None:
        abort(400)
    report = report_context(filters, current_user, page=None, with_events=False,
                            standalone_chart=True)
    return Response(report["chart"], mimetype="image/svg+xml")


# ---- programmes ----------------------------------------------------------------------------

def _programmes_allowed() -> None:
    if not can_manage_programmes(current_user):
        abort(403)


@bp.get("/programmes")
@login_required
def programmes():
    """Action programmes and how many events each holds."""
    _programmes_allowed()
    return render_template("contributions/programmes.html", programmes=all_programmes(),
                           counts=programme_event_counts())


@bp.get("/programmes/<int:programme_id>")
@login_required
def programme(programme_id: int):
    """One programme with the events in it that this person may see."""
    _programmes_allowed()
    item = db.get_or_404(Programme, programme_id)
    from events.agreements.progress import by_partner, progress_of
    from events.agreements.queries import targets_of
    from events.agreements.views import today

    return render_template("contributions/programme.html", programme=item,
                           events=programme_events(item, current_user),
                           groups=by_partner(progress_of(targets_of(item), today())),
                           can_edit=can_edit_programme(current_user, item))


@bp.route("/programmes/new", methods=["GET", "POST"])
@login_required
def new_programme():
    """Create an action programme."""
    _programmes_allowed()
    form = _programme_form(None)
    if request.method == "GET" and current_user.partner_id:
        form.partners.data = [current_user.partner_id]
    return _save_programme(form, None)


@bp.route("/programmes/<int:programme_id>/edit", methods=["GET", "POST"])
@login_required
def edit_programme(programme_id: int):
    """Rename or describe an action programme, or change its agreement and partners."""
    _programmes_allowed()
    item = db.get_or_404(Programme, programme_id)
    if not can_edit_programme(current_user, item):
        abort(403)
    form = _programme_form(item)
    if request.method == "GET":
        form.agreement_id.data = item.agreement_id or 0
        form.partners.data = sorted(item.partner_ids)
    return _save_programme(form, item)


def _programme_form(item):
    from events.agreements.services import programme_agreement_choices
    from events.partners.queries import all_partners

    return ProgrammeForm(obj=item, agreements=programme_agreement_choices(current_user),
                         partners=all_partners())


def _save_programme(form, item):
    if form.validate_on_submit():
        try:
            if item is None:
                item = services.create_programme(current_user, **form.values())
            else:
                services.update_programme(current_user, item, **form.values())
        except DomainError as error:
            roll_back()
            show_error(form, error)
        else:
            flash(_("Programme saved."), "success")
            return redirect(url_for("contributions.programme", programme_id=item.id))
    status = 422 if request.method == "POST" else 200
    return render_template("contributions/programme_form.html", form=form,
                           programme=item), status
