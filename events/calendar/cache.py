"""In-process memory for feeds, so serving them costs less than serialising them.

Three layers, each keyed by everything its bytes depend on (so they are never wrong, only
absent):
- VEVENT bytes, per event state: a feed in which one event changed re-serialises one event;
- whole bodies by ETag (bounded in bytes): many subscribers of an unchanged feed share one;
- feed fingerprints (the one aggregate query behind ETag/304) for a few seconds: a 304 then
  needs no query at all. Any commit in this process that touched the calendar's tables
  forgets them at once; another process's changes are seen within FEED_FINGERPRINT_SECONDS
  (default 30 s; feeds advertise a refresh interval of an hour).
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

import sqlalchemy as sa
from sqlalchemy.orm import Session

WATCHED_TABLES = {"events", "involvements", "registrations", "partners", "venues",
                  "feed_tokens", "users"}


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


# Shared by every feed in the same language: an event's VEVENT is the same in all of them.
vevents = LRU(max_entries=30_000)
bodies = LRU(max_entries=32, max_bytes=48_000_000)
_fingerprints: dict[Hashable, tuple[float, object]] = {}
_lock = threading.Lock()


def cached_vevent(key: Hashable, build: Callable[[], bytes]) -> bytes:
    data = vevents.get(key)
    if data is None:
        data = build()
        vevents.put(key, data)
    return data


def recent_fingerprint(key: Hashable, max_age: float):
    """The fingerprint computed for `key` less than `max_age` seconds ago, or None."""
    if max_age <= 0:
        return None
    with _lock:
        hit = _fingerprints.get(key)
    if hit is None or time.monotonic() - hit[0] > max_age:
        return None
    return hit[1]


def remember_fingerprint(key: Hashable, value) -> None:
    with _lock:
        if len(_fingerprints) > 10_000:
            _fingerprints.clear()
        _fingerprints[key] = (time.monotonic(), value)


def forget_fingerprints() -> None:
    with _lock:
        _fingerprints.clear()


# ---- forgetting on commit -----------------------------------------------------------------

@sa.event.listens_for(Session, "after_flush")
def _note_flush(session, _context) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if getattr(obj, "__tablename__", None) in WATCHED_TABLES:
            session.info["calendar_changed"] = True
            return


@sa.event.listens_for(Session, "do_orm_execute")
def _note_bulk(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info["calendar_changed"] = True


@sa.event.listens_for(Session, "after_commit")
def _forget_on_commit(session) -> None:
    if session.info.pop("calendar_changed", False):
        forget_fingerprints()


@sa.event.listens_for(Session, "after_rollback")
def _reset_on_rollback(session) -> None:
    session.info.pop("calendar_changed", None)
