"""What registrations tell partners' webhooks: a seat confirmed (at once, or moved up from
the waitlist) or a registration cancelled, for the partners of the event (no personal data:
the receiver learns that a seat changed, not whose)."""

from events.planning.announce import event_data, partner_ids
from events.registrations.models import Registration
from events.webhooks.services import emit


def _time(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def confirmed(registration: Registration) -> None:
    """A seat confirmed, at once or moved up from the waitlist."""
    _announce("registration.confirmed", registration)


def cancelled(registration: Registration) -> None:
    _announce("registration.cancelled", registration)


def _announce(event_type: str, registration: Registration) -> None:
    """Queue `event_type` for the event's partners in the current transaction."""
    event = registration.event
    emit(event_type, partner_ids(event), {
        "registration": {"id": registration.id, "status": registration.status.value,
                         "registered_at": _time(registration.registered_at),
                         "confirmed_at": _time(registration.confirmed_at),
                         "cancelled_at": _time(registration.cancelled_at)},
        "event": event_data(event),
    })
