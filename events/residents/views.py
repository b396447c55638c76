"""Staff area: a partner's resident companies (with CSV import) and its residency queue."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from events.auth.models import User
from events.auth.permissions import can_manage_residents
from events.errors import DomainError
from events.extensions import db
from events.partners.models import Partner
from events.partners.queries import all_partners
from events.residents import services
from events.residents.forms import CompanyForm, CompanyImportForm, DecisionForm
from events.residents.models import ResidentCompany
from events.residents.queries import companies_of, residency_queue, unverified_waiting
from events.transaction import roll_back
from events.ui import show_error

bp = Blueprint("residents", __name__)
bp.add_app_template_global(can_manage_residents, "can_manage_residents")


def _partner(raw=None) -> Partner:
    """Staff work on their own partner; admins choose one (the first by default)."""
    if current_user.is_staff:
        partner = current_user.partner
    elif current_user.is_admin:
        partners = all_partners()
        wanted = str(raw or "")
        partner = next((p for p in partners if str(p.id) == wanted), partners[0] if partners
                       else None)
    else:
        abort(403)
    if partner is None:
        abort(404)
    return partner


def _back(partner: Partner):
    return redirect(url_for("residents.index", partner=partner.id)), 303


def _page(partner: Partner, form=None, import_form=None, status=200):
    return render_template(
        "residents/index.html", partner=partner, partners=all_partners(),
        queue=residency_queue(partner.id), unverified=unverified_waiting(partner.id),
        companies=companies_of(partner.id), form=form or CompanyForm(partner=partner.id),
        import_form=import_form or CompanyImportForm(partner=partner.id),
        decision_form=DecisionForm()), status


@bp.get("/residents")
@login_required
def index():
    """The residency queue and the resident companies of a partner."""
    return _page(_partner(request.args.get("partner")))


def _decide(user_id: int, confirm: bool):
    user = db.session.get(User, user_id)
    if user is None or user.site_partner_id is None or not can_manage_residents(
            current_user, user.site_partner_id):
        abort(404)
    if not DecisionForm().validate_on_submit():
        abort(400)
    services.decide_residency(current_user, user, confirm)
    flash(_("%(name)s is confirmed as a resident.", name=user.name) if confirm
          else _("%(name)s stays a guest.", name=user.name), "success")
    return _back(user.site_partner)


@bp.post("/residents/people/<int:user_id>/confirm")
@login_required
def confirm(user_id: int):
    """Confirm a person as a resident of this partner."""
    return _decide(user_id, True)


@bp.post("/residents/people/<int:user_id>/refuse")
@login_required
def refuse(user_id: int):
    """Refuse: the person stays a guest (public events only)."""
    return _decide(user_id, False)


@bp.post("/residents/companies")
@login_required
def add_company():
    """Add a resident company with its email domains."""
    form = CompanyForm()
    partner = _partner(form.partner.data)
    if not form.validate_on_submit():
        return _page(partner, form=form, status=400)
    try:
        company = services.save_company(current_user, partner, form.name.data,
                                        services.split_domains(form.domains.data))
    except DomainError as error:
        roll_back()
        show_error(form, error, fallback="name")
        return _page(partner, form=form, status=error.status)
    flash(_("%(name)s is on the list.", name=company.name), "success")
    return _back(partner)


def _company_or_404(company_id: int) -> ResidentCompany:
    company = db.session.get(ResidentCompany, company_id)
    if company is None or not can_manage_residents(current_user, company.partner_id):
        abort(404)
    return company


@bp.route("/residents/companies/<int:company_id>", methods=["GET", "POST"])
@login_required
def edit_company(company_id: int):
    """Rename a company or change its domains."""
    company = _company_or_404(company_id)
    form = CompanyForm(obj=None if request.method == "POST" else company)
    if request.method == "GET":
        form.domains.data = "\n".join(company.domain_names)
    if form.validate_on_submit():
        try:
            services.save_company(current_user, company.partner, form.name.data,
                                  services.split_domains(form.domains.data), company=company)
        except DomainError as error:
            roll_back()
            show_error(form, error, fallback="name")
            return render_template("residents/company.html", form=form,
                                   company=company), error.status
        flash(_("Saved."), "success")
        return _back(company.partner)
    status = 400 if form.errors else 200
    return render_template("residents/company.html", form=form, company=company), status


@bp.post("/residents/companies/<int:company_id>/delete")
@login_required
def delete_company(company_id: int):
    """Remove a company from the list (people it confirmed stay residents)."""
    company = _company_or_404(company_id)
    if not DecisionForm().validate_on_submit():
        abort(400)
    partner = company.partner
    services.delete_company(current_user, company)
    flash(_("Removed from the list."), "success")
    return _back(partner)


@bp.post("/residents/companies/import")
@login_required
def import_companies():
    """Add companies from a CSV file: company, domain[, domain…] per row."""
    form = CompanyImportForm()
    partner = _partner(form.partner.data)
    upload = form.file.data
    if not form.validate_on_submit() or not upload or not getattr(upload, "filename", ""):
        form.file.errors = [_("Choose a CSV file.")]
        return _page(partner, import_form=form, status=400)
    try:
        result = services.import_companies_csv(current_user, partner,
                                               upload.read(services.MAX_CSV_BYTES + 1))
    except DomainError as error:
        roll_back()
        show_error(form, error, fallback="file")
        return _page(partner, import_form=form, status=error.status)
    flash(_("Companies saved: %(count)d.", count=result.saved), "success")
    for problem in result.problems[:20]:
        flash(problem, "error")
    return _back(partner)
