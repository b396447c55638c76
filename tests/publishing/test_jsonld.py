"""schema.org Event JSON-LD and Open Graph on public event pages, parsed back from the HTML
and checked against the event."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from events.db import utcnow
from events.enums import (
    Audience,
    EventFormat,
    EventStatus,
    InvolvementRole,
    InvolvementState,
    Role,
)
from events.extensions import db
from events.planning.services import cancel_event, update_event
from events.publishing.jsonld import script_json
from tests.conftest import login
from tests.factories import (
    make_event,
    make_involvement,
    make_partner,
    make_registration,
    make_user,
    make_venue,
)
from tests.publishing.conftest import html_of, json_ld, open_graph

SCHEMA = "https://schema.org/"


def data_of(client, event) -> dict:
    response = client.get(f"/events/{event.id}")
    assert response.status_code == 200
    blocks = json_ld(response)
    assert len(blocks) == 1
    return blocks[0]


@pytest.fixture
def event(app):
    host = make_partner(name="Technopolis Moscow", website="https://technopolis.example")
    venue = make_venue(host, name="Hall 1", building="B", site="Pechatniki",
                       address="42 Volgogradsky prospekt", latitude=55.7, longitude=37.7)
    starts = datetime(2030, 3, 30, 10, 0, tzinfo=ZoneInfo("Europe/Moscow"))
    event = make_event(lead=host, title="Biotech breakfast", summary="Coffee and talks",
                       description="**Bring** your questions.\n\n- one\n- two", venue=venue,
                       starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=3,
                       published_at=utcnow() - timedelta(days=1))
    make_involvement(event, make_partner(name="Northern"), role=InvolvementRole.CO_HOST)
    make_involvement(event, make_partner(name="Supporter Fund"),
                     role=InvolvementRole.SUPPORTER)
    make_involvement(event, make_partner(name="Said no"), state=InvolvementState.DECLINED)
    db.session.commit()
    return event


def test_event_page_carries_schema_org_event(client, event):
    data = data_of(client, event)
    url = f"http://localhost/events/{event.id}"
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Event"
    assert data["name"] == "Biotech breakfast"
    assert data["url"] == url
    assert data["startDate"] == "2030-03-30T10:00:00+03:00"
    assert data["endDate"] == "2030-03-30T12:00:00+03:00"
    assert datetime.fromisoformat(data["startDate"]) == event.starts_at
    assert datetime.fromisoformat(data["endDate"]) == event.ends_at
    assert data["eventStatus"] == SCHEMA + "EventScheduled"
    assert data["eventAttendanceMode"] == SCHEMA + "OfflineEventAttendanceMode"
    assert data["location"] == [{
        "@type": "Place", "name": "Hall 1, B, Pechatniki",
        "address": {"@type": "PostalAddress", "streetAddress": "42 Volgogradsky prospekt"},
        "geo": {"@type": "GeoCoordinates", "latitude": 55.7, "longitude": 37.7}}]
    assert [o["name"] for o in data["organizer"]] == ["Technopolis Moscow", "Northern",
                                                      "Supporter Fund"]
    assert {o["@type"] for o in data["organizer"]} == {"Organization"}
    assert data["organizer"][0]["url"] == "https://technopolis.example"
    assert data["organizer"][1]["url"].startswith("http://localhost/partners/")
    assert data["offers"] == {"@type": "Offer", "url": url, "price": 0,
                              "priceCurrency": "RUB",
                              "availability": SCHEMA + "InStock"}
    assert data["description"] == "Coffee and talks\n\nBring your questions.\n\n- one\n- two"
    assert data["maximumAttendeeCapacity"] == 3
    assert data["remainingAttendeeCapacity"] == 3


def test_open_graph_tags_describe_the_event(client, event):
    og = open_graph(client.get(f"/events/{event.id}"))
    assert og["og:title"] == ["Biotech breakfast"]
    assert og["og:description"] == ["Coffee and talks"]
    assert og["og:url"] == [f"http://localhost/events/{event.id}"]
    assert og["og:type"] == ["website"]
    assert og["og:locale"] == ["en_GB"]
    assert og["og:locale:alternate"] == ["ru_RU"]
    russian = open_graph(client.get(f"/events/{event.id}",
                                    headers={"Accept-Language": "ru"}))
    assert russian["og:locale"] == ["ru_RU"]
    assert russian["og:site_name"] == ["Совместные мероприятия"]


def test_full_event_is_sold_out(client, event):
    for _ in range(3):
        make_registration(event)
    db.session.commit()
    data = data_of(client, event)
    assert data["offers"]["availability"] == SCHEMA + "SoldOut"
    assert data["remainingAttendeeCapacity"] == 0


def test_registration_not_open_yet_is_a_pre_order(client, event):
    opens = utcnow().replace(microsecond=0) + timedelta(days=3)
    event.registration_opens_at = opens
    db.session.commit()
    offers = data_of(client, event)["offers"]
    assert offers["availability"] == SCHEMA + "PreOrder"
    assert datetime.fromisoformat(offers["validFrom"]) == opens


def test_registration_closed_is_out_of_stock(client, event):
    event.registration_closes_at = utcnow() - timedelta(hours=1)
    event.registration_opens_at = utcnow() - timedelta(days=3)
    db.session.commit()
    assert data_of(client, event)["offers"]["availability"] == SCHEMA + "OutOfStock"


def test_cancelled_event_says_so(client, event):
    cancel_event(make_user(Role.ADMIN), event, "The speaker fell ill")
    db.session.commit()
    data = data_of(client, event)
    assert data["eventStatus"] == SCHEMA + "EventCancelled"
    assert data["offers"]["availability"] == SCHEMA + "Discontinued"


def test_moved_event_is_rescheduled_with_its_previous_start(client, event):
    before = event.starts_at
    update_event(make_user(Role.ADMIN), event, starts_at=before + timedelta(days=1),
                 ends_at=event.ends_at + timedelta(days=1))
    db.session.commit()
    data = data_of(client, event)
    assert data["eventStatus"] == SCHEMA + "EventRescheduled"
    assert data["previousStartDate"] == ["2030-03-30T10:00:00+03:00"]
    assert data["startDate"] == "2030-03-31T10:00:00+03:00"


def test_event_moved_online_says_so(client, event):
    update_event(make_user(Role.ADMIN), event, format=EventFormat.ONLINE, venue=None,
                 online_url="https://meet.example.org/breakfast")
    db.session.commit()
    data = data_of(client, event)
    assert data["eventStatus"] == SCHEMA + "EventMovedOnline"
    assert data["eventAttendanceMode"] == SCHEMA + "OnlineEventAttendanceMode"
    assert data["location"] == [{"@type": "VirtualLocation",
                                 "url": "https://meet.example.org/breakfast"}]


def test_hybrid_event_has_a_place_and_a_virtual_location(client, app):
    event = make_event(format=EventFormat.HYBRID, venue=make_venue(address=""),
                       online_url="https://meet.example.org/h")
    db.session.commit()
    data = data_of(client, event)
    assert data["eventAttendanceMode"] == SCHEMA + "MixedEventAttendanceMode"
    assert [p["@type"] for p in data["location"]] == ["Place", "VirtualLocation"]
    assert data["location"][0]["address"] == "Main site"
    assert data["location"][1]["url"] == "https://meet.example.org/h"


def test_all_day_event_has_dates(client, app):
    zone = ZoneInfo("Europe/Moscow")
    first = datetime(2030, 5, 4, tzinfo=zone)
    event = make_event(is_all_day=True, starts_at=first, ends_at=first + timedelta(days=2),
                       capacity=None)
    db.session.commit()
    data = data_of(client, event)
    assert (data["startDate"], data["endDate"]) == ("2030-05-04", "2030-05-05")
    assert "maximumAttendeeCapacity" not in data
    assert data["offers"]["availability"] == SCHEMA + "InStock"


def test_title_cannot_break_out_of_the_script_element(client, app):
    title = "</script><script>alert(1)</script><!-- & \u2028"
    event = make_event(title=title, summary="<b>bold</b> </SCRIPT>")
    db.session.commit()
    response = client.get(f"/events/{event.id}")
    page = response.get_data(as_text=True)
    start = page.index('<script type="application/ld+json">')
    element = page[start:page.index("</script>", start)]
    assert "<" not in element[len('<script type="application/ld+json">'):]
    tree = html_of(response)
    assert not tree.xpath("//script[contains(., 'alert(1)')][not(@type)]")
    data = json_ld(response)[0]
    assert data["name"] == title
    assert data["description"].startswith("<b>bold</b> </SCRIPT>")
    assert open_graph(response)["og:title"] == [title]


def test_script_json_escapes_markup_characters():
    text = str(script_json({"a": "</script>&<!--\u2029"}))
    assert text == '{"a":"\\u003c/script\\u003e\\u0026\\u003c!--\\u2029"}'


@pytest.mark.parametrize("changes", [
    {"audience": Audience.RESIDENTS}, {"audience": Audience.INTERNAL},
    {"status": EventStatus.PROPOSED}, {"status": EventStatus.DRAFT}])
def test_pages_not_public_carry_no_structured_data(client, app, changes):
    staff = make_user(Role.ADMIN)
    event = make_event(**changes)
    db.session.commit()
    login(client, staff)
    response = client.get(f"/events/{event.id}")
    assert response.status_code == 200
    assert json_ld(response) == []
    assert "og:title" not in open_graph(response)


def test_event_page_structured_data_costs_constant_queries(client, event, count_queries):
    with count_queries() as few:
        client.get(f"/events/{event.id}")
    for _ in range(3):
        make_involvement(event, make_partner())
        make_registration(event)
    db.session.commit()
    with count_queries() as more:
        client.get(f"/events/{event.id}")
    assert more.count == few.count


def test_organizers_are_named_in_the_readers_language(client, app):
    host = make_partner(name="Technopolis Moscow", name_ru="Технополис «Москва»")
    event = make_event(lead=host)
    db.session.commit()
    response = client.get(f"/events/{event.id}", headers={"Accept-Language": "ru"})
    assert json_ld(response)[0]["organizer"][0]["name"] == "Технополис «Москва»"
    assert data_of(client, event)["organizer"][0]["name"] == "Technopolis Moscow"
