"""What registrations do when an event changes. Planning's services call these after they
change an event; the registrations area decides who is told and who moves up the waitlist.

Contract (keep the signatures):
- event_changed(actor, event, kind, changes): kind is "moved" (time or place changed) or
  "cancelled"; queue mail to everyone with an active registration.
- capacity_changed(actor, event): capacity was raised or removed; promote from the waitlist.
"""


def event_changed(actor, event, kind: str, changes: dict) -> None:
    """Tell everyone registered that the event moved or was cancelled."""
    # Filled in by the registrations area; planning already calls it.


def capacity_changed(actor, event) -> None:
    """Give freed seats to the head of the waitlist."""
    # Filled in by the registrations area; planning already calls it.
