"""Pages about the partners of the memorandum, and their management by admins."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from events.auth.permissions import is_admin
from events.errors import DomainError
from events.extensions import db
from events.partners.forms import PartnerForm, VenueForm
from events.partners.models import Venue
from events.partners.queries import all_partners, partner_by_slug
from events.partners.services import create_partner, create_venue, update_partner, update_venue
from events.transaction import roll_back
from events.ui import show_error

bp = Blueprint("partners", __name__, url_prefix="/partners")
bp.add_app_template_global(is_admin, "is_admin")


def _admin_only() -> None:
    if not is_admin(current_user):
        abort(403)


def _save(form, action, template: str, **context):
    """Run `action` for a valid form; a domain error goes beside its field with its status."""
    status = 400 if form.is_submitted() and form.errors else 200
    if form.validate_on_submit():
        try:
            result = action()
        except DomainError as error:
            roll_back()
            show_error(form, error, fallback="name")
            status = error.status
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("partners.detail", slug=result.slug))
    elif form.errors:
        status = 400
    return render_template(template, form=form, **context), status


def _partner_values(form) -> dict:
    return {k: getattr(form, k).data for k in
            ("slug", "name", "short_name", "name_ru", "short_name_ru", "description", "website",
             "color", "embed_origins", "embed_background", "embed_accent")}


def _venue_values(form) -> dict:
    return {k: getattr(form, k).data for k in
            ("name", "building", "site", "address", "capacity", "accessibility", "latitude",
             "longitude", "is_active")} | {"building": form.building.data or "",
                                           "address": form.address.data or ""}


@bp.get("/")
def index():
    """The partners and their sites."""
    return render_template("partners/index.html", partners=all_partners())


@bp.get("/<slug>")
def detail(slug: str):
    """One partner with its venues."""
    partner = partner_by_slug(slug) or abort(404)
    return render_template("partners/detail.html", partner=partner)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """An admin adds a partner."""
    _admin_only()
    form = PartnerForm()
    return _save(form, lambda: create_partner(current_user, **_partner_values(form)),
                 "partners/form.html", partner=None)


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    """An admin edits a partner."""
    _admin_only()
    partner = partner_by_slug(slug) or abort(404)
    form = PartnerForm(obj=partner)

    def action():
        update_partner(current_user, partner, **_partner_values(form))
        return partner

    return _save(form, action, "partners/form.html", partner=partner)


@bp.route("/<slug>/venues/new", methods=["GET", "POST"])
@login_required
def new_venue(slug: str):
    """An admin adds a room to a partner's site."""
    _admin_only()
    partner = partner_by_slug(slug) or abort(404)
    form = VenueForm()

    def action():
        create_venue(current_user, partner, **_venue_values(form))
        return partner

    return _save(form, action, "partners/venue_form.html", partner=partner, venue=None)


@bp.route("/<slug>/venues/<int:venue_id>/edit", methods=["GET", "POST"])
@login_required
def edit_venue(slug: str, venue_id: int):
    """An admin edits or retires a room."""
    _admin_only()
    partner = partner_by_slug(slug) or abort(404)
    venue = db.session.get(Venue, venue_id)
    if venue is None or venue.partner_id != partner.id:
        abort(404)
    form = VenueForm(obj=venue)

    def action():
        update_venue(current_user, venue, **_venue_values(form))
        return partner

    return _save(form, action, "partners/venue_form.html", partner=partner, venue=venue)


@bp.get("/colours.css")
def stylesheet():
    """Each partner's brand colour as a CSS class, so pages need no inline styles."""
    css = "".join(
        f".partner-{p.slug}{{--partner:{p.color}}}\n" for p in all_partners()
    )
    response = current_app.response_class(css, mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response
