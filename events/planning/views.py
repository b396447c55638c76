"""Agenda, calendar, event pages and the staff area."""

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user, login_required

from events.audit.queries import trail_for_event
from events.auth.permissions import can_create_event, can_see_staff_details, can_view_event
from events.contributions.queries import event_panel as contributions_panel
from events.planning.calendar_grid import month_from_arg, month_grid
from events.planning.queries import get_event, staff_dashboard, upcoming_events
from events.registrations.queries import confirmed_counts, seats_left
from events.registrations.queries import event_panel as registrations_panel

bp = Blueprint("planning", __name__)


@bp.get("/")
def index():
    """The agenda: upcoming events this visitor may see."""
    events = upcoming_events(current_user, limit=50)
    counts = confirmed_counts(e.id for e in events)
    seats = {e.id: seats_left(e, counts.get(e.id, 0)) for e in events}
    return render_template("planning/index.html", events=events, seats=seats)


@bp.get("/events/<int:event_id>")
def detail(event_id: int):
    """One event with its partners, and for staff its trail."""
    event = get_event(event_id)
    if event is None or not can_view_event(current_user, event):
        abort(404)
    staff = can_see_staff_details(current_user, event)
    return render_template(
        "planning/detail.html",
        event=event,
        trail=trail_for_event(event) if staff else [],
        registrations=registrations_panel(event, current_user),
        contributions=contributions_panel(event, current_user),
    )


@bp.get("/calendar")
def calendar():
    """A month of events this visitor may see (?month=YYYY-MM)."""
    month = month_from_arg(request.args.get("month"), current_app.config["DEFAULT_EVENT_TIMEZONE"])
    grid = month_grid(current_user, month)
    return render_template("planning/calendar.html", grid=grid)


@bp.get("/staff")
@login_required
def dashboard():
    """The staff area: what this partner leads and is invited to."""
    if not can_create_event(current_user):
        abort(403)
    return render_template("planning/dashboard.html", **staff_dashboard(current_user))
