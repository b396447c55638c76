"""An event's .ics as a mail attachment: the pure builder (ical.py) fed with the site's
address and the recipient's language. Planning (invitations, partner news) and
registrations (seats) attach it; it reads nothing of either area."""

from flask import current_app
from flask_babel import force_locale

from events.calendar.ical import END, Itip, calendar_head, event_ics, vevent, zone_spans
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


# A held mail of these kinds took the date out of the recipient's calendar.
_TAKES_OUT = {"registration_cancelled"}


def dates_attachment(events, recipient, kind: str) -> Attachment:
    """Several dates in one published calendar file, in the recipient's language: what one
    mail about a whole series carries instead of a file per date. Where the mail takes the
    dates out of the recipient's calendar (their registration is cancelled) each date is
    CANCELLED with a higher SEQUENCE, so a client that holds it marks it so."""
    config = current_app.config
    with force_locale(recipient.locale or config["BABEL_DEFAULT_LOCALE"]):
        words = translated_words()
        items = []
        for event in events:
            item = vevent(event, site_url=site_root(), domain=config["SITE_DOMAIN"],
                          label=label, words=words)
            if kind in _TAKES_OUT:
                for name in ("STATUS", "SEQUENCE", "TRANSP"):
                    del item[name]
                item.add("status", "CANCELLED")
                item.add("sequence", (event.sequence or 0) + 1)
                item.add("transp", "TRANSPARENT")
            items.append(item.to_ical())
    head = calendar_head(zone_spans(events), name="", description="", refresh_minutes=0)
    return Attachment(filename="dates.ics", content_type="text/calendar; charset=utf-8",
                      data=head + b"".join(items) + END)
