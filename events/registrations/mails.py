"""The mails registrations send: confirmed (with the event's .ics), waitlisted, promoted, the
seat cancelled, and the event moved or cancelled. Queued in the recipient's language; sent after
the commit.

The .ics a registrant gets is an iTIP message (RFC 5546): REQUEST while they hold a seat
(confirmed, won from the waitlist, moved), CANCEL once the seat or the event is gone, with the
feeds' UID. Waitlisted people hold no seat and get no calendar file."""

from email.utils import parseaddr

from flask import current_app

from events.bilingual import read_later
from events.calendar.attachment import ics_attachment
from events.calendar.ical import CANCEL, REQUEST, Itip, lead_partner
from events.db import utcnow
from events.enums import RegistrationStatus
from events.mail import Attachment, absolute_url, queue_mail
from events.registrations.tickets import qr_png


def _(message: str) -> str:
    """Marks a subject for extraction; queue_mail translates it in the recipient's language."""
    return message


SUBJECTS = {
    "confirmed": _("You are registered: %(title)s"),
    "waitlisted": _("You are on the waitlist: %(title)s"),
    "promoted": _("A seat is yours: %(title)s"),
    "registration_cancelled": _("Registration cancelled: %(title)s"),
    "moved": _("Event moved: %(title)s"),
    "cancelled": _("Event cancelled: %(title)s"),
}

# SEQUENCE of a registrant's messages = the event's sequence (time, place, status, title) plus
# what happened to this person's seat: +1 once won from the waitlist, +2 once cancelled. A person
# who cancels and registers again starts PER_REGISTRATION higher, above their last CANCEL.
PROMOTED, CANCELLED, PER_REGISTRATION = 1, 2, 3


def seat_sequence(registration, earlier: int = 0) -> int:
    """The SEQUENCE of this registration's next calendar message; `earlier` is how many
    registrations the person made for the event before this one."""
    seat = PER_REGISTRATION * earlier
    if registration.confirmed_at is not None and \
            registration.confirmed_at > registration.registered_at:
        seat += PROMOTED
    if registration.status == RegistrationStatus.CANCELLED:
        seat += CANCELLED
    return (registration.event.sequence or 0) + seat


def organizer(event) -> tuple[str, str]:
    """(address, name) of iTIP's ORGANIZER: the site's sender address (replies go nowhere
    else), named after the lead partner."""
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    name, address = (sender if isinstance(sender, tuple | list) else parseaddr(sender))
    lead = lead_partner(event)
    return address, lead.name if lead is not None else name


def _itip(registration, method: str, earlier: int | None) -> Itip:
    if earlier is None:
        from events.registrations.queries import earlier_registrations

        earlier = earlier_registrations(registration.event, [registration.id]).get(
            registration.id, 0)
    address, name = organizer(registration.event)
    return Itip(method=method, sequence=seat_sequence(registration, earlier),
                sent_at=utcnow(), organizer_email=address, organizer_name=name,
                attendee_email=registration.user.email, attendee_name=registration.user.name)


def seat_attachment(registration, method: str, earlier: int | None = None) -> Attachment:
    """The REQUEST or CANCEL of this registrant's seat."""
    return ics_attachment(registration.event, registration.user,
                          itip=_itip(registration, method, earlier))


def _links(registration, token: str | None = None) -> dict:
    links = {
        "event_url": absolute_url("planning.detail", event_id=registration.event_id),
        "my_events_url": absolute_url("registrations.mine"),
    }
    if token:
        links["cancel_url"] = absolute_url("registrations.cancel_by_token", token=token)
    return links


def ticket_attachment(registration) -> Attachment:
    """The ticket's QR code as a PNG: shown at the door straight from the mail."""
    return Attachment(filename=f"ticket-{registration.event_id}.png", content_type="image/png",
                      data=qr_png(registration))


def _seat_links(registration, token: str | None = None) -> dict:
    return {**_links(registration, token),
            "ticket_url": absolute_url("registrations.ticket", registration_id=registration.id)}


def confirmed(registration, token: str) -> None:
    event = registration.event
    queue_mail(registration.user, SUBJECTS["confirmed"], "registration_confirmed",
               attachments=[seat_attachment(registration, REQUEST),
                            ticket_attachment(registration)], title=read_later(event),
               event=event, registration=registration, **_seat_links(registration, token))


def waitlisted(registration, position: int, token: str) -> None:
    event = registration.event
    queue_mail(registration.user, SUBJECTS["waitlisted"], "registration_waitlisted",
               title=read_later(event), event=event, registration=registration, position=position,
               **_links(registration, token))


def promoted(registration) -> None:
    event = registration.event
    queue_mail(registration.user, SUBJECTS["promoted"], "registration_promoted",
               attachments=[seat_attachment(registration, REQUEST),
                            ticket_attachment(registration)], title=read_later(event),
               event=event, registration=registration, **_seat_links(registration))


def registration_cancelled(registration, *, had_seat: bool) -> None:
    """The person's registration is cancelled: a seat's CANCEL removes it from their calendar;
    a waitlist place never was in it."""
    event = registration.event
    attachments = [seat_attachment(registration, CANCEL)] if had_seat else []
    queue_mail(registration.user, SUBJECTS["registration_cancelled"], "registration_cancelled",
               attachments=attachments, title=read_later(event), event=event,
               registration=registration, had_seat=had_seat, **_links(registration))


def event_changed(registration, kind: str, changes: dict, earlier: int | None = None) -> None:
    """`kind` is "moved" or "cancelled"; a seat gets its REQUEST (moved) or CANCEL so calendars
    follow. `earlier`: see seat_sequence (notify passes it for all registrants at once)."""
    event = registration.event
    has_seat = registration.status == RegistrationStatus.CONFIRMED
    attachments = [seat_attachment(registration, REQUEST if kind == "moved" else CANCEL,
                                   earlier)] if has_seat else []
    queue_mail(registration.user, SUBJECTS[kind], f"event_{kind}",
               attachments=attachments, title=read_later(event), event=event,
               registration=registration, changes=changes, has_seat=has_seat,
               **_links(registration))


SUBJECTS["reminder"] = _("Reminder: %(title)s starts soon")


def reminder(registration, *, dedupe_key: str) -> None:
    """Sent by the worker before the start (registrations.reminders), once per seat and time;
    its REQUEST repeats the seat's current SEQUENCE, so a calendar keeps one entry."""
    event = registration.event
    queue_mail(registration.user, SUBJECTS["reminder"], "registration_reminder",
               attachments=[seat_attachment(registration, REQUEST)], dedupe_key=dedupe_key,
               title=read_later(event), event=event, registration=registration,
               **_links(registration))


SUBJECTS["claim"] = _("A place for you: %(title)s")


def claim(registration, actor, claim_url: str) -> None:
    """Staff added a walk-in: the new account's link sets a password and so claims the place;
    the ticket is on their events page once signed in."""
    event = registration.event
    queue_mail(registration.user, SUBJECTS["claim"], "registration_claim", title=read_later(event),
               event=event, registration=registration, actor=actor, claim_url=claim_url,
               waitlisted=registration.status == RegistrationStatus.WAITLISTED,
               **_links(registration, getattr(registration, "cancel_token", None)))


SUBJECTS["feedback"] = _("How was it? %(title)s")


def feedback_request(registration, *, dedupe_key: str) -> None:
    """Sent by the worker after the event to the people who came (registrations.feedback)."""
    event = registration.event
    queue_mail(registration.user, SUBJECTS["feedback"], "feedback_request",
               dedupe_key=dedupe_key, title=read_later(event), event=event,
               registration=registration,
               feedback_url=absolute_url("registrations.feedback_form", event_id=event.id))

SUBJECTS["pending"] = _("Waiting for approval: %(title)s")
SUBJECTS["declined"] = _("Registration not approved: %(title)s")


def pending(registration, token: str) -> None:
    """The event's registrations need approval: the request is in, no seat yet (and so no
    calendar file); the approval or the refusal comes in a mail of its own."""
    event = registration.event
    queue_mail(registration.user, SUBJECTS["pending"], "registration_pending",
               title=read_later(event), event=event, registration=registration,
               **_links(registration, token))


def declined(registration) -> None:
    """Staff declined a pending registration, with their reason if they gave one."""
    event = registration.event
    queue_mail(registration.user, SUBJECTS["declined"], "registration_declined",
               title=read_later(event), event=event, registration=registration,
               reason=registration.decline_reason, **_links(registration))
