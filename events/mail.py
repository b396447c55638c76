"""Mail is written into the outbox in the transaction of the change that causes it (so it
commits or rolls back with that change) and delivered by the worker (events.outbox)."""

import functools
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask import current_app, has_request_context, render_template, request, url_for
from flask_babel import force_locale
from flask_mail import Message, email_dispatched

from events import bilingual
from events.extensions import mail
from events.i18n import N_
from events.text import one_line


@dataclass
class Attachment:
    filename: str
    content_type: str
    data: bytes


def _links_follow_request() -> bool:
    """Without an explicit SITE_URL (development), links point where this request reached the
    app — `make run PORT=5101` links to :5101; production sets SITE_URL and it always wins."""
    return has_request_context() and not current_app.config.get("SITE_URL_EXPLICIT", True)


def site_root() -> str:
    """The start of every absolute link (no trailing slash), for code that builds its own
    paths from a base, such as the pure iCalendar builder."""
    if _links_follow_request():
        return request.url_root.rstrip("/")
    return current_app.config["SITE_URL"].rstrip("/")


def absolute_url(endpoint: str, **values) -> str:
    """The one builder of absolute links (mail, feeds, Subscribe): from SITE_URL when it is
    set or outside a request; otherwise from the request's own host."""
    if _links_follow_request():
        return url_for(endpoint, _external=True, **values)
    parts = urlsplit(current_app.config["SITE_URL"])
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def queue_mail(
    recipient, subject: str, template: str, attachments=(), *, dedupe_key: str | None = None,
    **context,
):
    """Render `templates/mail/<template>.txt|.html` in the recipient's language and add it to
    the outbox in the current transaction; returns the OutboxMessage.

    `recipient` is a User (its locale is used) or a plain address; `subject` is a msgid
    translated in the recipient's language, formatted with `context`. A `dedupe_key` makes
    the mail exist once (a second one with the same key violates a unique constraint).
    """
    from flask_babel import gettext

    from events.outbox.services import add_message

    held = _held.get()
    if held is not None and dedupe_key is None and "event" in context:
        held.append(_Held(recipient, subject, template, list(attachments), context))
        return None
    address = getattr(recipient, "email", recipient)
    locale = getattr(recipient, "locale", None) or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        context = bilingual.resolve(context)
        return add_message(
            kind=template, recipient=address,
            # A header is one line: a name or title with a line break must not break the mail.
            subject=one_line(gettext(subject, **context)),
            body=render_template(f"mail/{template}.txt", recipient=recipient, **context),
            html=render_template(f"mail/{template}.html", recipient=recipient, **context),
            attachments=list(attachments), dedupe_key=dedupe_key,
        )


# ---- one mail per person for an action on many dates ---------------------------------------

# What one mail about several dates says, by the template each date's own mail would use.
DIGEST_SUBJECTS = {
    "invitation": N_("Invitation to the series “%(title)s” (%(count)d dates)"),
    "ready_to_schedule": N_("The series “%(title)s” is ready to schedule (%(count)d dates)"),
    "partner_scheduled": N_("The series “%(title)s” is scheduled (%(count)d dates)"),
    "partner_cancelled": N_("Dates of the series “%(title)s” are cancelled (%(count)d)"),
    "registration_confirmed": N_("You are registered: %(title)s (%(count)d dates)"),
    "registration_waitlisted": N_("You are on the waitlist: %(title)s (%(count)d dates)"),
    "registration_cancelled": N_("Registration cancelled: %(title)s (%(count)d dates)"),
    "registration_pending": N_("Waiting for approval: %(title)s (%(count)d dates)"),
    "event_moved": N_("Dates of “%(title)s” have changed (%(count)d)"),
    "event_cancelled": N_("Dates of “%(title)s” are cancelled (%(count)d)"),
}
DIGEST_OTHER = N_("%(title)s: %(count)d dates")


@dataclass
class _Held:
    recipient: object
    subject: str
    template: str
    attachments: list
    context: dict = field(default_factory=dict)


_held: ContextVar[list[_Held] | None] = ContextVar("held_mail", default=None)


def _digest_key(item: _Held) -> tuple:
    return getattr(item.recipient, "email", item.recipient), item.template


def _queue_digests(held: list[_Held], attach: Callable, link: Callable) -> None:
    """Each person gets one mail per kind: a kind with one date keeps that date's own mail;
    several dates make one mail that lists them, with one calendar file holding them all."""
    groups: dict[tuple, list[_Held]] = {}
    for item in held:
        groups.setdefault(_digest_key(item), []).append(item)
    for items in groups.values():
        first = items[0]
        if len(items) == 1:
            queue_mail(first.recipient, first.subject, first.template, first.attachments,
                       **first.context)
            continue
        events = [item.context["event"] for item in items]
        series = getattr(events[0], "series", None)
        title = bilingual.read_later(series if series is not None else events[0])
        queue_mail(
            first.recipient, DIGEST_SUBJECTS.get(first.template, DIGEST_OTHER), "dates_digest",
            attachments=[attach(events, first.recipient, first.template)], title=title,
            count=len(items), kind=first.template, items=items, url=link(events[0]),
        )


def one_mail_per_person(*, attach: Callable, link: Callable):
    """Decorate an action on many dates (a series' invitation, scheduling, a move of every
    date, a registration for all of them): the mails each date would send are held, and when
    the action returns each person gets one mail per kind listing the dates, with one
    calendar file (`attach(events, recipient, template)`) and one link (`link(first_event)`). If the
    action raises, the held mails go with its transaction. Mails with a dedupe key, and
    actions inside an action that already holds, are left to the outer one."""

    def decorate(action: Callable) -> Callable:
        @functools.wraps(action)
        def wrapper(*args, **kwargs):
            if _held.get() is not None:
                return action(*args, **kwargs)
            held: list[_Held] = []
            token = _held.set(held)
            try:
                result = action(*args, **kwargs)
            finally:
                _held.reset(token)
            _queue_digests(held, attach, link)
            return result

        return wrapper

    return decorate


def console_text(message: Message) -> str:
    """A mail as the console backend prints it: headers, text body, text attachments."""
    lines = [f"Mail to {', '.join(message.recipients)} (not sent: MAIL_BACKEND=console)",
             f"From: {message.sender}", f"Subject: {message.subject}", "", message.body or ""]
    for attachment in message.attachments:
        lines.append(f"[attachment {attachment.filename}, {attachment.content_type}]")
        data = attachment.data
        if attachment.content_type.startswith("text/"):
            text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
            lines.append(text.replace("\r\n", "\n").rstrip("\n"))
        else:
            lines.append(f"({len(data)} bytes)")
    lines.append("[end of mail]")
    return "\n".join(lines)


def init_mail(app) -> None:
    """Pick the backend the worker sends through: real SMTP, the console (development) or
    Flask-Mail's recorder only (tests)."""
    backend = app.config.get("MAIL_BACKEND", "smtp")
    # Flask-Mail would suppress sending whenever TESTING is on; the backend decides instead.
    app.config["MAIL_SUPPRESS_SEND"] = backend in ("console", "record")
    mail.init_app(app)
    if backend == "console" and not app.testing:

        def _print(sender, message: Message, **_extra) -> None:
            # Flask-Mail sends the signal as send(app, message=message).
            sender.logger.warning("%s", console_text(message))

        email_dispatched.connect(_print, sender=app, weak=False)
