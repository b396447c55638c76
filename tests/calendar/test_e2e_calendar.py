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
