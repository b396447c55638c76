"""Registration for a whole series: a seat in every coming date, each taken by register()
under that date's own lock (waitlisted where full), and cancelled as one. Only where the
lead partner allows it (Series.allow_series_registration). The person gets one mail for the
seats and one for the waitlist places, not one per date (events.planning.series.series_mail)."""

from flask_babel import gettext as _

from events.enums import EventStatus
from events.errors import Conflict, DomainError
from events.planning.models import Event, Series
from events.planning.series import named, open_occurrences, series_mail
from events.registrations.questions import events_with_questions
from events.registrations.services import (
    active_registration_of,
    cancel_registration,
    register,
    registration_refusal,
)


def _registrable(series: Series) -> list[Event]:
    return [e for e in open_occurrences(series) if e.status == EventStatus.SCHEDULED]


@series_mail
def register_for_series(actor, series: Series) -> list:
    """A seat (or a waitlist place where full) in every future scheduled date whose
    registration is open, each through registrations' own register(). Returns the
    Registered results."""
    if not series.allow_series_registration:
        raise Conflict(_("This series takes registrations per date only."))
    dates = [e for e in _registrable(series) if registration_refusal(actor, e) is None]
    if not dates:
        raise Conflict(_("No date of this series is open for registration."))
    asking = events_with_questions(e.id for e in dates)
    if asking:
        first = next(e for e in dates if e.id in asking)
        raise Conflict(_("%(date)s asks questions of the people who register: register for "
                         "each date from its own page.", date=first.starts_at.astimezone(
                             first.zone).date().isoformat()))
    results = []
    for event in dates:  # in date order: every registrant locks the dates in the same order
        try:
            results.append(register(actor, event))
        except DomainError as error:
            raise named(event, error) from None
    return results


@series_mail
def cancel_series_registration(actor, series: Series) -> int:
    """Cancel the actor's active registrations for every future date, as one."""
    if not series.allow_series_registration:
        raise Conflict(_("This series takes registrations per date only."))
    cancelled = 0
    for event in open_occurrences(series):
        registration = active_registration_of(actor, event)
        if registration is None:
            continue
        try:
            cancel_registration(actor, registration)
        except DomainError as error:
            raise named(event, error) from None
        cancelled += 1
    if not cancelled:
        raise Conflict(_("You are not registered for any coming date of this series."))
    return cancelled
