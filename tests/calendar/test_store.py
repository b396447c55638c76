"""Stored VEVENTs and the change counter: written by the transaction that changes an event,
used by every process at once, never stale, and a GET writes nothing."""

import sqlalchemy as sa

from events.calendar import cache, store
from events.calendar.models import CalendarState, StoredVEvent
from events.enums import EventStatus
from events.extensions import db
from tests.calendar.conftest import by_uid, parse_feed
from tests.factories import make_event, make_venue


def stored(event_id):
    db.session.expire_all()
    return {row.language: row for row in db.session.scalars(
        sa.select(StoredVEvent).where(StoredVEvent.event_id == event_id))}


def version() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(CalendarState.version)) or 0


def test_a_commit_stores_the_events_vevent_in_every_language(app, lead, commit):
    event = make_event(lead, title="Stored")
    draft = make_event(lead, status=EventStatus.DRAFT)
    commit()
    rows = stored(event.id)
    assert set(rows) == set(app.config["LANGUAGES"])
    assert b"SUMMARY:Stored" in rows["en"].body
    assert stored(draft.id) == {}  # drafts are served from memory
    before = rows["en"].state_hash
    event.title = "Changed"
    commit()
    after = stored(event.id)["en"]
    assert after.state_hash != before
    assert b"SUMMARY:Changed" in after.body


def test_feeds_serve_stored_bytes_without_serialising(client, lead, commit, monkeypatch):
    make_event(lead, title="From the table")
    commit()
    cache.forget()  # a fresh process

    def refuse(*_args, **_kwargs):
        raise AssertionError("serialised although stored")

    monkeypatch.setattr(store, "serialise", refuse)
    assert b"SUMMARY:From the table" in client.get("/calendar.ics").data


def test_a_stale_stored_row_is_never_served(client, lead, commit):
    from events.planning.models import Event

    event = make_event(lead, title="Fresh title")
    commit()
    old_hash = stored(event.id)["en"].state_hash
    # A bulk write bypasses the per-object hooks: the stored row keeps the old stamp's hash.
    db.session.execute(sa.update(Event).where(Event.id == event.id).values(title_en="Bulk title"))
    commit()
    assert stored(event.id)["en"].state_hash == old_hash
    cache.forget()  # a fresh process
    item = by_uid(parse_feed(client.get("/calendar.ics")), event)
    assert str(item["SUMMARY"]) == "Bulk title"


def test_renaming_a_room_refreshes_the_stored_vevents(lead, commit):
    venue = make_venue(lead, name="Old hall")
    event = make_event(lead, venue=venue)
    commit()
    venue.name = "New hall"
    commit()
    assert b"LOCATION:New hall" in stored(event.id)["en"].body


def test_every_change_bumps_the_counter_and_a_get_does_not(client, lead, commit):
    event = make_event(lead)
    commit()
    first = version()
    client.get("/calendar.ics")
    client.get(f"/events/{event.id}.ics")
    assert version() == first
    event.title = "Bumped"
    commit()
    assert version() == first + 1


def test_another_process_sees_a_change_at_once(make_app, lead, commit):
    """Two apps on one database stand for two workers: no 30-second window any more."""
    make_event(lead, title="Before")
    commit()
    worker_a, worker_b = make_app().test_client(), make_app().test_client()
    etag = worker_a.get("/calendar.ics").headers["ETag"]
    assert worker_b.get("/calendar.ics", headers={"If-None-Match": etag}).status_code == 304
    writer = make_app()
    with writer.app_context():
        from events.planning.models import Event

        event = db.session.scalar(sa.select(Event))
        event.title = "After"
        db.session.commit()
    for worker in (worker_a, worker_b):
        again = worker.get("/calendar.ics", headers={"If-None-Match": etag})
        assert again.status_code == 200
        assert b"SUMMARY:After" in again.data


def test_cli_stores_every_published_event(app, lead, commit, runner):
    event = make_event(lead)
    commit()
    db.session.execute(sa.delete(StoredVEvent))
    commit()
    result = runner.invoke(args=["calendar-refresh"])
    assert result.exit_code == 0, result.output
    assert "stored 2 VEVENTs" in result.output
    assert set(stored(event.id)) == set(app.config["LANGUAGES"])


def test_a_counter_that_went_back_is_not_mistaken_for_the_old_one(client, lead, commit):
    """A restored backup can bring the counter back to a number a worker remembers: the
    moment of the bump tells them apart."""
    event = make_event(lead, title="Before")
    commit()
    remembered = version()
    etag = client.get("/calendar.ics").headers["ETag"]
    event.title = "After"
    db.session.execute(sa.update(CalendarState).values(version=remembered - 1))
    commit()  # bumps it back to the remembered number
    assert version() == remembered
    again = client.get("/calendar.ics", headers={"If-None-Match": etag})
    assert again.status_code == 200
    assert b"SUMMARY:After" in again.data
