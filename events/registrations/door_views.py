"""The door: a person's printable ticket, and the phone page on which staff scan tickets (with
typed codes and the attendee search as fallbacks). Same blueprint as the other registration
pages (events.registrations.views)."""

from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from events.errors import NotFound, ValidationFailed
from events.extensions import db
from events.registrations import door, tickets
from events.registrations.forms import ScanForm
from events.registrations.models import Registration
from events.registrations.queries import event_counts
from events.registrations.views import _staff_event_or_404, bp

__all__ = ["bp"]


@bp.app_template_global()
def ticket_qr(registration, scale: int = 6) -> Markup:
    """The ticket's QR code as inline SVG (generated here, so safe to insert)."""
    return Markup(tickets.qr_svg(registration, scale))  # noqa: S704 - segno's own markup


@bp.app_template_global()
def checkin_refusal(event) -> str | None:
    """Check-in buttons show with the same predicate the check-in services enforce."""
    return door.checkin_refusal(event)


@bp.get("/registrations/<int:registration_id>/ticket")
@login_required
def ticket(registration_id: int):
    """My ticket, to show on the phone or print."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.user_id != current_user.id:
        raise NotFound(_("There is no such registration."))  # someone else's does not exist
    if not tickets.has_ticket(registration):
        raise NotFound(_("This registration has no ticket: only a confirmed seat has one."))
    return render_template("registrations/ticket.html", registration=registration,
                           event=registration.event, token=tickets.ticket_token(registration))


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _door_page(event, form, result=None, status=200):
    return render_template("registrations/door.html", event=event, form=form, result=result,
                           counts=event_counts(event), closed=door.checkin_refusal(event)), status


@bp.get("/events/<int:event_id>/door")
@login_required
def door_page(event_id: int):
    """The check-in page for phones: scan, type a code, or find by name."""
    event = _staff_event_or_404(event_id)
    return _door_page(event, ScanForm())


@bp.post("/events/<int:event_id>/door/scan")
@login_required
def scan(event_id: int):
    """Check in the holder of one ticket; answers JSON to the scanner, a page to the form."""
    event = _staff_event_or_404(event_id)
    form = ScanForm()
    if not form.validate_on_submit():
        error = ValidationFailed(_("Scan a ticket or type its code."), field="token")
        if _wants_json():
            return {"outcome": "invalid", "admitted": False, "message": error.message}, 400
        raise error
    result = door.check_in_by_ticket(current_user, event, form.token.data)
    # The answer is read inside the transaction (the check-in is flushed); the request's
    # commit point commits after it (events/transaction.py).
    if _wants_json():
        return ({**result.as_json(event), "counts": event_counts(event)}, 200,
                {"Cache-Control": "no-store"})
    return _door_page(event, ScanForm(formdata=None), result)
