"""What planning tells partners' webhooks (events.webhooks): an event as its payload, and
which partners hear of it — the lead partner and every partner that accepted to co-host or
support. Registrations use the same two functions for their own messages."""

from flask import current_app

from events.bilingual import COLUMNS, LANGUAGES, preference, text_of
from events.enums import InvolvementRole, InvolvementState
from events.mail import absolute_url
from events.planning.models import Event
from events.webhooks.services import emit


def partner_ids(event: Event) -> set[int]:
    """The partners whose endpoints get the event's messages."""
    return {i.partner_id for i in event.involvements
            if i.role == InvolvementRole.HOST or i.state == InvolvementState.ACCEPTED}


def _site_language() -> str:
    return preference(current_app.config["BABEL_DEFAULT_LOCALE"])[0]


def _time(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def event_data(event: Event) -> dict:
    """The event as webhooks describe it (no personal data)."""
    involved = partner_ids(event)
    return {
        "id": event.id, "uid": event.uid, "sequence": event.sequence,
        # In the site's language (else the other), and each language as written.
        "title": text_of(event, "title", _site_language()),
        "summary": text_of(event, "summary", _site_language()),
        **{f"{text}_{lang}": getattr(event, f"{text}_{lang}")
           for text in ("title", "summary") for lang in LANGUAGES},
        "status": event.status.value, "category": event.category.value,
        "format": event.format.value, "audience": event.audience.value,
        "starts_at": _time(event.starts_at), "ends_at": _time(event.ends_at),
        "timezone": event.timezone, "is_all_day": event.is_all_day,
        "venue": event.venue.label if event.venue else None,
        "online_url": event.online_url, "capacity": event.capacity,
        "cancel_reason": event.cancel_reason, "url": absolute_url("planning.detail",
                                                                  event_id=event.id),
        "partners": [{"slug": i.partner.slug, "role": i.role.value}
                     for i in event.involvements if i.partner_id in involved],
    }


def _announce(event_type: str, event: Event, **extra) -> None:
    """Queue `event_type` for the partners' endpoints in the current transaction."""
    emit(event_type, partner_ids(event), {"event": event_data(event), **extra})


def scheduled(event: Event) -> None:
    _announce("event.scheduled", event)


def changed(event: Event, fields) -> None:
    """A scheduled event changed; `fields` names what changed (a text in either language by
    its name: "title")."""
    names = {name.rsplit("_", 1)[0] if name in COLUMNS else name for name in fields}
    _announce("event.changed", event, changed=sorted(names - {"sequence"}))


def cancelled(event: Event) -> None:
    _announce("event.cancelled", event)
