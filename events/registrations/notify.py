"""What registrations do when an event changes. Planning's services reach these through
events.planning.hooks (the contract is written there), filled by install_hooks() when the app
starts; the registrations area decides who is told and who moves up the waitlist."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from events.enums import RegistrationStatus
from events.extensions import db
from events.planning import hooks
from events.registrations import mails
from events.registrations.models import Registration
from events.registrations.queries import confirmed_counts, earlier_registrations

KINDS = ("moved", "cancelled")


def event_changed(actor, event, kind: str, changes: dict) -> None:
    """Tell everyone registered that the event moved or was cancelled."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of change: {kind!r}")
    db.session.flush()
    registrations = db.session.scalars(
        sa.select(Registration)
        .where(Registration.event_id == event.id,
               Registration.status.in_([RegistrationStatus.CONFIRMED,
                                        RegistrationStatus.WAITLISTED,
                                        RegistrationStatus.PENDING]))
        .options(selectinload(Registration.user))
        .order_by(Registration.registered_at, Registration.id)
    )
    earlier = earlier_registrations(event)
    for registration in registrations:
        mails.event_changed(registration, kind, changes, earlier.get(registration.id, 0))


def capacity_changed(actor, event) -> None:
    """Give freed seats to the head of the waitlist."""
    from events.registrations.services import capacity_changed as promote

    promote(actor, event)


def install_hooks() -> None:
    """Give planning what it needs of registrations (see events.planning.hooks)."""
    hooks.install(confirmed_counts=confirmed_counts, event_changed=event_changed,
                  capacity_changed=capacity_changed)
