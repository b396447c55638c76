"""Mail is queued while a request changes things and sent only after its commit."""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask import current_app, g, has_request_context, render_template, request, url_for
from flask_babel import force_locale
from flask_mail import Message, email_dispatched

from events.extensions import mail
from events.text import one_line


@dataclass
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass
class QueuedMail:
    recipients: list[str]
    subject: str
    body: str
    html: str
    attachments: list[Attachment] = field(default_factory=list)


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
    recipient, subject: str, template: str, attachments=(), **context
) -> QueuedMail:
    """Render `templates/mail/<template>.txt|.html` in the recipient's language and queue it.

    `recipient` is a User (its locale is used) or a plain address; `subject` is a msgid
    translated in the recipient's language, formatted with `context`.
    """
    from flask_babel import gettext

    address = getattr(recipient, "email", recipient)
    locale = getattr(recipient, "locale", None) or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        item = QueuedMail(
            recipients=[address],
            # A header is one line: a name or title with a line break must not break the mail.
            subject=one_line(gettext(subject, **context)),
            body=render_template(f"mail/{template}.txt", recipient=recipient, **context),
            html=render_template(f"mail/{template}.html", recipient=recipient, **context),
            attachments=list(attachments),
        )
    g.setdefault("mail_queue", []).append(item)
    return item


def discard_queued_mail() -> None:
    g.pop("mail_queue", None)


def send_queued_mail() -> int:
    """Send what this request queued; call right after the commit. Returns how many."""
    queue = g.pop("mail_queue", [])
    for item in queue:
        message = Message(
            subject=item.subject, recipients=item.recipients, body=item.body, html=item.html
        )
        for attachment in item.attachments:
            message.attach(attachment.filename, attachment.content_type, attachment.data)
        try:
            mail.send(message)
        except OSError:
            # The change is committed; a mail server hiccup must not turn it into an error page.
            current_app.logger.exception("sending mail to %s failed", item.recipients)
    return len(queue)


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
    """Pick the backend: real SMTP, the console (development) or the outbox only (tests)."""
    backend = app.config.get("MAIL_BACKEND", "smtp")
    if backend in ("console", "record") or app.testing:
        app.config["MAIL_SUPPRESS_SEND"] = True
    mail.init_app(app)
    if backend == "console" and not app.testing:

        def _print(sender, message: Message, **_extra) -> None:
            # Flask-Mail sends the signal as send(app, message=message).
            sender.logger.warning("%s", console_text(message))

        email_dispatched.connect(_print, sender=app, weak=False)
