"""Each event's VEVENT bytes, made once and kept where every worker and restart finds them.

A feed is the VEVENTs of its events between a VCALENDAR head and tail. Every VEVENT is
stored per language in `event_vevents` under the hash of what it was made from (the
event's stamp: updated_at, sequence, room and partners with their renames; the site and the
translated words). A feed reads the stamps and bytes in one query, serialises only the events
whose stored hash does not match (in-process memory keeps those too), and never writes: the
rows are written in the transaction that changes an event (see events.calendar.cache) or by
`refresh()` for many at once (`flask calendar-refresh`)."""

import hashlib
from collections.abc import Iterable

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale

from events.calendar import ical
from events.calendar.models import StoredVEvent
from events.calendar.queries import IndexRow, feed_events, feed_index
from events.db import utcnow
from events.enums import Category, InvolvementRole, label
from events.extensions import db
from events.i18n import translated_words

# Bump when the shape of the output changes: every stored VEVENT is then made anew.
FORMAT_VERSION = "2"
_common: dict[tuple, str] = {}


def site() -> dict[str, str]:
    from events.mail import site_root

    return {"site_url": site_root(),
            "domain": current_app.config["SITE_DOMAIN"]}


def common_key(language: str) -> str:
    """Everything a VEVENT depends on besides the event, for the current language."""
    where = (language, *site().values())
    known = _common.get(where)
    if known is None:
        words = sorted(translated_words().items())
        labels = [label(m) for m in (*Category, *InvolvementRole)]
        known = hashlib.sha1(  # noqa: S324 — a cache key, not security
            repr((FORMAT_VERSION, where, words, labels)).encode()).hexdigest()
        _common[where] = known
    return known


def state_hash(common: str, row: IndexRow) -> str:
    return hashlib.sha1(  # noqa: S324 — a cache key, not security
        f"{common}|{row.id}|{row.stamp!r}".encode()).hexdigest()


def serialise(event, attendance: ical.Attendance = ical.NOT_REGISTERED) -> bytes:
    """One event's VEVENT bytes in the current language."""
    return ical.vevent(event, **site(), label=label, words=translated_words(),
                       attendance=attendance).to_ical()


def languages() -> list[str]:
    return list(current_app.config["LANGUAGES"])


def events_of(renamed: set[tuple[str, int]]) -> set[int]:
    """Events whose VEVENT shows one of these renamed rooms or partners."""
    from events.planning.models import Event, Involvement

    venues = [i for table, i in renamed if table == "venues"]
    partners = [i for table, i in renamed if table == "partners"]
    ids: set[int] = set()
    if venues:
        ids |= set(db.session.scalars(sa.select(Event.id).where(Event.venue_id.in_(venues))))
    if partners:
        ids |= set(db.session.scalars(sa.select(Involvement.event_id).where(
            Involvement.partner_id.in_(partners))))
    return ids


def refresh(event_ids: Iterable[int], *, connection=None) -> int:
    """Make the stored VEVENTs of these events (but drafts) current in every language; how
    many were written. Runs inside the caller's transaction (`connection`: the session's)."""
    ids = sorted({i for i in event_ids if i is not None})
    if not ids:
        return 0
    # Drafts are only in their partner's staff feeds, and change again before anyone else
    # sees them: memory serves them; bulk imports (all drafts) store nothing.
    from events.enums import EventStatus
    from events.planning.models import Event

    published = set()
    for chunk in range(0, len(ids), 500):
        published |= set(db.session.scalars(sa.select(Event.id).where(
            Event.id.in_(ids[chunk:chunk + 500]), Event.status != EventStatus.DRAFT)))
    ids = sorted(published)
    connection = connection or db.session.connection()
    written = 0
    for language in languages():
        with force_locale(language):
            common = common_key(language)
            rows = []
            for chunk in range(0, len(ids), 500):
                rows += feed_index(None, language, bodies=False, ids=ids[chunk:chunk + 500])
            stale = {r.id: state_hash(common, r) for r in rows
                     if r.stored_hash != state_hash(common, r)}
            if not stale:
                continue
            now = utcnow()
            stale_ids = list(stale)
            for chunk in range(0, len(stale_ids), 500):
                part = stale_ids[chunk:chunk + 500]
                events = feed_events(ids=part)
                connection.execute(sa.delete(StoredVEvent).where(
                    StoredVEvent.event_id.in_(part), StoredVEvent.language == language))
                connection.execute(sa.insert(StoredVEvent), [
                    {"event_id": e.id, "language": language, "state_hash": stale[e.id],
                     "body": serialise(e), "written_at": now} for e in events])
                written += len(events)
    return written
