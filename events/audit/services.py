"""The one function that records a change, and a helper that applies and diffs field values."""

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from events.audit.models import AuditEntry
from events.extensions import db


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if hasattr(value, "id"):
        return value.id
    return str(value)


def apply_changes(obj: Any, values: dict[str, Any]) -> dict[str, list]:
    """Set each attribute that differs and return {field: [before, after]} for those only."""
    changes: dict[str, list] = {}
    for field, new in values.items():
        old = getattr(obj, field)
        if old != new:
            changes[field] = [_json_safe(old), _json_safe(new)]
            setattr(obj, field, new)
    return changes


def record(
    actor, action: str, subject, changes: dict | None = None, *, event=None
) -> AuditEntry:
    """Write one audit entry for `subject`; `event` ties it to an event's trail."""
    db.session.flush()  # subject needs its id
    if event is None and subject.__tablename__ == "events":
        event = subject
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        subject_type=subject.__tablename__,
        subject_id=subject.id,
        event_id=event.id if event is not None else None,
        changes={k: [_json_safe(v) for v in pair] for k, pair in (changes or {}).items()},
    )
    db.session.add(entry)
    return entry
