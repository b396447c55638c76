"""Text that exists in Russian and in English: an event's (or a series') title, summary and
description.

Each is stored once per language (`title_ru`, `title_en`, ...); either may be empty. Read
as `event.title`, it is the reader's language, or the other one where the reader's is
empty. The reader is the request's language, the recipient's inside a mail
(`force_locale`), a feed's `?lang=`; outside those, the site's default. Writing
`event.title = ...` (or passing `title=` to a service) sets the reader's language only.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import get_locale
from sqlalchemy.ext.hybrid import hybrid_property

from events.db import unicode_lower

LANGUAGES = ("ru", "en")
TEXTS = ("title", "summary", "description")
# Every stored column, in the order forms and exports list them.
COLUMNS = tuple(f"{text}_{language}" for text in TEXTS for language in LANGUAGES)


def reader_language() -> str:
    """The language text is read in now (see the module's docstring)."""
    locale = get_locale() if has_app_context() else None
    if locale is not None and locale.language in LANGUAGES:
        return locale.language
    default = current_app.config["BABEL_DEFAULT_LOCALE"] if has_app_context() else "en"
    return default if default in LANGUAGES else LANGUAGES[0]


def preference(language: str | None = None) -> tuple[str, ...]:
    """The languages in the order a reader of `language` (default: the reader) is served."""
    first = language or reader_language()
    return (first, *(other for other in LANGUAGES if other != first))


def text_of(obj, text: str, language: str | None = None) -> str:
    """`obj`'s `text` in `language` (default: the reader's), else in the other language."""
    for lang in preference(language):
        value = getattr(obj, f"{text}_{lang}", None)
        if value:
            return value
    return ""


def language_of(obj, text: str = "title", language: str | None = None) -> str:
    """The language `text_of` answers in: for a `lang` attribute beside a fallback."""
    for lang in preference(language):
        if getattr(obj, f"{text}_{lang}", None):
            return lang
    return preference(language)[0]


def has_language(obj, language: str) -> bool:
    """Whether `obj` is written in `language` (it has a title in it)."""
    return bool(getattr(obj, f"title_{language}", None))


def translated(text: str):
    """A hybrid attribute for `text`: on an object, the text as `text_of` reads it (and a
    setter for the reader's language); in a query, the same choice as an SQL expression
    built for the reader at the time the query is built (never at import time)."""

    def getter(self):
        return text_of(self, text)

    def setter(self, value):
        setattr(self, f"{text}_{reader_language()}", value or "")

    def expression(cls):
        columns = [sa.func.nullif(getattr(cls, f"{text}_{lang}"), "") for lang in preference()]
        return sa.func.coalesce(*columns, "").label(text)

    prop = hybrid_property(getter, setter)
    return prop.expression(expression)


class ReadLater:
    """`obj`'s text, read when it is shown (`str()`): a mail queued while one person acts is
    rendered in the recipient's language, and shows the recipient's title. Deliberately no
    `__html__`: templates escape it like any other text."""

    __slots__ = ("obj", "text")

    def __init__(self, obj, text: str = "title"):
        self.obj, self.text = obj, text

    def __str__(self) -> str:
        return text_of(self.obj, self.text)

    def __repr__(self) -> str:
        return f"ReadLater({self.obj!r}, {self.text!r})"


def read_later(obj, text: str = "title") -> ReadLater:
    return ReadLater(obj, text)


def resolve(context: dict) -> dict:
    """`context` with every ReadLater read now (in the current language)."""
    return {key: str(value) if isinstance(value, ReadLater) else value
            for key, value in context.items()}


def matches(cls, pattern: str):
    """An SQL condition: any language's title or summary contains the LIKE `pattern`
    (lower case, `\\` escapes)."""
    return sa.or_(*(
        unicode_lower(getattr(cls, f"{text}_{lang}")).like(pattern, escape="\\")
        for text in ("title", "summary") for lang in LANGUAGES))


CYRILLIC = re.compile("[\u0400-\u04ff]")


def guess_language(*texts: str | None) -> str:
    """The language text of unknown origin (an imported calendar) is written in: Russian
    when it has a Cyrillic letter, else English."""
    return "ru" if any(CYRILLIC.search(text or "") for text in texts) else "en"


def written_in(language: str, **texts: str) -> dict:
    """`title=`, `summary=`... as the columns of `language`."""
    return {f"{text}_{language}": value for text, value in texts.items()}


def split(values: dict, obj=None) -> dict:
    """Service input with `title`/`summary`/`description` turned into their columns: the
    reader's language, or, when `obj` (an event being changed) has no text in it, the
    language `obj` is written in (renaming an English-only event from a Russian page renames
    it, rather than adding a Russian title beside the old one). An explicit `title_ru` etc.
    wins."""
    out = dict(values)
    language = reader_language()
    if obj is not None and not has_language(obj, language) and any(
            has_language(obj, other) for other in LANGUAGES):
        language = language_of(obj)
    for text in TEXTS:
        if text in out:
            value = out.pop(text)
            out.setdefault(f"{text}_{language}", value)
    return out


def texts(obj) -> dict[str, str]:
    """Every language's text of `obj`, by column (those it has: a programme has no summary)."""
    return {column: getattr(obj, column) or "" for column in COLUMNS if hasattr(obj, column)}


# Each language's name in itself, for a link to the other version of a page.
NAMES = {"ru": "Русский", "en": "English"}


def lang_attr(obj, text: str = "title"):
    """` lang="xx"` for an element showing `obj`'s `text` when it falls back to the other
    language than the page's (screen readers then pronounce it right), else nothing."""
    from markupsafe import Markup

    shown = language_of(obj, text)  # one of LANGUAGES: no markup can come in
    return Markup(' lang="%s"') % shown if shown != reader_language() else Markup("")


def other_versions(obj) -> list[str]:
    """The languages besides the reader's that `obj` is also written in (none when it has no
    text in the reader's: the page already shows the other)."""
    if not has_language(obj, reader_language()):
        return []
    return [lang for lang in LANGUAGES if lang != reader_language() and has_language(obj, lang)]
