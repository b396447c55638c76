"""The audit trail as people read it: actions and field names in words, times in the event's
zone, enum values by their labels."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from events.enums import LABELS, label
from events.i18n import local_datetime

ACTIONS = {
    "event.create": _l("created the event"),
    "event.update": _l("changed the event"),
    "event.propose": _l("proposed the event"),
    "event.schedule": _l("scheduled the event"),
    "event.cancel": _l("cancelled the event"),
    "involvement.invite": _l("invited a partner"),
    "involvement.accept": _l("accepted the invitation"),
    "involvement.decline": _l("declined the invitation"),
    "event.import": _l("imported the event"),
    "contribution.create": _l("recorded a contribution"),
    "contribution.update": _l("changed a contribution"),
    "registration.create": _l("registered"),
    "registration.cancel": _l("cancelled a registration"),
    "registration.promote": _l("moved someone up from the waitlist"),
    "registration.check_in": _l("checked an attendee in"),
    "registration.undo_check_in": _l("undid a check-in"),
}

FIELD_NAMES = {
    "title": _l("Title"), "summary": _l("Summary"), "description": _l("Description"),
    "category": _l("Category"), "format": _l("Format"), "venue": _l("Room"),
    "online_url": _l("Link for online participants"), "starts_at": _l("Starts"),
    "ends_at": _l("Ends"), "is_all_day": _l("All day"), "timezone": _l("Time zone"),
    "capacity": _l("Capacity"),
    "audience": _l("Audience"), "registration_opens_at": _l("Registration opens"),
    "registration_closes_at": _l("Registration closes"), "programme": _l("Programme"),
    "status": _l("Status"), "sequence": _l("Calendar revision"),
    "lead_partner": _l("Lead partner"), "partner": _l("Partner"), "role": _l("Role"),
    "state": _l("Answer"), "note": _l("Note"), "cancel_reason": _l("Reason"),
    "cancelled_at": _l("Cancelled at"), "published_at": _l("Published at"),
    "kind": _l("Kind"), "quantity": _l("Quantity"), "unit": _l("Unit"), "amount": _l("Amount"),
    "currency": _l("Currency"),
}
_VALUE_LABELS = {member.value: member for member in LABELS}
LONG_TEXT = 120


@dataclass
class TrailRow:
    entry: object
    action: str
    changes: list[tuple[str, str, str]]


def _value(name: str, value, event) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, str) and name.endswith("_at"):
        try:
            return local_datetime(datetime.fromisoformat(value), event, "short")
        except ValueError:
            return value
    if isinstance(value, str) and value in _VALUE_LABELS and name in (
            "category", "format", "audience", "status", "role", "state", "kind"):
        return label(_VALUE_LABELS[value])
    text = str(value)
    return text if len(text) <= LONG_TEXT else text[:LONG_TEXT - 1] + "…"


def trail_rows(entries, event) -> list[TrailRow]:
    rows = []
    for entry in entries:
        changes = [
            (str(FIELD_NAMES.get(name, name)), _value(name, pair[0], event),
             _value(name, pair[1], event))
            for name, pair in (entry.changes or {}).items()
            if isinstance(pair, list | tuple) and len(pair) == 2
        ]
        rows.append(TrailRow(entry, str(ACTIONS.get(entry.action, entry.action)), changes))
    return rows
