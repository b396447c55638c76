"""What keeps feeds cheap, and exact across processes.

- The change counter (`calendar_state.version`): every transaction that changes anything a
  feed may show bumps it just before it commits (session hooks below), so a process decides
  ETag/304 with one primary-key read: a remembered fingerprint is used only while the
  counter is what it was and no event has left the feed's window by time since.
- Stored VEVENTs (events.calendar.store): the same hook writes the VEVENTs of the events
  the transaction changed, in every language, in that transaction. Room and partner renames
  touch many events: up to REFRESH_IN_TRANSACTION are refreshed in the same transaction.
- In-process memory: VEVENT bytes by state hash, and whole bodies by ETag (bounded in bytes),
  so many subscribers of an unchanged feed share one.
"""

import logging
import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import has_app_context
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

WATCHED_TABLES = {"events", "involvements", "registrations", "partners", "venues",
                  "feed_tokens", "users"}
# Up to this many changed events are re-serialised inside the committing transaction (an
# import batch is smaller); beyond it feeds serialise them in memory until refreshed.
REFRESH_IN_TRANSACTION = 500


class LRU:
    """A small thread-safe LRU bounded by entry count and by total size."""

    def __init__(self, max_entries: int, max_bytes: int | None = None):
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._data: OrderedDict = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable):
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: Hashable, value) -> None:
        size = len(value) if self.max_bytes is not None else 0
        if self.max_bytes is not None and size > self.max_bytes:
            return
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None and self.max_bytes is not None:
                self._bytes -= len(old)
            self._data[key] = value
            self._bytes += size
            while len(self._data) > self.max_entries or (
                    self.max_bytes is not None and self._bytes > self.max_bytes):
                _, dropped = self._data.popitem(last=False)
                if self.max_bytes is not None:
                    self._bytes -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._data)


vevents = LRU(max_entries=60_000)
bodies = LRU(max_entries=32, max_bytes=48_000_000)


@dataclass(frozen=True)
class Memo:
    version: tuple
    fingerprint: object
    etag: str = ""
    headers: dict | None = None


_memos: dict[Hashable, Memo] = {}
_memo_lock = threading.Lock()


def remembered(key: Hashable, version: tuple, now) -> Memo | None:
    """What was computed for `key` at this counter version (fingerprint, ETag, headers),
    unless time moved an event out of the feed since."""
    with _memo_lock:
        memo = _memos.get(key)
    if memo is None or memo.version != version:
        return None
    until = memo.fingerprint.valid_until
    if until is not None and now >= until:
        return None
    return memo


def remember(key: Hashable, memo: Memo) -> None:
    with _memo_lock:
        if len(_memos) > 10_000:
            _memos.clear()
        _memos[key] = memo


def forget() -> None:
    """Drop every in-process memory (tests; nothing needs it for correctness)."""
    with _memo_lock:
        _memos.clear()
    vevents.clear()
    bodies.clear()


_VERSION_SQL = "SELECT version, changed_at FROM calendar_state WHERE id = 1"


def current_version(session) -> tuple:
    """The change counter with the moment of its last bump: one primary-key read in plain
    SQL, the only query of a 304. The moment makes it unique even if the counter went back
    (a restored backup, a truncated table), so a remembered fingerprint is never mistaken
    for a current one. (Reading it on a separate autocommit connection was measured no
    faster on PostgreSQL.)"""
    row = session.connection().exec_driver_sql(_VERSION_SQL).first()
    return (0, None) if row is None else (row[0], str(row[1]))


# ---- noting changes as they are flushed, and bumping the counter before the commit ---------

def _note(session, obj) -> None:
    table = getattr(obj, "__tablename__", None)
    if table not in WATCHED_TABLES:
        return
    session.info["calendar_changed"] = True
    if table == "events":
        session.info.setdefault("calendar_events", set()).add(obj.id)
    elif table == "involvements":
        session.info.setdefault("calendar_events", set()).add(obj.event_id)
    elif table in ("partners", "venues") and obj in session.dirty:
        session.info.setdefault("calendar_renamed", set()).add((table, obj.id))


@sa.event.listens_for(Session, "after_flush")
def _note_flush(session, _context) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        _note(session, obj)


@sa.event.listens_for(Session, "do_orm_execute")
def _note_bulk(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info["calendar_changed"] = True


@sa.event.listens_for(Session, "before_commit")
def _bump_before_commit(session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint: the outermost commit bumps and refreshes once
    if not session.info.get("calendar_changed") and not (
            session.new or session.dirty or session.deleted):
        return
    session.flush()
    if not session.info.pop("calendar_changed", False):
        return
    from events.calendar.models import CalendarState
    from events.db import utcnow

    changed = session.info.pop("calendar_events", set())
    connection = session.connection()
    bumped = connection.execute(
        sa.update(CalendarState).where(CalendarState.id == 1)
        .values(version=CalendarState.version + 1, changed_at=utcnow()))
    if not bumped.rowcount:
        # No row yet (a database emptied by hand): two first writers may both get here, so
        # the insert of one becomes the other's bump instead of a unique-key error.
        now = utcnow()
        insert = (pg_insert if connection.dialect.name == "postgresql" else sqlite_insert)
        connection.execute(
            insert(CalendarState).values(id=1, version=1, changed_at=now)
            .on_conflict_do_update(index_elements=["id"], set_={
                "version": CalendarState.version + 1, "changed_at": now}))
    if not has_app_context():
        return
    from events.calendar import store

    renamed = session.info.pop("calendar_renamed", set())
    if renamed:
        changed |= store.events_of(renamed)
    if len(changed) <= REFRESH_IN_TRANSACTION:
        store.refresh(changed, connection=connection)
    else:
        # Too many for this request: feeds serialise them in memory until
        # `flask calendar-refresh` (or the next change of each) stores them again.
        log.info("calendar: %d VEVENTs left to refresh", len(changed))


@sa.event.listens_for(Session, "after_rollback")
def _reset_on_rollback(session) -> None:
    for name in ("calendar_changed", "calendar_events", "calendar_renamed"):
        session.info.pop(name, None)
