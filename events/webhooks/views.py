"""A partner's webhooks pages: the endpoints, one endpoint's settings and secret, and its
deliveries with every attempt; "send a test event", "rotate the secret" and "send again"."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from events.auth.permissions import can_manage_webhooks
from events.errors import DomainError
from events.extensions import db
from events.partners.queries import partner_by_slug
from events.transaction import roll_back
from events.ui import show_error
from events.webhooks import services
from events.webhooks.forms import TYPE_LABELS, EndpointForm
from events.webhooks.models import EVENT_TYPES, WebhookDelivery

bp = Blueprint("webhooks", __name__, url_prefix="/partners/<slug>/webhooks")
bp.add_app_template_global(can_manage_webhooks, "can_manage_webhooks")


def _partner(slug: str):
    partner = partner_by_slug(slug) or abort(404)
    services.check_can_manage(current_user, partner)
    return partner


def _endpoint_and_partner(slug: str, endpoint_id: int):
    partner = partner_by_slug(slug) or abort(404)
    return partner, services.endpoint_of(current_user, partner, endpoint_id)


def _endpoint(slug: str, endpoint_id: int):
    return _endpoint_and_partner(slug, endpoint_id)[1]


def _saved(form, action, template: str, **context):
    """Run `action` for a submitted form; a refusal goes beside its field with its status."""
    status = 200
    if form.validate_on_submit():
        try:
            endpoint = action()
        except DomainError as error:
            roll_back()
            show_error(form, error, fallback="url")
            status = error.status
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("webhooks.edit", slug=endpoint.partner.slug,
                                    endpoint_id=endpoint.id)), 303
    elif form.errors:
        status = 400
    return render_template(template, form=form, type_labels=TYPE_LABELS, **context), status


@bp.get("/")
@login_required
def index(slug: str):
    """The partner's endpoints."""
    partner = _partner(slug)
    return render_template("webhooks/index.html", partner=partner,
                           endpoints=services.endpoints_of(partner), event_types=EVENT_TYPES)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    """Register an endpoint."""
    partner = _partner(slug)
    form = EndpointForm()
    return _saved(form, lambda: services.create_endpoint(current_user, partner, **form.values()),
                  "webhooks/form.html", partner=partner, endpoint=None)


@bp.route("/<int:endpoint_id>", methods=["GET", "POST"])
@login_required
def edit(slug: str, endpoint_id: int):
    """One endpoint: its settings, its secret, a test message."""
    partner, endpoint = _endpoint_and_partner(slug, endpoint_id)
    form = EndpointForm(data={"url": endpoint.url, "description": endpoint.description,
                              "event_types": endpoint.types, "is_enabled": endpoint.is_enabled})

    def action():
        services.update_endpoint(current_user, endpoint, **form.values())
        return endpoint

    return _saved(form, action, "webhooks/form.html", partner=partner, endpoint=endpoint)


@bp.post("/<int:endpoint_id>/rotate")
@login_required
def rotate_secret(slug: str, endpoint_id: int):
    """A new secret; the old one stops working at once."""
    endpoint = _endpoint(slug, endpoint_id)
    services.rotate_secret(current_user, endpoint)
    flash(_("The secret is new: give it to the receiver; messages are signed with it from "
            "now on."), "success")
    return redirect(url_for("webhooks.edit", slug=slug, endpoint_id=endpoint.id)), 303


@bp.post("/<int:endpoint_id>/test")
@login_required
def send_test(slug: str, endpoint_id: int):
    """Queue a webhook.test message to this endpoint."""
    endpoint = _endpoint(slug, endpoint_id)
    services.send_test(current_user, endpoint)
    flash(_("A test message is on its way; its attempts show below."), "success")
    return redirect(url_for("webhooks.deliveries", slug=slug, endpoint_id=endpoint.id)), 303


@bp.post("/<int:endpoint_id>/delete")
@login_required
def delete(slug: str, endpoint_id: int):
    """Remove the endpoint and its deliveries."""
    partner, endpoint = _endpoint_and_partner(slug, endpoint_id)
    services.delete_endpoint(current_user, endpoint)
    flash(_("The webhook is removed."), "success")
    return redirect(url_for("webhooks.index", slug=partner.slug)), 303


@bp.get("/<int:endpoint_id>/deliveries")
@login_required
def deliveries(slug: str, endpoint_id: int):
    """The latest messages to this endpoint with every attempt."""
    partner, endpoint = _endpoint_and_partner(slug, endpoint_id)
    return render_template("webhooks/deliveries.html", partner=partner, endpoint=endpoint,
                           deliveries=services.deliveries_of(endpoint))


@bp.post("/<int:endpoint_id>/deliveries/<int:delivery_id>/send-again")
@login_required
def send_again(slug: str, endpoint_id: int, delivery_id: int):
    """Send one message again by hand (same webhook-id and body)."""
    endpoint = _endpoint(slug, endpoint_id)
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.endpoint_id != endpoint.id:
        abort(404)
    services.send_again(current_user, delivery)
    flash(_("The message is queued again."), "success")
    return redirect(url_for("webhooks.deliveries", slug=slug, endpoint_id=endpoint.id)), 303
