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


def _inline_text(token) -> str:
    """An inline token's children as text; a link keeps its address: `text [https://…]`."""
    out: list[str] = []
    href = None
    link_start = 0
    for child in token.children or []:
        kind = child.type
        if kind in ("text", "code_inline"):
            out.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            out.append("\n")
        elif kind == "image":
            out.append(child.content or "")
        elif kind == "link_open":
            href, link_start = child.attrs.get("href", ""), len(out)
        elif kind == "link_close":
            text = "".join(out[link_start:])
            shown = href.removeprefix("mailto:") if href else ""
            if shown and shown != text.strip():
                out.append(f" [{shown}]")
            href = None
    return "".join(out)


def markdown_to_text(text: str | None) -> str:
    """Plain text for iCalendar DESCRIPTION and text mail: paragraphs apart, list items as
    `- item` / `1. item` (nested ones indented), links as `text [https://…]`, table rows with
    cells between `|`."""
    blocks: list[tuple[str | None, bool]] = []
    lists: list[list] = []  # per open list: [ordered?, next number]
    prefix = ""
    row: list[str] | None = None
    for token in _md.parse(text or ""):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            start = int(token.attrs.get("start", 1) or 1)
            lists.append([kind == "ordered_list_open", start])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            if not lists:
                blocks.append((None, False))  # the next list or paragraph starts apart
        elif kind == "list_item_open":
            ordered, number = lists[-1]
            prefix = "  " * (len(lists) - 1) + (f"{number}. " if ordered else "- ")
            lists[-1][1] += 1
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close":
            blocks.append((" | ".join(row or []), True))
            row = None
        elif kind == "inline":
            content = _inline_text(token)
            if row is not None:
                row.append(content.strip())
            elif prefix:
                indent = " " * len(prefix)
                blocks.append((prefix + content.replace("\n", "\n" + indent), True))
                prefix = ""
            else:
                blocks.append((content, bool(lists)))
        elif kind in ("fence", "code_block"):
            blocks.append((token.content.rstrip("\n"), bool(lists)))
        elif kind == "table_close":
            blocks.append((None, False))
        elif kind == "hr":
            blocks.append(("---", False))
    # Items of one list or table sit on consecutive lines; other blocks a blank line apart.
    out = ""
    tight_before = False
    for content, tight in blocks:
        if content is None:
            tight_before = False
            continue
        if out:
            out += "\n" if (tight and tight_before) else "\n\n"
        out += content
        tight_before = tight
    return re.sub(r"\n{3,}", "\n\n", out).strip()


_CONTROL_OR_SPACE = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def one_line(value: str | None) -> str:
    """A one-line field (a name, a title, a company): every run of line breaks, tabs, other
    control characters and spaces becomes one space; no leading or trailing space."""
    if not value:
        return ""
    return _CONTROL_OR_SPACE.sub(" ", str(value)).strip()
