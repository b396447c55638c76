"""The one seam through which planning reaches the areas built on it. A registration belongs
to an event, so planning never imports registrations: registrations fills these hooks when
the app starts (events.registrations.notify.install_hooks) and planning calls them here.

Contract (keep the signatures):
- confirmed_counts(event_ids) -> {event_id: confirmed registrations}: the capacity check.
- event_changed(actor, event, kind, changes): kind is "moved" (time or place changed) or
  "cancelled"; everyone with an active registration is told.
- capacity_changed(actor, event): capacity was raised or removed; the waitlist moves up.
"""

from collections.abc import Callable, Iterable

HOOKS = ("confirmed_counts", "event_changed", "capacity_changed")
_filled: dict[str, Callable] = {}


def install(**functions: Callable) -> None:
    """Fill the hooks (every one of HOOKS, by name)."""
    if set(functions) != set(HOOKS):
        raise TypeError(f"planning hooks are {HOOKS}, got {sorted(functions)}")
    _filled.update(functions)


def _hook(name: str) -> Callable:
    try:
        return _filled[name]
    except KeyError:
        raise RuntimeError(f"the planning hook {name!r} is not installed: create_app "
                           "installs registrations' hooks") from None


def confirmed_counts(event_ids: Iterable[int]) -> dict[int, int]:
    return _hook("confirmed_counts")(event_ids)


def event_changed(actor, event, kind: str, changes: dict) -> None:
    _hook("event_changed")(actor, event, kind, changes)


def capacity_changed(actor, event) -> None:
    _hook("capacity_changed")(actor, event)
