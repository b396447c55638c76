"""Where the smoke suite reads the mail the app sent: what `MAIL_BACKEND=console` printed, or
what arrived at an SMTP sink (aiosmtpd) started by the test. Both wait for a mail to arrive
(on a condition, never on a clock), so mail sent later by another process is found too."""

import email
import email.policy
import re
import threading
from dataclasses import dataclass, field

import icalendar
from aiosmtpd.controller import Controller


@dataclass
class Mail:
    to: list[str]
    subject: str
    body: str
    attachments: dict[str, str] = field(default_factory=dict)

    @property
    def ics(self) -> icalendar.Calendar:
        """The attached .ics, parsed back."""
        names = [n for n in self.attachments if n.endswith(".ics")]
        assert names, f"mail {self.subject!r} to {self.to} has no .ics attachment"
        return icalendar.Calendar.from_ical(self.attachments[names[0]])

    @property
    def vevent(self):
        return next(iter(self.ics.walk("VEVENT")))

    def link(self, path_prefix: str) -> str:
        """The first absolute link in the body whose path starts with `path_prefix`."""
        found = re.search(r"https?://[^\s\"'<>]+" + re.escape(path_prefix) + r"[^\s\"'<>]*",
                          self.body)
        assert found, f"no link to {path_prefix} in {self.subject!r}:\n{self.body}"
        return found.group(0)


class Mailbox:
    """Mail seen so far; `expect` waits for one more that matches."""

    def __init__(self):
        self._changed = threading.Condition()

    def mails(self, since: int = 0) -> list[Mail]:
        raise NotImplementedError

    def mark(self) -> int:
        raise NotImplementedError

    def expect(self, to: str, subject: str, *, since: int, timeout: float = 30) -> Mail:
        """The first mail to `to` whose subject contains `subject`, after `since`."""
        found: list[Mail] = []

        def arrived() -> bool:
            found[:] = [m for m in self.mails(since) if to in m.to and subject in m.subject]
            return bool(found)

        with self._changed:
            if not self._changed.wait_for(arrived, timeout):
                seen = [(m.to, m.subject) for m in self.mails(since)]
                raise AssertionError(f"no mail to {to} about {subject!r}; seen: {seen}")
        return found[0]


class ConsoleMailbox(Mailbox):
    """Mail printed by the console backend in a process's output."""

    PRINTED = re.compile(
        r"Mail to (?P<to>.*?) \(not sent: MAIL_BACKEND=console\)\n(?P<text>.*?)\n"
        r"\[end of mail\]", re.S)
    ATTACHMENT = re.compile(r"^\[attachment (?P<name>\S+), [^\]]*\]\n", re.M)

    def __init__(self, process):
        super().__init__()
        self.process = process
        self._changed = process._changed  # output arrives under this condition

    def mark(self) -> int:
        return self.process.mark()

    def mails(self, since: int = 0) -> list[Mail]:
        text = "".join(self.process._chunks)  # called with the condition held, or harmlessly
        found = []
        for match in self.PRINTED.finditer(text, since):
            headers, _, rest = match.group("text").partition("\n\n")
            subject = re.search(r"^Subject: (.*)$", headers, re.M).group(1)
            parts = self.ATTACHMENT.split(rest)
            body, attachments = parts[0], dict(zip(parts[1::2], parts[2::2], strict=True))
            found.append(Mail([a.strip() for a in match.group("to").split(",")], subject,
                              body, {k: v.strip("\n") + "\n" for k, v in attachments.items()}))
        return found


class _Collect:
    def __init__(self, sink: "SmtpSink"):
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body_part = message.get_body(preferencelist=("plain",))
        attachments = {
            part.get_filename(): part.get_content() if part.get_content_maintype() == "text"
            else part.get_content().decode("utf-8", "replace")
            for part in message.iter_attachments() if part.get_filename()
        }
        mail = Mail(list(envelope.rcpt_tos), str(message["Subject"]),
                    body_part.get_content() if body_part else "", attachments)
        with self.sink._changed:
            self.sink.received.append(mail)
            self.sink._changed.notify_all()
        return "250 OK"


class SmtpSink(Mailbox):
    """An SMTP server on 127.0.0.1 that keeps every mail it is given."""

    def __init__(self, port: int):
        super().__init__()
        self.received: list[Mail] = []
        self.port = port
        self.controller = Controller(_Collect(self), hostname="127.0.0.1", port=port)

    def start(self) -> "SmtpSink":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def mark(self) -> int:
        with self._changed:
            return len(self.received)

    def mails(self, since: int = 0) -> list[Mail]:
        return list(self.received[since:])
