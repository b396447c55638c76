"""The one way a request reaches an event: visible to this person, or not there. Every area's
views load events through it, so a hidden event reads the same everywhere."""

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from events.auth.permissions import can_view_event
from events.errors import NotFound, SignInToSee
from events.planning.models import Event
from events.planning.queries import get_event


def visible_event(event_id: int) -> Event:
    """The event, when the signed-in person (or visitor) may see it; else a 404 that says
    nothing of whether it exists."""
    event = get_event(event_id)
    if event is None or not can_view_event(current_user, event):
        raise not_there(event_id)
    return event


def not_there(event_id: int) -> NotFound:
    if not current_user.is_authenticated:
        # Residents' and staff events open after signing in: offer the way in and back,
        # saying nothing of the event (nor whether there is one).
        return SignInToSee(_("There is no public event at this address. Events for "
                             "residents and partner staff open after signing in."),
                           url_for("planning.detail", event_id=event_id))
    return NotFound(_("The page does not exist, or you may not see it."))
