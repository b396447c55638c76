"""Markdown to sanitised HTML for pages, and to plain text for calendars and mail."""

import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h2", "h3",
    "h4", "hr", "table", "thead", "tbody", "tr", "th", "td",
}


def markdown_to_html(text: str | None) -> Markup:
    """Render Markdown and keep only harmless tags; links get rel=noopener."""
    html = _md.render(text or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 — sanitised by nh3 just above


def markdown_to_text(text: str | None) -> str:
    """Plain text for iCalendar DESCRIPTION and text mail: tags dropped, spacing kept tidy."""
    html = _md.render(text or "")
    html = re.sub(r"</(p|li|h\d|blockquote|pre|tr)>", "\n", html)
    plain = nh3.clean(html, tags=set())
    plain = (
        plain.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
        .replace("&quot;", '"').replace("&#39;", "'")
    )
    return re.sub(r"\n{3,}", "\n\n", plain).strip()


_CONTROL_OR_SPACE = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(value: str | None) -> str:
    """A one-line field (a name, a title, a company): every run of line breaks, tabs, other
    control characters and spaces becomes one space; no leading or trailing space."""
    if not value:
        return ""
    return _CONTROL_OR_SPACE.sub(" ", str(value)).strip()
