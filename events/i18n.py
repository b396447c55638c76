"""Languages (?lang= → person's setting → session → Accept-Language), translation
catalogues and the template helpers that format dates in an event's own time zone."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import (
    format_currency,
    format_date,
    format_datetime,
    format_decimal,
    format_time,
    get_locale,
    ngettext,
)
from flask_babel import gettext as _
from flask_login import current_user

from events.enums import label
from events.text import markdown_to_html

TRANSLATIONS = Path(__file__).parent / "translations"


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and background work: mail sets its own locale
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if request.args.get("lang") in languages:  # a link or a feed naming its language
        return request.args["lang"]
    user = current_user
    if user is not None and user.is_authenticated and user.locale in languages:
        return user.locale
    if session.get("language") in languages:
        return session["language"]
    return request.accept_languages.best_match(languages) or languages[0]


def compile_translations(root: Path = TRANSLATIONS) -> list[Path]:
    """Merge each language's per-area .po files (ru/*.po) into one compiled messages.mo.

    Every area owns its own .po file, so areas never edit the same catalogue.
    """
    written = []
    for language_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        merged = Catalog(locale=language_dir.name)
        for po_path in sorted(language_dir.glob("*.po")):
            with po_path.open("rb") as handle:
                for message in read_po(handle, locale=language_dir.name):
                    if message.id and message.string and not message.fuzzy:
                        merged[message.id] = message
        out_dir = language_dir / "LC_MESSAGES"
        out_dir.mkdir(exist_ok=True)
        out = out_dir / "messages.mo"
        with out.open("wb") as handle:
            write_mo(handle, merged)
        written.append(out)
    return written


def translated_words() -> dict[str, str]:
    """The words ical.py puts into SUMMARY/DESCRIPTION, in the current language."""
    return {
        "cancelled": _("Cancelled"),
        "draft": _("Draft"),
        "waitlist": _("Waitlist"),
        "partners": _("Partners"),
        "online": _("Online"),
        "details": _("Details"),
        "reason": _("Reason"),
    }


def report_zone() -> ZoneInfo:
    """The zone whose calendar dates reports and agreements count (REPORT_TIMEZONE)."""
    return ZoneInfo(current_app.config["REPORT_TIMEZONE"])


def _zone(where) -> ZoneInfo:
    if where is None:
        return ZoneInfo(current_app.config["DEFAULT_EVENT_TIMEZONE"])
    if isinstance(where, str):
        return ZoneInfo(where)
    return ZoneInfo(where.timezone)


def local_datetime(value: datetime | None, where=None, fmt: str = "medium") -> str:
    """A UTC datetime shown in the event's (or given) zone, in the reader's language."""
    if value is None:
        return ""
    zone = _zone(where)
    local = value.astimezone(zone)
    return format_datetime(local.replace(tzinfo=None), fmt, rebase=False)


def local_date(value: datetime | None, where=None, fmt: str = "full") -> str:
    if value is None:
        return ""
    return format_date(value.astimezone(_zone(where)).date(), fmt)


def local_time(value: datetime | None, where=None, fmt: str = "short") -> str:
    if value is None:
        return ""
    return format_time(value.astimezone(_zone(where)).replace(tzinfo=None), fmt, rebase=False)


def event_when(event) -> str:
    """'Tuesday, 1 December 2026, 10:00–12:00 (Europe/Moscow)' in the reader's language; all
    day: 'Tuesday, 1 December 2026' or '1 December 2026 – 3 December 2026' (no zone)."""
    if getattr(event, "is_all_day", False):
        first, last = event.first_day, event.last_day
        if first == last:
            return format_date(first, "full")
        return f"{format_date(first, 'long')} – {format_date(last, 'long')}"
    start, end = event.local_starts_at, event.local_ends_at
    if start.date() == end.date():
        text = f"{local_date(event.starts_at, event)}, " \
               f"{local_time(event.starts_at, event)}–{local_time(event.ends_at, event)}"
    else:
        text = f"{local_datetime(event.starts_at, event)} – {local_datetime(event.ends_at, event)}"
    if start.utcoffset() != end.utcoffset():
        # The clocks change during the event: the wall times alone mislead; say how long.
        return _("%(when)s (%(zone)s; %(duration)s: the clocks change during the event)",
                 when=text, zone=event.timezone, duration=duration(event.ends_at
                                                                    - event.starts_at))
    return f"{text} ({event.timezone})"


def duration(length) -> str:
    """'2 hours', '1 h 30 min' in the reader's language."""
    minutes = int(length.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if minutes:
        return _("%(hours)d h %(minutes)d min", hours=hours, minutes=minutes)
    return ngettext("%(num)d hour", "%(num)d hours", hours)


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters.update(
        label=label,
        markdown=markdown_to_html,
        local_datetime=local_datetime,
        local_date=local_date,
        local_time=local_time,
        format_date=format_date,
        format_currency=format_currency,
        format_decimal=format_decimal,
    )
    from events import bilingual

    app.jinja_env.globals.update(
        event_when=event_when, label=label, text_languages=bilingual.preference,
        lang_attr=bilingual.lang_attr, other_versions=bilingual.other_versions,
        language_names=bilingual.NAMES)
    from events.ui import register_ui_helpers

    register_ui_helpers(app)

    @app.context_processor
    def _language():
        from events.auth.forms import LanguageForm

        values = {"current_language": str(get_locale()), "languages": app.config["LANGUAGES"]}
        if has_request_context():
            # Never bound to the request: an error page for a body too large to read (413)
            # must not try to read it again. Outside a request (the worker rendering a
            # reminder) there is no page, so no form and no CSRF token to make.
            values["language_form"] = LanguageForm(formdata=None)
        return values


ROOT = Path(__file__).resolve().parent.parent
AREAS = ("auth", "partners", "planning", "contributions", "registrations", "calendar", "audit",
         "residents", "agreements", "publishing", "webhooks", "api")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
            "lazy_ngettext": (1, 2), "N_": None, "pgettext": ((1, "c"), 2),
            "npgettext": ((1, "c"), 2, 3), "lazy_pgettext": ((1, "c"), 2)}


def N_(message: str) -> str:  # noqa: N802 — the gettext convention for "no-op, extract me"
    """Marks a msgid for extraction that is translated later, e.g. a mail subject that
    queue_mail translates in the recipient's language."""
    return message


def _key(msgid: str, context: str | None) -> str:
    """One key per message: a msgctxt ("counter") tells apart words spelt alike in English."""
    return f"{context}\x04{msgid}" if context else msgid


def area_of(path: str) -> str:
    """Which area's .po file owns a message found in `path` (core for shared files)."""
    parts = Path(path).parts
    for area in AREAS:
        if area in parts[:2]:
            return area
    if parts and parts[0] == "templates" and len(parts) > 1 and parts[1] == "mail":
        return "mail"
    return "core"


def extract_messages() -> dict[str, tuple[str | tuple, list[str], str | None]]:
    """Every translatable message in events/ and templates/:
    {key: (id, [locations], msgctxt)}."""
    from babel.messages.extract import extract_from_dir

    found: dict = {}
    for folder, mapping in (
        ("events", [("**.py", "python")]),
        ("templates", [("**.html", "jinja2"), ("**.txt", "jinja2")]),
    ):
        for filename, lineno, message, _comments, context in extract_from_dir(
            ROOT / folder, method_map=mapping, keywords=KEYWORDS,
            options_map={"**.html": {"extensions": "jinja2.ext.i18n"},
                         "**.txt": {"extensions": "jinja2.ext.i18n"}},
        ):
            msgid = message[0] if isinstance(message, tuple) else message
            if not msgid:
                continue
            entry = found.setdefault(_key(msgid, context), (message, [], context))
            entry[1].append(f"{folder}/{filename}:{lineno}")
    return found


def missing_translations(language: str = "ru") -> dict[str, list]:
    """Messages in the code with no translation in `language`, grouped by owning area."""
    known: set[str] = set()
    for po_path in (TRANSLATIONS / language).glob("*.po"):
        with po_path.open("rb") as handle:
            for message in read_po(handle, locale=language):
                text = message.string
                if message.id and (any(text) if isinstance(text, tuple) else text):
                    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
                    known.add(_key(msgid, message.context))
    missing: dict[str, list] = {}
    for key, (message, locations, context) in extract_messages().items():
        if key not in known:
            missing.setdefault(area_of(locations[0]), []).append((message, locations, context))
    return missing
