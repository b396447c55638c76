"""A resident's registrations."""

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from events.db import utcnow
from events.registrations.queries import registrations_of

bp = Blueprint("registrations", __name__)


@bp.get("/my/events")
@login_required
def mine():
    """My registrations, upcoming and past."""
    registrations = registrations_of(current_user)
    now = utcnow()
    upcoming = [r for r in registrations if r.event.ends_at > now]
    past = [r for r in registrations if r.event.ends_at <= now]
    return render_template("registrations/mine.html", upcoming=upcoming, past=past)
