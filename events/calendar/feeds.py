"""iCalendar over HTTP: downloads and feeds, text/calendar, strong ETag + Last-Modified (a 304
never builds the calendar), gzip when the client asks for it.

A feed's fingerprint (one aggregate query) is remembered in-process under the change counter
(events.calendar.cache): while the counter is unchanged, a 304 or a cached body costs one
primary-key read, in every process at once. A body is assembled from stored VEVENTs
(events.calendar.store): only events whose stored bytes are not current are serialised.
Public and partner feeds show a series as one master VEVENT with RRULE, EXDATE and
overrides (events.calendar.recurring, which also says why private feeds do not)."""

import gzip
import hashlib
import time
from datetime import UTC, datetime

from flask import Blueprint, Response, abort, current_app, request
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from events.auth.permissions import audiences_for, can_view_event
from events.calendar import cache, ical, recurring, store
from events.calendar.queries import (
    FEED_AUDIENCES,
    FeedSelection,
    Window,
    attendance_of,
    feed_events,
    feed_index,
    fingerprint,
    get_event_for_download,
    partner_selection,
    personal_selection,
    public_selection,
    stored_bodies,
    zone_spans,
)
from events.calendar.store import site
from events.calendar.tokens import owner_of
from events.db import utcnow
from events.enums import Audience, Category, EventStatus, label
from events.extensions import db
from events.i18n import translated_words
from events.ops.metrics import feed_built
from events.partners.queries import partner_by_slug
from events.text import one_line

bp = Blueprint("calendar", __name__)

CONTENT_TYPE = "text/calendar; charset=utf-8"
# Clients' cached copies are revalidated when the shape of the output changes.
FORMAT_VERSION = (store.FORMAT_VERSION, recurring.FORMAT)
GZIP_MIN_BYTES = 1024


def current_window() -> Window:
    return Window(now=utcnow(), past_days=current_app.config["FEED_PAST_DAYS"],
                  cancelled_days=current_app.config["FEED_CANCELLED_DAYS"])


def wants_gzip() -> bool:
    return "gzip" in request.accept_encodings and request.accept_encodings["gzip"] > 0


def make_etag(*parts, gzip_aware: bool = False) -> str:
    """A strong ETag of these parts; `-gz` marks the gzipped body (another representation)
    unless the caller adds it itself."""
    digest = hashlib.sha256(repr((FORMAT_VERSION, *parts)).encode()).hexdigest()[:40]
    return digest if gzip_aware else digest + ("-gz" if wants_gzip() else "")


def not_modified(etag: str, last_modified: datetime | None) -> bool:
    """RFC 9110 §13.2.2: If-None-Match decides when present (weak comparison, §13.1.2, so a
    proxy that marked our tag W/ still gets its 304), else If-Modified-Since."""
    if request.if_none_match:
        return request.if_none_match.contains_weak(etag)
    since = request.if_modified_since
    return bool(since and last_modified and last_modified <= since)


def feed_headers(etag: str, last_modified: datetime | None, private: bool) -> dict:
    headers = {
        "ETag": f'"{etag}"',
        "Cache-Control": "private, no-cache" if private else "public, max-age=300",
        "Vary": "Accept-Encoding, Accept-Language, Cookie",
    }
    if last_modified is not None:
        headers["Last-Modified"] = last_modified.astimezone(UTC).strftime(
            "%a, %d %b %Y %H:%M:%S GMT")
    return headers


def calendar_response(build, *, etag: str, last_modified: datetime | None, private: bool,
                      filename: str | None = None, reuse: bool = False) -> Response:
    """304 if the client's copy is current (without calling `build`), else the bytes.

    With `reuse`, the finished body (gzipped or not) is kept under its ETag, so that other
    clients asking for the same unchanged feed get it without building it again."""
    headers = feed_headers(etag, last_modified, private)
    if not_modified(etag, last_modified):
        return Response(status=304, headers=headers)
    body = cache.bodies.get(etag) if reuse else None
    if body is None:
        started = time.perf_counter()
        body = build()
        feed_built(time.perf_counter() - started, len(body))
        if wants_gzip() and len(body) >= GZIP_MIN_BYTES:
            body = gzip.compress(body, compresslevel=6, mtime=0)
        if reuse:
            cache.bodies.put(etag, body)
    if body[:2] == b"\x1f\x8b":  # gzip magic; a calendar starts with "BEGIN"
        headers["Content-Encoding"] = "gzip"
    if filename:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return Response(body, headers=headers, content_type=CONTENT_TYPE)


def _series_parts(groups: list, index: list, common: str) -> dict[int, bytes]:
    """{first event of a group: the master and its overrides}; a group that cannot be
    written exactly is left out (its dates stay plain). Made once per state of the group
    and remembered in memory; events are read in one go for every group not remembered."""
    stamps = {row.id: row.stamp for row in index}
    keyed = [(group, ("series", recurring.group_key(common, group, stamps)))
             for group in groups]
    known = {key: cache.vevents.get(key) for _, key in keyed}
    wanted = [i for group, key in keyed if known[key] is None for i in group.ids]
    events = {e.id: e for e in feed_events(ids=wanted)} if wanted else {}
    parts = {}
    for group, key in keyed:
        body = known[key]
        if body is None:
            body = recurring.series_vevents(group, events, **site(), label=label,
                                            words=translated_words()) or b""
            cache.vevents.put(key, body)
        if body:
            parts[group.ids[0]] = body
            parts.update((i, b"") for i in group.ids[1:])
    return parts


def assemble(selection: FeedSelection, *, language: str, name: str,
             description: str) -> bytes:
    """The feed's bytes: head, stored (or remembered) VEVENTs, the few serialised now.
    Public and partner feeds show each series as one recurring VEVENT (recurring.py);
    private feeds list the dates the person has, each on its own."""
    common = store.common_key(language)
    attendance = attendance_of(selection)
    grouped = selection.registrant_id is None
    index = feed_index(selection, language, bodies=False, series=grouped)
    series_parts = {}
    if grouped:
        groups = recurring.plan(row.candidate for row in index if row.candidate)
        series_parts = _series_parts(groups, index, common) if groups else {}
    plain = [row for row in index if row.id not in series_parts]
    parts: list[bytes | None] = []
    keys: list = []
    fresh: dict[int, bytes] = {}
    for row in plain:
        key = (store.state_hash(common, row), attendance.get(row.id))
        keys.append(key)
        parts.append(cache.vevents.get(key))
    stored_ok = [row.id for row, key, part in zip(plain, keys, parts, strict=True)
                 if part is None and key[1] is None and row.stored_hash == key[0]]
    if stored_ok:
        fresh = stored_bodies(stored_ok, language, whole=len(stored_ok) * 2 > len(plain),
                              selection=selection)
    missing = [row.id for row, part in zip(plain, parts, strict=True)
               if part is None and row.id not in fresh]
    made = {e.id: store.serialise(e, attendance.get(e.id, ical.NOT_REGISTERED))
            for e in (feed_events(ids=missing) if missing else [])}
    for i, row in enumerate(plain):
        if parts[i] is None:
            parts[i] = fresh.get(row.id) or made[row.id]
            cache.vevents.put(keys[i], parts[i])
        series_parts[row.id] = parts[i]
    head = ical.calendar_head(zone_spans(selection), name=name, description=description)
    return b"".join([head, *(series_parts[row.id] for row in index), ical.END])


def feed_response(make_selection, *, window: Window, name: str, description: str,
                  private: bool, key: tuple) -> Response:
    """A subscribable feed. Fingerprint, ETag and headers are remembered under the change
    counter, so an unchanged feed costs one primary-key read; the body is assembled only
    when it changed (and then kept by ETag for the next client)."""
    locale = str(get_locale())
    memo_key = (key, locale, name, description, window.past_days, window.cancelled_days,
                private, tuple(site().values()), current_app.config["SQLALCHEMY_DATABASE_URI"])
    version = cache.current_version(db.session)  # before the fingerprint: never newer
    selection = None
    memo = cache.remembered(memo_key, version, window.now)
    if memo is None:
        selection = make_selection()
        found = fingerprint(selection)
        etag = make_etag("feed", key, found.state, locale, name, description, site(),
                         gzip_aware=True)
        memo = cache.Memo(version, found, etag,
                          feed_headers(etag, found.last_modified, private))
        cache.remember(memo_key, memo)
    etag = memo.etag + ("-gz" if wants_gzip() else "")
    if not_modified(etag, memo.fingerprint.last_modified):
        headers = dict(memo.headers)
        headers["ETag"] = f'"{etag}"'
        return Response(status=304, headers=headers)

    def build() -> bytes:
        return assemble(selection or make_selection(), language=locale, name=name,
                        description=description)

    return calendar_response(build, etag=etag, last_modified=memo.fingerprint.last_modified,
                             private=private, reuse=True)


def _choice(arg: str, enum_cls, allowed=None):
    """A filter argument: absent → None; unknown or not allowed → 404 (never a 500)."""
    raw = request.args.get(arg)
    if raw is None or raw == "":
        return None
    try:
        value = enum_cls(raw)
    except ValueError:
        abort(404)
    if allowed is not None and value not in allowed:
        abort(404)
    return value


def _feed_language():
    """?lang= pins a subscribed feed's language (calendar clients send no cookies); without
    it, the site's language: what a calendar app fetches does not depend on who asks."""
    lang = request.args.get("lang")
    languages = current_app.config["LANGUAGES"]
    return lang if lang in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


@bp.get("/calendar.ics")
def public_feed():
    """Scheduled events for everyone (and recently cancelled ones); ?category=, ?audience=."""
    category = _choice("category", Category)
    audience = Audience.PUBLIC
    if request.args.get("audience"):  # who may see which audience: only when one is asked
        allowed = [a for a in FEED_AUDIENCES if a in audiences_for(current_user)]
        audience = _choice("audience", Audience, allowed) or Audience.PUBLIC
    with force_locale(_feed_language()):
        name = _("Joint Events")
        if category is not None:
            name = f"{name}: {label(category)}"
        window = current_window()
        return feed_response(
            lambda: public_selection(current_user, window, audience=audience,
                                     category=category),
            window=window, name=name, private=audience != Audience.PUBLIC,
            description=_("Events of the partners of the cooperation memorandum"),
            key=("public", category, audience))


@bp.get("/partners/<slug>/calendar.ics")
def partner_feed(slug: str):
    """Public events one partner hosts, co-hosts or supports."""
    partner = partner_by_slug(slug)
    if partner is None:
        abort(404)
    with force_locale(_feed_language()):
        window = current_window()
        return feed_response(
            lambda: partner_selection(current_user, partner, window), window=window,
            name=f"{_('Joint Events')}: {partner.short_name}",
            description=_("Public events %(partner)s takes part in",
                          partner=one_line(partner.name)),
            private=False, key=("partner", partner.id))


@bp.get("/feeds/<token>.ics")
def private_feed(token: str):
    """One person's feed, opened by the secret in the URL.

    GET writes nothing (not even last_used_at): feeds are polled often by clients, and a
    write per poll would serialise readers on SQLite and turn every poll into a commit."""
    user = owner_of(token)
    if user is None:
        abort(404)
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        window = current_window()
        return feed_response(
            lambda: personal_selection(user, window), window=window,
            name=_("Joint Events: my events"),
            description=_("Events %(name)s takes part in", name=one_line(user.name)),
            private=True, key=("personal", user.id, user.is_staff, user.partner_id))


@bp.get("/events/<int:event_id>.ics")
def event_download(event_id: int):
    """One event as a file ("add to calendar"), for whoever may see it."""
    event = get_event_for_download(event_id)
    if event is None or not can_view_event(current_user, event):
        abort(404)
    roles = tuple((i.partner_id, i.role, i.state, i.answered_at, i.partner.updated_at)
                  for i in event.involvements)
    # Renaming the room or a partner changes the file: both move the ETag and Last-Modified.
    changed = max([event.updated_at, *(i.partner.updated_at for i in event.involvements),
                   *([event.venue.updated_at] if event.venue else [])])
    etag = make_etag("event", event.id, event.updated_at, event.sequence, roles, changed,
                     str(get_locale()), site())
    words = translated_words()
    public = event.audience == Audience.PUBLIC and event.status in (
        EventStatus.SCHEDULED, EventStatus.CANCELLED)

    def build() -> bytes:
        return ical.event_ics(event, **site(), label=label, words=words)

    return calendar_response(build, etag=etag, last_modified=changed.replace(microsecond=0),
                             private=not public, filename=f"event-{event.id}.ics")
