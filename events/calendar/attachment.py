"""An event's .ics as a mail attachment: the pure builder (ical.py) fed with the site's
address and the recipient's language. Planning (invitations, partner news) and
registrations (seats) attach it; it reads nothing of either area."""

from flask import current_app
from flask_babel import force_locale

from events.calendar.ical import Itip, event_ics
from events.enums import label
from events.i18n import translated_words
from events.mail import Attachment, site_root


def ics_attachment(event, recipient, *, waitlisted: bool = False,
                   itip: Itip | None = None) -> Attachment:
    """The event as an iCalendar file, with category labels in the recipient's language: a
    published calendar, or the iTIP message `itip`."""
    config = current_app.config
    with force_locale(recipient.locale or config["BABEL_DEFAULT_LOCALE"]):
        data = event_ics(event, site_url=site_root(), domain=config["SITE_DOMAIN"],
                         label=label, words=translated_words(), waitlisted=waitlisted,
                         itip=itip)
    method = f"method={itip.method}; " if itip is not None else ""
    return Attachment(filename=f"event-{event.id}.ics",
                      content_type=f"text/calendar; {method}charset=utf-8", data=data)
