"""The Subscribe page and the "Add to calendar" box in a real headless Chromium."""

import icalendar
import pytest
from playwright.sync_api import expect

from events.extensions import db
from tests.conftest import browser_login
from tests.factories import PASSWORD, make_event, make_registration, make_user

pytestmark = pytest.mark.e2e


def test_resident_creates_and_regenerates_a_private_feed(app, live_server, page):
    resident = make_user(email="anna@example.org", name="Anna")
    event = make_event(title="Bioinformatics seminar")
    make_registration(event, resident)
    db.session.commit()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

    browser_login(page, live_server.url, "anna@example.org", PASSWORD)
    page.click("nav.account-nav a[href='/subscribe']")
    expect(page.locator("h1")).to_have_text("Subscribe to calendars")
    with page.expect_navigation():
        page.click("text=Create my private feed")
    url = page.locator("#private input.feed-url").input_value()
    assert "/feeds/" in url
    path = url[url.index("/feeds/"):]
    feed = page.request.get(live_server.url + path)
    assert feed.status == 200
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    cal = icalendar.Calendar.from_ical(feed.body())
    assert [str(e["SUMMARY"]) for e in cal.walk("VEVENT")] == ["Bioinformatics seminar"]

    with page.expect_navigation():
        page.click("text=Regenerate the address")
    assert "old one no longer works" in page.locator(".flash-success").inner_text()
    new_url = page.locator("#private input.feed-url").input_value()
    assert new_url != url
    assert page.request.get(live_server.url + path).status == 404
    assert page.locator("a[href^='webcal://']").count() >= 2
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280
    assert not problems, problems  # CSP violations show up as console errors


def test_event_page_offers_download_and_google_link(app, live_server, page):
    event = make_event(title="Demo day")
    db.session.commit()
    page.goto(f"{live_server.url}/events/{event.id}")
    box = page.locator(".add-to-calendar")
    assert box.is_visible()
    google = box.locator("a[href^='https://calendar.google.com/']").get_attribute("href")
    assert "action=TEMPLATE" in google
    assert "text=Demo+day" in google
    href = box.locator("a[download]").get_attribute("href")
    download = page.request.get(live_server.url + href)
    assert download.headers["content-disposition"] == f'attachment; filename="event-{event.id}.ics"'


def test_import_preview_fix_and_create_in_a_browser(app, live_server, browser, tmp_path):
    """Staff upload an .ics, see what the rules refuse, choose a room, create: on a phone
    (390 px, nothing wider than the screen) and without serious axe violations."""
    from tests.factories import make_partner, make_venue
    from tests.test_accessibility import violations

    partner = make_partner(slug="bpc")
    make_user("staff", partner, email="staff@example.org")
    venue = make_venue(partner, name="Main hall")
    db.session.commit()
    ics = tmp_path / "events.ics"
    ics.write_bytes(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//T//EN\r\nBEGIN:VEVENT\r\nUID:e2e-1\r\n"
        b"DTSTART;TZID=Europe/Berlin:20300310T100000\r\nDURATION:PT2H\r\n"
        b"SUMMARY:Imported in a browser\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    context = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844},
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        browser_login(page, live_server.url, "staff@example.org", PASSWORD)
        page.goto(live_server.url + "/calendar/import")
        page.set_input_files("input[type=file]", str(ics))
        with page.expect_navigation():
            page.click("form.form button[type=submit]")
        expect(page.locator("td .error").first).to_contain_text("Choose a room")
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth)
            .map(e => e.tagName + '.' + e.className + '#' + e.id).slice(0, 8)""")
        assert page.evaluate("document.documentElement.scrollWidth <= "
                             "document.documentElement.clientWidth"), wide
        assert violations(page) == []
        venue_id = str(venue.id)
        db.session.rollback()  # the test thread holds no SQLite transaction while serving
        page.select_option("#venue-0", venue_id)
        with page.expect_navigation():
            page.locator("form.import-preview button[type=submit]").press("Enter")
        expect(page.locator("[role=status]")).to_contain_text("Drafts created: 1")
    finally:
        context.close()
    from events.planning.models import Event

    db.session.expire_all()
    created = db.session.scalar(db.select(Event).where(Event.uid == "e2e-1"))
    assert created.venue_id == venue.id
    assert created.timezone == "Europe/Berlin"
