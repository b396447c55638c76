"""Atom feeds of the anonymous agenda (site, partner, programme, category), the embeddable
agenda widget, and what event pages carry for search engines and link previews."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from markupsafe import escape

from events.auth.permissions import can_copy_embed_snippet
from events.calendar import cache
from events.calendar.feeds import feed_headers, make_etag, not_modified
from events.calendar.store import site
from events.contrast import HEX, TEXT_CONTRAST, contrast, text_on
from events.db import utcnow
from events.enums import Category, label
from events.extensions import db
from events.i18n import event_when
from events.mail import absolute_url
from events.partners.origins import origin_list
from events.partners.queries import all_partners, partner_by_slug
from events.planning.queries import EventFilters
from events.publishing import atom, jsonld
from events.publishing.queries import (
    changes_since_published,
    is_public,
    programme_by_id,
    public_upcoming,
    taking_part,
)
from events.registrations.queries import confirmed_counts
from events.security import csp_framed_by
from events.text import one_line

bp = Blueprint("publishing", __name__)

ATOM_LIMIT = 100
EMBED_LIMIT = 20
EMPTY_FEED_UPDATED = datetime(2026, 1, 1, tzinfo=UTC)
SUMMARY_MAX = 500
SAFE_SLUG = re.compile(r"^[a-z0-9-]+$")


# ---- shared by the pages ------------------------------------------------------------------

def _language() -> str:
    """?lang= picks the language (feed readers and framing sites send no cookies)."""
    lang = request.args.get("lang")
    return lang if lang in current_app.config["LANGUAGES"] else str(get_locale())


def _category(raw: str | None) -> Category | None:
    if not raw:
        return None
    try:
        return Category(raw)
    except ValueError:
        abort(404)


def _where(event) -> str:
    parts = []
    if event.venue is not None and event.format.value != "online":
        parts.append(event.venue.label)
    if event.format.value != "in_person":
        parts.append(label(event.format))
    return " · ".join(parts)


def event_head(event) -> dict | None:
    """JSON-LD and Open Graph for an event page that anyone may see (None otherwise)."""
    if not is_public(event):
        return None
    url = absolute_url("planning.detail", event_id=event.id)
    changes = changes_since_published(event)
    facts = jsonld.Published(
        url=url, partners=taking_part(event),
        partner_url=lambda p: absolute_url("partners.detail", slug=p.slug),
        confirmed=confirmed_counts([event.id]).get(event.id, 0),
        now=datetime.now(UTC), earlier_starts=changes.get("starts_at", ()),
        earlier_formats=changes.get("format", ()))
    return {"json": jsonld.script_json(jsonld.event_data(event, facts)),
            "og": jsonld.open_graph(event, url=url, language=str(get_locale()),
                                    site_name=_("Joint Events"))}


@bp.record_once
def _template_globals(state) -> None:
    state.app.jinja_env.globals.update(
        publishing_event_head=event_head, can_copy_embed_snippet=can_copy_embed_snippet,
        embed_snippet=embed_snippet)


# ---- Atom ----------------------------------------------------------------------------------

def _state(events) -> tuple:
    """Everything an entry shows that can change without the event's own row changing."""
    return tuple(
        (e.id, e.updated_at, e.sequence, e.venue.updated_at if e.venue else None,
         tuple((i.partner_id, i.role, i.state, i.partner.updated_at) for i in e.involvements))
        for e in events)


def _last_change(events) -> datetime | None:
    times = [t for e in events for t in (
        e.updated_at, *(i.partner.updated_at for i in e.involvements),
        *([e.venue.updated_at] if e.venue else []))]
    return max(times).replace(microsecond=0) if times else None


def _entry(event) -> atom.Entry:
    summary = one_line(event.summary)
    return atom.Entry(
        event=event, url=absolute_url("planning.detail", event_id=event.id),
        when=event_when(event), where=_where(event), summary=summary[:SUMMARY_MAX],
        partners=[(p.local_name, absolute_url("partners.detail", slug=p.slug))
                  for p in taking_part(event)],
        category=label(event.category))


@dataclass(frozen=True)
class Fingerprint:
    """What a remembered feed state needs (events.calendar.cache.remembered reads
    `valid_until`): its Last-Modified, and when the first listed event ends and leaves it."""

    last_modified: datetime | None
    valid_until: datetime | None


def atom_response(filters: EventFilters, *, key: tuple, endpoint: str, values: dict,
                  page_url: str, title: str, subtitle: str) -> Response:
    """The feed, or 304 when the reader's copy is current. As for the iCalendar feeds, the
    ETag is remembered under the change counter: while nothing changed and no listed event
    has ended, a 304 costs one primary-key read and no event is loaded."""
    language = _language()
    memo_key = ("atom", key, language, title, subtitle, tuple(site().values()),
                current_app.config["SQLALCHEMY_DATABASE_URI"])
    version = cache.current_version(db.session)  # before the events: never newer than them
    events = None
    memo = cache.remembered(memo_key, version, utcnow())
    if memo is None:
        events = public_upcoming(filters, ATOM_LIMIT)
        found = Fingerprint(_last_change(events),
                            min((e.ends_at for e in events), default=None))
        etag = make_etag("atom", key, _state(events), language, title, subtitle, site(),
                         gzip_aware=True)
        memo = cache.Memo(version, found, etag, feed_headers(etag, found.last_modified,
                                                             private=False))
        cache.remember(memo_key, memo)
    if not_modified(memo.etag, memo.fingerprint.last_modified):
        return Response(status=304, headers=memo.headers)
    with force_locale(language):
        if events is None:
            events = public_upcoming(filters, ATOM_LIMIT)
        site_name = _("Joint Events")
        info = atom.FeedInfo(
            self_url=absolute_url(endpoint, **values, lang=language), page_url=page_url,
            title=f"{site_name}: {title}" if title != site_name else title,
            subtitle=subtitle, language=language,
            updated=_last_change(events) or EMPTY_FEED_UPDATED, site_name=site_name)
        body = atom.feed_bytes(info, [_entry(e) for e in events],
                               cancelled_word=_("Cancelled"), title_of=lambda e: e.title)
    return Response(body, headers=memo.headers, content_type=atom.CONTENT_TYPE)


@bp.get("/events.atom")
def site_atom():
    """Upcoming public events of every partner, as Atom."""
    with force_locale(_language()):
        return atom_response(
            EventFilters(), key=("site",), endpoint="publishing.site_atom", values={},
            page_url=absolute_url("planning.index"), title=_("Joint Events"),
            subtitle=_("Events of the partners of the cooperation memorandum"))


@bp.get("/partners/<slug>/events.atom")
def partner_atom(slug: str):
    """Upcoming public events one partner hosts, co-hosts or supports, as Atom."""
    partner = partner_by_slug(slug) or abort(404)
    with force_locale(_language()):
        return atom_response(
            EventFilters(partner=partner), key=("partner", partner.id),
            endpoint="publishing.partner_atom", values={"slug": slug},
            page_url=absolute_url("partners.detail", slug=slug), title=partner.local_short_name,
            subtitle=_("Public events %(partner)s takes part in",
                       partner=one_line(partner.local_name)))


@bp.get("/programmes/<int:programme_id>/events.atom")
def programme_atom(programme_id: int):
    """Upcoming public events of an action programme, as Atom."""
    programme = programme_by_id(programme_id) or abort(404)
    return atom_response(
        EventFilters(programme=programme), key=("programme", programme.id),
        endpoint="publishing.programme_atom", values={"programme_id": programme.id},
        page_url=absolute_url("planning.index"), title=one_line(programme.title),
        subtitle=one_line(programme.title))


@bp.get("/categories/<category>/events.atom")
def category_atom(category: str):
    """Upcoming public events of one category (workshops, seminars…), as Atom."""
    chosen = _category(category)
    with force_locale(_language()):
        return atom_response(
            EventFilters(category=chosen), key=("category", str(chosen)),
            endpoint="publishing.category_atom", values={"category": category},
            page_url=absolute_url("planning.index", category=category),
            title=label(chosen), subtitle=label(chosen))


# ---- the widget ----------------------------------------------------------------------------

def embed_snippet(endpoint: str, title: str, **values) -> str:
    """The HTML a partner's webmaster pastes: an iframe of the widget."""
    src = escape(absolute_url(endpoint, **values))
    return (f'<iframe src="{src}" title="{escape(one_line(title))}" width="100%" height="600" '
            f'loading="lazy"></iframe>')


def _theme(candidates, chosen_slug: str | None):
    """Whose colours the widget wears: ?partner= among the candidates, else the first."""
    if chosen_slug:
        for partner in candidates:
            if partner.slug == chosen_slug:
                return partner
        abort(404)
    return candidates[0] if candidates else None


def embed_page(filters: EventFilters, *, heading: str, owners, theme,
               more_url: str) -> Response:
    """The widget: upcoming public events, links opening the event page in a new tab; framed
    only by the websites its partners' admins listed."""
    language = _language()
    with force_locale(language):
        events = public_upcoming(filters, EMBED_LIMIT)
        html = render_template(
            "publishing/embed.html", events=events, heading=heading, theme=theme,
            language=language, more_url=more_url,
            event_url=lambda e: absolute_url("planning.detail", event_id=e.id))
    origins = sorted({o for partner in owners for o in origin_list(partner.embed_origins)})
    response = Response(html, content_type="text/html; charset=utf-8")
    response.headers["Content-Security-Policy"] = csp_framed_by(origins)
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


@bp.get("/embed/partners/<slug>")
def embed_partner(slug: str):
    """A partner's upcoming public events for its own website (?category=, ?lang=)."""
    partner = partner_by_slug(slug) or abort(404)
    category = _category(request.args.get("category"))
    with force_locale(_language()):
        heading = _("Events with %(partner)s", partner=partner.local_short_name)
        if category is not None:
            heading = f"{heading}: {label(category)}"
    return embed_page(EventFilters(partner=partner, category=category), heading=heading,
                      owners=[partner], theme=partner,
                      more_url=absolute_url("partners.detail", slug=slug))


@bp.get("/embed/programmes/<int:programme_id>")
def embed_programme(programme_id: int):
    """A programme's upcoming public events, framed by its partners' websites (?partner= picks
    whose colours)."""
    programme = programme_by_id(programme_id) or abort(404)
    theme = _theme(programme.partners, request.args.get("partner"))
    return embed_page(EventFilters(programme=programme), heading=one_line(programme.title),
                      owners=programme.partners, theme=theme,
                      more_url=absolute_url("planning.index"))


@bp.get("/embed/categories/<category>")
def embed_category(category: str):
    """One category's upcoming public events: every partner's listed websites may frame it;
    ?partner= narrows it to that partner's events, colours and websites."""
    chosen = _category(category)
    partners = all_partners()
    partner = _theme(partners, request.args.get("partner")) if request.args.get(
        "partner") else None
    with force_locale(_language()):
        heading = label(chosen)
    return embed_page(EventFilters(category=chosen, partner=partner), heading=heading,
                      owners=[partner] if partner else partners, theme=partner,
                      more_url=absolute_url("planning.index", category=category))


def _colours(partner) -> str:
    """The custom properties of one partner's widget: background, text, links, heading band."""
    background = partner.embed_background if HEX.match(partner.embed_background or "") \
        else "#ffffff"
    text = text_on(background)
    accent = partner.embed_accent if HEX.match(partner.embed_accent or "") else partner.color
    if not HEX.match(accent or "") or contrast(accent, background) < TEXT_CONTRAST:
        accent = text
    band = partner.color if HEX.match(partner.color or "") else "#336699"
    return (f".embed-{partner.slug}{{--embed-bg:{background};--embed-text:{text};"
            f"--embed-link:{accent};--embed-band:{band};--embed-band-text:{text_on(band)}}}\n")


@bp.get("/embed/colours.css")
def embed_stylesheet():
    """Each partner's widget colours as a class, so the widget needs no inline styles."""
    css = "".join(_colours(p) for p in all_partners() if SAFE_SLUG.match(p.slug))
    response = current_app.response_class(css, mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response

