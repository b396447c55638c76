"""The mails registrations send: confirmed (with the event's .ics), waitlisted, promoted, and
the event moved or cancelled. Queued in the recipient's language; sent after the commit."""


from flask import current_app
from flask_babel import force_locale

from events.calendar.ical import event_ics
from events.calendar.store import translated_words
from events.enums import RegistrationStatus, label
from events.mail import Attachment, absolute_url, queue_mail, site_root


def _(message: str) -> str:
    """Marks a subject for extraction; queue_mail translates it in the recipient's language."""
    return message


SUBJECTS = {
    "confirmed": _("You are registered: %(title)s"),
    "waitlisted": _("You are on the waitlist: %(title)s"),
    "promoted": _("A seat is yours: %(title)s"),
    "moved": _("Event moved: %(title)s"),
    "cancelled": _("Event cancelled: %(title)s"),
}


def ics_attachment(event, recipient, *, waitlisted: bool = False) -> Attachment:
    """The event as an iCalendar file (the calendar area's pure builder), with category labels
    in the recipient's language."""
    config = current_app.config
    with force_locale(recipient.locale or config["BABEL_DEFAULT_LOCALE"]):
        data = event_ics(event, site_url=site_root(), domain=config["SITE_DOMAIN"],
                         label=label, words=translated_words(), waitlisted=waitlisted)
    return Attachment(filename=f"event-{event.id}.ics",
                      content_type="text/calendar; charset=utf-8", data=data)


def _links(registration, token: str | None = None) -> dict:
    links = {
        "event_url": absolute_url("planning.detail", event_id=registration.event_id),
        "my_events_url": absolute_url("registrations.mine"),
    }
    if token:
        links["cancel_url"] = absolute_url("registrations.cancel_by_token", token=token)
    return links


def confirmed(registration, token: str) -> None:
    event = registration.event
    queue_mail(registration.user, SUBJECTS["confirmed"], "registration_confirmed",
               attachments=[ics_attachment(event, registration.user)], title=event.title,
               event=event, registration=registration, **_links(registration, token))


def waitlisted(registration, position: int, token: str) -> None:
    event = registration.event
    queue_mail(registration.user, SUBJECTS["waitlisted"], "registration_waitlisted",
               title=event.title, event=event, registration=registration, position=position,
               **_links(registration, token))


def promoted(registration) -> None:
    event = registration.event
    queue_mail(registration.user, SUBJECTS["promoted"], "registration_promoted",
               attachments=[ics_attachment(event, registration.user)], title=event.title,
               event=event, registration=registration, **_links(registration))


def event_changed(registration, kind: str, changes: dict) -> None:
    """`kind` is "moved" or "cancelled"; both carry the updated .ics so calendars follow."""
    event = registration.event
    waiting = registration.status == RegistrationStatus.WAITLISTED
    attachment = ics_attachment(event, registration.user, waitlisted=waiting)
    queue_mail(registration.user, SUBJECTS[kind], f"event_{kind}",
               attachments=[attachment], title=event.title, event=event,
               registration=registration, changes=changes, **_links(registration))


SUBJECTS["reminder"] = _("Reminder: %(title)s starts soon")


def reminder(registration, *, dedupe_key: str) -> None:
    """Sent by the worker before the start (registrations.reminders), once per seat and time."""
    event = registration.event
    queue_mail(registration.user, SUBJECTS["reminder"], "registration_reminder",
               attachments=[ics_attachment(event, registration.user)], dedupe_key=dedupe_key,
               title=event.title, event=event, registration=registration,
               **_links(registration))
