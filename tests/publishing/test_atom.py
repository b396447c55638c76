"""Atom feeds of the anonymous agenda: read back with feedparser and checked against the
database; the same visibility as the agenda; conditional requests; constant query count."""

from datetime import timedelta

import feedparser
import pytest

from events.db import utcnow
from events.enums import Audience, Category, EventFormat, EventStatus, InvolvementState, Role
from events.extensions import db
from events.partners.models import Partner
from events.planning.models import Event
from tests.conftest import login
from tests.factories import make_event, make_involvement, make_partner, make_user, make_venue
from tests.publishing.conftest import atom_alternates


def feed(client, path, **headers):
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.data
    assert response.content_type == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.version == "atom10"
    return parsed, response


def ids_of(parsed) -> list[int]:
    return [int(entry.link.rsplit("/", 1)[1]) for entry in parsed.entries]


@pytest.fixture
def agenda(app):
    """One event of each kind the anonymous agenda shows or hides."""
    host, other = make_partner(name="Technopolis Moscow"), make_partner(name="Northern")
    now = utcnow().replace(microsecond=0)
    shown = make_event(lead=host, title="Biotech breakfast", summary="Coffee & talks",
                       published_at=now - timedelta(days=1), venue=make_venue(host),
                       starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=2, hours=2))
    make_involvement(shown, other)
    make_involvement(shown, make_partner(name="Declined partner"),
                     state=InvolvementState.DECLINED)
    cancelled = make_event(lead=other, title="Patent clinic", status=EventStatus.CANCELLED,
                           starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1,
                                                                                      hours=1))
    hidden = [
        make_event(lead=host, title="Closed circle of residents", audience=Audience.RESIDENTS),
        make_event(lead=host, title="Partners staff meeting", audience=Audience.INTERNAL),
        make_event(lead=host, title="Unfinished draft", status=EventStatus.DRAFT),
        make_event(lead=host, title="Proposal under discussion", status=EventStatus.PROPOSED),
        make_event(lead=host, title="Already over", starts_at=now - timedelta(days=2),
                   ends_at=now - timedelta(days=2) + timedelta(hours=1)),
    ]
    db.session.commit()
    return {"host": host, "other": other, "shown": shown, "cancelled": cancelled,
            "hidden": hidden}


def test_site_feed_lists_what_the_anonymous_agenda_lists(client, agenda):
    parsed, _ = feed(client, "/events.atom")
    assert ids_of(parsed) == [agenda["cancelled"].id, agenda["shown"].id]  # soonest first
    agenda_page = client.get("/").get_data(as_text=True)
    for event in agenda["hidden"]:
        assert event.title not in agenda_page
    assert parsed.feed.title == "Joint Events"
    assert parsed.feed.language == "en"
    assert any(link.rel == "self" and link.href.endswith("/events.atom?lang=en")
               for link in parsed.feed.links)


def test_site_feed_entry_matches_the_database(client, agenda):
    parsed, _ = feed(client, "/events.atom")
    event = agenda["shown"]
    entry = next(e for e in parsed.entries if e.link.endswith(f"/events/{event.id}"))
    assert entry.title == event.title
    assert entry.id == f"http://localhost/events/{event.id}"
    assert entry.link == f"http://localhost/events/{event.id}"
    # feedparser reads the timestamps back to the second
    assert entry.updated_parsed[:6] == event.updated_at.utctimetuple()[:6]
    assert entry.published_parsed[:6] == event.published_at.utctimetuple()[:6]
    assert [a["name"] for a in entry.authors] == ["Technopolis Moscow", "Northern"]
    assert entry.authors[0]["href"] == f"http://localhost/partners/{agenda['host'].slug}"
    assert "Coffee & talks" in entry.summary
    assert event.venue.label in entry.summary
    assert entry.tags[0]["term"] == "seminar"
    assert entry.tags[0]["label"] == "Seminar"


def test_cancelled_event_is_said_to_be_cancelled_in_its_entry(client, agenda):
    parsed, _ = feed(client, "/events.atom")
    entry = next(e for e in parsed.entries if e.title == "Patent clinic")
    assert entry.summary.startswith("Cancelled")


def test_feed_of_a_signed_in_admin_is_still_the_public_one(client, agenda):
    login(client, make_user(Role.ADMIN))
    db.session.commit()
    parsed, _ = feed(client, "/events.atom")
    assert ids_of(parsed) == [agenda["cancelled"].id, agenda["shown"].id]


def test_partner_feed_lists_events_the_partner_takes_part_in(client, agenda):
    parsed, _ = feed(client, f"/partners/{agenda['other'].slug}/events.atom")
    assert ids_of(parsed) == [agenda["cancelled"].id, agenda["shown"].id]
    parsed, _ = feed(client, f"/partners/{agenda['host'].slug}/events.atom")
    assert ids_of(parsed) == [agenda["shown"].id]
    assert parsed.feed.title == f"Joint Events: {agenda['host'].short_name}"


def test_programme_feed_lists_its_public_upcoming_events(client, agenda, make_programme):
    programme = make_programme(agenda["host"], title="Spring school")
    agenda["shown"].programme = programme
    agenda["hidden"][0].programme = programme  # residents only: stays out
    db.session.commit()
    parsed, _ = feed(client, f"/programmes/{programme.id}/events.atom")
    assert ids_of(parsed) == [agenda["shown"].id]
    assert parsed.feed.title == "Joint Events: Spring school"


def test_category_feed_lists_one_category(client, agenda):
    workshop = make_event(category=Category.WORKSHOP, title="Hands-on lab")
    db.session.commit()
    parsed, _ = feed(client, "/categories/workshop/events.atom")
    assert ids_of(parsed) == [workshop.id]
    assert parsed.feed.title == "Joint Events: Workshop"


def test_feed_language_follows_lang_argument(client, agenda):
    parsed, _ = feed(client, "/categories/workshop/events.atom?lang=ru")
    assert parsed.feed.language == "ru"
    assert parsed.feed.title == "Совместные мероприятия: Мастер-класс"


@pytest.mark.parametrize("path", ["/categories/juggling/events.atom",
                                  "/partners/nobody/events.atom",
                                  "/programmes/999999/events.atom"])
def test_unknown_scope_is_not_found(client, app, path):
    assert client.get(path).status_code == 404


def test_empty_feed_is_still_valid_atom(client, app):
    parsed, response = feed(client, "/events.atom")
    assert parsed.entries == []
    assert "Last-Modified" not in response.headers


def test_feed_answers_304_to_its_own_etag(client, agenda):
    _, first = feed(client, "/events.atom")
    etag = first.headers["ETag"]
    again = client.get("/events.atom", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    since = client.get("/events.atom",
                       headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304


def test_feed_etag_moves_when_an_event_or_its_partner_changes(client, agenda):
    etag = client.get("/events.atom").headers["ETag"]
    agenda["shown"].title = "Biotech breakfast, renamed"
    db.session.commit()
    changed = client.get("/events.atom", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert b"renamed" in changed.data
    etag = changed.headers["ETag"]
    agenda["other"].name = "Northern cluster"
    db.session.commit()
    renamed = client.get("/events.atom", headers={"If-None-Match": etag})
    assert renamed.status_code == 200
    assert b"Northern cluster" in renamed.data


def test_feed_etag_differs_per_language(client, agenda):
    english = client.get("/events.atom?lang=en").headers["ETag"]
    assert client.get("/events.atom?lang=ru",
                      headers={"If-None-Match": english}).status_code == 200


def test_text_that_xml_cannot_hold_is_dropped(client, app):
    event = make_event(title="Bell\x07 and form\x0c feed", summary="Nul-free \x1b summary")
    db.session.commit()
    parsed, _ = feed(client, "/events.atom")
    assert parsed.entries[0].title == "Bell and form feed"
    assert event.id == ids_of(parsed)[0]


def _many(count: int) -> None:
    partners = [make_partner() for _ in range(3)]
    venues = [make_venue(p) for p in partners]
    start = utcnow() + timedelta(days=1)
    for i in range(count):
        event = make_event(lead=partners[i % 3], venue=venues[i % 3],
                           format=EventFormat.HYBRID if i % 2 else EventFormat.IN_PERSON,
                           online_url="https://meet.example.org/x" if i % 2 else None,
                           starts_at=start + timedelta(hours=i),
                           ends_at=start + timedelta(hours=i + 1))
        make_involvement(event, partners[(i + 1) % 3])
    db.session.commit()


@pytest.mark.parametrize("path", ["/events.atom", "/categories/seminar/events.atom"])
def test_feed_query_count_is_the_same_for_10_and_50_events(client, app, count_queries, path):
    _many(10)
    db.session.expunge_all()
    with count_queries() as ten:
        parsed, _ = feed(client, path)
    assert len(parsed.entries) == 10
    _many(40)
    db.session.expunge_all()
    with count_queries() as fifty:
        parsed, _ = feed(client, path)
    assert len(parsed.entries) == 50
    assert fifty.count == ten.count


def test_partner_feed_query_count_is_the_same_for_10_and_50_events(client, app, count_queries):
    partner = make_partner()
    db.session.commit()
    slug, partner_id = partner.slug, partner.id
    for total in (10, 50):
        lead = db.session.get(Partner, partner_id)
        for _ in range(total - db.session.query(Event).count()):
            make_event(lead=lead)
        db.session.commit()
        db.session.expunge_all()
        with count_queries() as counter:
            parsed, _ = feed(client, f"/partners/{slug}/events.atom")
        assert len(parsed.entries) == total
        if total == 10:
            first = counter.count
    assert counter.count == first


def test_agenda_links_its_feeds(client, agenda):
    assert atom_alternates(client.get("/")) == ["/events.atom?lang=en"]
    filtered = atom_alternates(client.get(
        f"/?partner={agenda['host'].slug}&category=workshop"))
    assert filtered == ["/events.atom?lang=en",
                        f"/partners/{agenda['host'].slug}/events.atom?lang=en",
                        "/categories/workshop/events.atom?lang=en"]
    for href in filtered:
        assert client.get(href).status_code == 200


def test_partner_page_links_its_feed(client, agenda):
    slug = agenda["host"].slug
    assert atom_alternates(client.get(f"/partners/{slug}")) == [
        f"/partners/{slug}/events.atom?lang=en"]


def test_programme_page_links_its_feed(client, agenda, make_programme):
    staff = make_user(Role.STAFF, partner=agenda["host"])
    programme = make_programme(agenda["host"])
    db.session.commit()
    login(client, staff)
    assert atom_alternates(client.get(f"/programmes/{programme.id}")) == [
        f"/programmes/{programme.id}/events.atom?lang=en"]


def test_unchanged_feed_answers_304_with_one_query(client, agenda, count_queries):
    etag = client.get("/events.atom").headers["ETag"]
    with count_queries() as counter:
        again = client.get("/events.atom", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert len(counter.statements) == 1
    assert "calendar_state" in counter.statements[0]


def test_feed_state_is_worked_out_again_after_any_change(client, agenda, count_queries):
    etag = client.get("/events.atom").headers["ETag"]
    make_event(title="Not public", audience=Audience.INTERNAL)
    db.session.commit()
    with count_queries() as counter:
        again = client.get("/events.atom", headers={"If-None-Match": etag})
    assert again.status_code == 304  # nothing the feed shows changed: the same ETag
    assert len(counter.statements) > 1
