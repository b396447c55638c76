"""The agreements register, targets, rate cards, exchange rates and the annual report."""

from datetime import datetime
from pathlib import Path

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
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from events.agreements import annual, rates, services
from events.agreements.cli import register_rates_cli
from events.agreements.forms import (
    AgreementForm,
    DocumentForm,
    ExchangeRateForm,
    RateCardForm,
    TargetForm,
)
from events.agreements.models import Agreement, RateCard, Target
from events.agreements.progress import by_partner, progress_of
from events.agreements.queries import (
    agreement_trail,
    get_agreement,
    latest_exchange_rates,
    rate_cards,
    targets_of,
    visible_agreements,
)
from events.auth.permissions import (
    can_create_agreement,
    can_edit_agreement,
    can_edit_rate_card,
    can_enter_exchange_rates,
    can_list_agreements,
    can_view_agreement,
)
from events.contributions.export import Sheet
from events.enums import label
from events.errors import DomainError
from events.extensions import db
from events.i18n import report_zone
from events.partners.models import Partner
from events.partners.queries import all_partners
from events.planning.models import Programme
from events.transaction import roll_back
from events.ui import show_error

bp = Blueprint("agreements", __name__, cli_group="rates")
register_rates_cli(bp)
bp.add_app_template_global(can_list_agreements, "can_list_agreements")
bp.add_app_template_global(can_view_agreement, "can_view_agreement")
bp.add_app_template_filter(by_partner, "groupby_partner")
bp.add_app_template_filter(annual.target_text, "target_text")
bp.add_app_template_filter(annual.target_details, "target_details")


def today():
    """Today in Moscow (the reports' calendar); tests set AGREEMENTS_TODAY to fix it."""
    fixed = current_app.config.get("AGREEMENTS_TODAY")
    return fixed or datetime.now(report_zone()).date()


def documents_folder() -> Path:
    return Path(current_app.config.get("AGREEMENT_FILES")
                or Path(current_app.instance_path) / "agreements")


def _allowed(predicate, *args) -> None:
    if not predicate(current_user, *args):
        abort(403)


def _agreement_or_404(agreement_id: int) -> Agreement:
    agreement = get_agreement(agreement_id)
    if agreement is None or not can_view_agreement(current_user, agreement):
        abort(404)
    return agreement


def _saved(form, save, template: str, done, **context):
    """POST: validate, run the service, commit once, redirect; else the form (422 on errors)."""
    if form.validate_on_submit():
        try:
            result = save()
        except DomainError as error:
            roll_back()
            show_error(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(done(result))
    status = 422 if request.method == "POST" else 200
    return render_template(template, form=form, **context), status


# ---- the register --------------------------------------------------------------------------

@bp.get("/agreements")
@login_required
def index():
    """The agreements between partners this person's partner is party to (admins: all)."""
    _allowed(can_list_agreements)
    return render_template("agreements/index.html", agreements=visible_agreements(current_user),
                           can_create=can_create_agreement(current_user))


@bp.route("/agreements/new", methods=["GET", "POST"])
@login_required
def new():
    """Enter the memorandum or an additional agreement."""
    _allowed(can_create_agreement)
    form = AgreementForm(partners=all_partners())
    return _saved(form, lambda: services.create_agreement(current_user, **form.values()),
                  "agreements/form.html", lambda a: url_for(".detail", agreement_id=a.id),
                  agreement=None)


@bp.route("/agreements/<int:agreement_id>/edit", methods=["GET", "POST"])
@login_required
def edit(agreement_id: int):
    """Change an agreement's text, parties, period or status."""
    agreement = _agreement_or_404(agreement_id)
    _allowed(can_edit_agreement, agreement)
    form = AgreementForm(obj=agreement, partners=all_partners())
    if request.method == "GET":
        form.status.data = agreement.status.value
        form.parties.data = sorted(agreement.party_ids)
    return _saved(form, lambda: services.update_agreement(current_user, agreement,
                                                          **form.values()),
                  "agreements/form.html",
                  lambda _r: url_for(".detail", agreement_id=agreement.id), agreement=agreement)


@bp.get("/agreements/<int:agreement_id>")
@login_required
def detail(agreement_id: int):
    """One agreement: parties, period, document, programmes, plan against fact, history."""
    agreement = _agreement_or_404(agreement_id)
    progress = progress_of(targets_of(agreement), today())
    return render_template(
        "agreements/detail.html", agreement=agreement, groups=by_partner(progress),
        can_edit=can_edit_agreement(current_user, agreement), document_form=DocumentForm(),
        trail=agreement_trail(agreement), years=_years(agreement),
        cards=[c for c in rate_cards() if c.agreement_id == agreement.id])


def _years(agreement: Agreement) -> list[int]:
    last = (agreement.ends_on or today()).year
    return list(range(agreement.starts_on.year, max(last, agreement.starts_on.year) + 1))


@bp.post("/agreements/<int:agreement_id>/document")
@login_required
def upload_document(agreement_id: int):
    """Attach the signed copy (a PDF kept on disk with its checksum)."""
    agreement = _agreement_or_404(agreement_id)
    _allowed(can_edit_agreement, agreement)
    limit = _document_limit()
    form = DocumentForm()
    if not form.validate_on_submit():
        abort(400)
    upload = form.document.data
    services.store_document(current_user, agreement, getattr(upload, "stream", None),
                            getattr(upload, "filename", None), folder=documents_folder(),
                            max_bytes=limit)
    flash(_("Signed copy saved."), "success")
    return redirect(url_for(".detail", agreement_id=agreement.id))


@bp.get("/agreements/<int:agreement_id>/document")
@login_required
def document(agreement_id: int):
    """The signed copy, for the parties' staff only, checked against its checksum."""
    agreement = _agreement_or_404(agreement_id)
    data = services.read_document(agreement, documents_folder())
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = _attachment(agreement.document_name or "a.pdf")
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _document_limit() -> int:
    # The request as a whole is capped before it is read (events.security.LARGE_UPLOADS).
    return current_app.config["AGREEMENT_FILE_MAX_BYTES"]


def _attachment(name: str) -> str:
    from urllib.parse import quote

    ascii_name = name.encode("ascii", "ignore").decode() or "agreement.pdf"
    ascii_name = ascii_name.replace('"', "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


# ---- targets -------------------------------------------------------------------------------

def _target_form(owner, partners):
    form = TargetForm(partners=partners)
    if request.method == "GET":
        form.starts_on.data = form.starts_on.data or getattr(owner, "starts_on", None)
    return form


@bp.route("/agreements/<int:agreement_id>/targets/new", methods=["GET", "POST"])
@login_required
def new_target(agreement_id: int):
    """A planned figure under an agreement."""
    agreement = _agreement_or_404(agreement_id)
    _allowed(can_edit_agreement, agreement)
    form = _target_form(agreement, agreement.parties)
    return _saved(form, lambda: services.add_target(current_user, agreement, **form.values()),
                  "agreements/target_form.html",
                  lambda _t: url_for(".detail", agreement_id=agreement.id) + "#plan",
                  owner=agreement, back=url_for(".detail", agreement_id=agreement.id))


@bp.route("/programmes/<int:programme_id>/targets/new", methods=["GET", "POST"])
@login_required
def new_programme_target(programme_id: int):
    """A planned figure of an action programme."""
    programme = db.get_or_404(Programme, programme_id)
    if not services.can_edit_targets(current_user, programme):
        abort(403)
    form = _target_form(programme, programme.partners)
    back = url_for("contributions.programme", programme_id=programme.id)
    return _saved(form, lambda: services.add_target(current_user, programme, **form.values()),
                  "agreements/target_form.html", lambda _t: back + "#plan", owner=programme,
                  back=back)


@bp.post("/targets/<int:target_id>/delete")
@login_required
def delete_target(target_id: int):
    """Remove a target (its history stays in the audit trail)."""
    target = db.get_or_404(Target, target_id)
    owner = target.agreement or target.programme
    if not services.can_edit_targets(current_user, owner):
        abort(403)
    back = (url_for(".detail", agreement_id=owner.id) if isinstance(owner, Agreement)
            else url_for("contributions.programme", programme_id=owner.id))
    services.remove_target(current_user, target)
    flash(_("Target removed."), "success")
    return redirect(back + "#plan")


@bp.get("/<any(agreements, programmes):owner_type>/<int:owner_id>/targets.csv")
@login_required
def targets_csv(owner_type: str, owner_id: int):
    """Plan against fact as a CSV file, with the events behind each figure."""
    if owner_type == "agreements":
        owner = _agreement_or_404(owner_id)
    else:
        from events.auth.permissions import can_manage_programmes

        _allowed(can_manage_programmes)
        owner = db.get_or_404(Programme, owner_id)
    text = plan_csv(progress_of(targets_of(owner), today(), listed=None), str(get_locale()))
    return _csv_response(text, f"targets-{owner_type}-{owner_id}.csv")


def plan_csv(progress, language: str) -> str:
    sheet = Sheet(language)
    sheet.row([_("Partner"), _("Target"), _("From"), _("To"), _("Planned"), _("Fact"),
               _("Progress, %"), _("Expected by now"), _("Pace"), _("Events")])
    for item in progress:
        target = item.target
        sheet.row([target.partner.name if target.partner else _("All partners together"),
                   annual.target_text(target), target.starts_on.isoformat(),
                   target.ends_on.isoformat(), target.planned, item.fact.quantize(
                       target.planned), item.percent, item.expected, label(item.pace),
                   "; ".join(f"{e.starts_at.astimezone(report_zone()).date().isoformat()} {e.title}"
                             for e, _v in reversed(item.events))])
    return sheet.text()


def _csv_response(text: str, name: str) -> Response:
    return Response(text.encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# ---- rate cards and exchange rates ----------------------------------------------------------

@bp.get("/rates")
@login_required
def rates_page():
    """Rate cards in force and the latest official exchange rates."""
    _allowed(can_list_agreements)
    cards = rate_cards()
    return render_template(
        "agreements/rates.html", cards=cards,
        editable={c.id: can_edit_rate_card(current_user, c) for c in cards},
        exchange=latest_exchange_rates(), rate_form=ExchangeRateForm(),
        can_enter=can_enter_exchange_rates(current_user),
        agreements=[a for a in visible_agreements(current_user)
                    if rates.can_create_card_for(current_user, a, None)],
        partners=[p for p in all_partners()
                  if rates.can_create_card_for(current_user, None, p)])


@bp.post("/rates/exchange")
@login_required
def add_exchange_rate():
    """Enter an official rate by hand."""
    _allowed(can_enter_exchange_rates)
    form = ExchangeRateForm()
    if form.validate_on_submit():
        try:
            rates.enter_rate(current_user, **{k: getattr(form, k).data for k in
                                              ("currency", "rate_on", "nominal", "value")})
        except DomainError as error:
            roll_back()
            flash(error.message, "error")
            return redirect(url_for(".rates_page"))
        flash(_("Rate saved."), "success")
    else:
        for errors in form.errors.values():
            flash(str(errors[0]), "error")
    return redirect(url_for(".rates_page"))


def _card_owner():
    raw_agreement, raw_partner = request.args.get("agreement", ""), request.args.get("partner")
    if raw_agreement.isdigit():
        return _agreement_or_404(int(raw_agreement)), None
    if raw_partner and raw_partner.isdigit():
        return None, db.get_or_404(Partner, int(raw_partner))
    abort(400)


def _card_form(card: RateCard | None, agreement, partner):
    venues = rates.card_venues(agreement, partner)
    specs = rates.line_specs(venues)
    form = RateCardForm(obj=card)
    prices = {k: request.form.get(f"price-{k}", "") for k in (s.key for s in specs)}
    if request.method == "GET" and card is not None:
        for line in card.lines:
            for spec in specs:
                if (spec.kind, spec.unit, spec.venue.id if spec.venue else None) == (
                        line.kind, line.unit, line.venue_id):
                    prices[spec.key] = str(line.price)
    return form, specs, prices


@bp.route("/rate-cards/new", methods=["GET", "POST"])
@login_required
def new_rate_card():
    """Prices for an agreement (?agreement=) or a partner (?partner=)."""
    _allowed(can_list_agreements)
    agreement, partner = _card_owner()
    if not rates.can_create_card_for(current_user, agreement, partner):
        abort(403)
    form, specs, prices = _card_form(None, agreement, partner)
    return _saved(form, lambda: rates.create_rate_card(
        current_user, agreement=agreement, partner=partner, prices=prices,
        **{k: getattr(form, k).data for k in ("title", "valid_from", "valid_to")}),
        "agreements/rate_card_form.html", lambda _c: url_for(".rates_page"), card=None,
        specs=specs, prices=prices, owner=agreement or partner)


@bp.route("/rate-cards/<int:card_id>/edit", methods=["GET", "POST"])
@login_required
def edit_rate_card(card_id: int):
    """Change a rate card's prices or validity."""
    _allowed(can_list_agreements)
    card = db.get_or_404(RateCard, card_id)
    _allowed(can_edit_rate_card, card)
    form, specs, prices = _card_form(card, card.agreement, card.partner)
    return _saved(form, lambda: rates.update_rate_card(
        current_user, card, prices=prices,
        **{k: getattr(form, k).data for k in ("title", "valid_from", "valid_to")}),
        "agreements/rate_card_form.html", lambda _c: url_for(".rates_page"), card=card,
        specs=specs, prices=prices, owner=card.agreement or card.partner)


# ---- the annual report ---------------------------------------------------------------------

def _report(agreement_id: int, year: int):
    agreement = _agreement_or_404(agreement_id)
    if not 2000 <= year <= 2100:
        abort(404)
    return annual.build_annual(agreement, year, today())


@bp.get("/agreements/<int:agreement_id>/report/<int:year>")
@login_required
def annual_report(agreement_id: int, year: int):
    """The year's cooperation under an agreement, with links to the workbook and the PDF."""
    report = _report(agreement_id, year)
    return render_template("agreements/annual.html", report=report,
                           basis=annual.valuation_basis_text())


@bp.get("/agreements/<int:agreement_id>/report/<int:year>.xlsx")
@login_required
def annual_xlsx(agreement_id: int, year: int):
    """The annual report as an Excel workbook, one sheet per table."""
    report = _report(agreement_id, year)
    return Response(annual.annual_xlsx(report), headers={
        "Content-Disposition": f'attachment; filename="agreement-{agreement_id}-{year}.xlsx"'},
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.get("/agreements/<int:agreement_id>/report/<int:year>.pdf")
@login_required
def annual_pdf(agreement_id: int, year: int):
    """The annual report as a printable PDF, in Russian or English (?lang=)."""
    language = request.args.get("lang") or str(get_locale())
    if language not in current_app.config["LANGUAGES"]:
        abort(400)
    with force_locale(language):
        report = _report(agreement_id, year)
        html = render_template("agreements/annual_print.html", report=report,
                               basis=annual.valuation_basis_text(), language=language,
                               generated=annual.generated_at())
    try:
        data = annual.annual_pdf(html)
    except (ImportError, OSError):  # Pango or its fonts missing: `make pdf` installs them
        current_app.logger.exception("PDF export unavailable")
        abort(503, _("PDF export is not installed on this server; the workbook is available."))
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition":
            f'attachment; filename="agreement-{agreement_id}-{year}-{language}.pdf"'})

