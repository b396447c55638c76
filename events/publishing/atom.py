"""Events → an Atom feed (RFC 4287) with `feedgen`. Pure: callers pass the feed's identity,
the absolute links and the translated words, and get bytes back; feedgen (through lxml)
escapes every value, and text a person typed is first rid of characters XML cannot hold."""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from feedgen.feed import FeedGenerator

from events.enums import EventStatus

# XML 1.0 allows tab, LF, CR and the rest from U+0020 on (minus surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
CONTENT_TYPE = "application/atom+xml; charset=utf-8"


def xml_text(value: str | None) -> str:
    return _NOT_XML.sub("", value or "")


@dataclass(frozen=True)
class FeedInfo:
    """The feed itself: its own URL (also its id), the page it mirrors, title, subtitle,
    language, and when anything in it last changed."""

    self_url: str
    page_url: str
    title: str
    subtitle: str
    language: str
    updated: datetime
    site_name: str


@dataclass(frozen=True)
class Entry:
    """One event as the feed shows it; `when` and `where` are already in the reader's words."""

    event: object
    url: str
    when: str
    where: str
    summary: str
    partners: Sequence[tuple[str, str]]  # (name, page URL), host first
    category: str


def entry_summary(entry: Entry, cancelled_word: str) -> str:
    lines = [entry.when]
    if entry.where:
        lines.append(entry.where)
    if entry.event.status == EventStatus.CANCELLED:
        lines.insert(0, cancelled_word)
    if entry.summary:
        lines.append(entry.summary)
    return "\n".join(lines)


def feed_bytes(info: FeedInfo, entries: Sequence[Entry], *, cancelled_word: str,
               title_of: Callable[[object], str]) -> bytes:
    fg = FeedGenerator()
    fg.id(info.self_url)
    fg.title(xml_text(info.title))
    fg.subtitle(xml_text(info.subtitle))
    fg.link(href=info.page_url, rel="alternate", type="text/html")
    fg.link(href=info.self_url, rel="self", type="application/atom+xml")
    fg.language(info.language)
    fg.updated(info.updated)
    fg.generator(info.site_name)
    # RFC 4287 §4.1.1: a feed needs an author unless every entry has one.
    fg.author(name=xml_text(info.site_name), uri=info.page_url)
    for item in entries:
        event = item.event
        fe = fg.add_entry(order="append")
        fe.id(item.url)
        fe.title(xml_text(title_of(event)))
        fe.link(href=item.url, rel="alternate", type="text/html")
        fe.updated(event.updated_at)
        fe.published(event.published_at or event.created_at)
        fe.summary(xml_text(entry_summary(item, cancelled_word)))
        for name, uri in item.partners:
            fe.author(name=xml_text(name), uri=uri)
        fe.category(term=str(event.category), label=xml_text(item.category))
    return fg.atom_str(pretty=False)
