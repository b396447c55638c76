"""Public pages about the partners of the memorandum."""

from flask import Blueprint, abort, current_app, render_template

from events.partners.queries import all_partners, partner_by_slug

bp = Blueprint("partners", __name__, url_prefix="/partners")


@bp.get("/")
def index():
    """The partners and their sites."""
    return render_template("partners/index.html", partners=all_partners())


@bp.get("/<slug>")
def detail(slug: str):
    """One partner with its venues."""
    partner = partner_by_slug(slug) or abort(404)
    return render_template("partners/detail.html", partner=partner)


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
