"""The base layout in a real headless Chromium: language switch, sign in, navigation."""

import pytest
from playwright.sync_api import expect

from events.extensions import db
from tests.conftest import browser_login
from tests.factories import PASSWORD, make_event, make_user

pytestmark = pytest.mark.e2e


def test_visitor_switches_language_and_staff_signs_in(app, live_server, page):
    staff = make_user(role="staff", email="staff@example.org", name="Pavel Orlov")
    make_event(title="Open lab tour", lead=staff.partner)
    db.session.commit()

    page.goto(live_server.url + "/")
    assert page.get_by_role("heading", level=2, name="Open lab tour").is_visible()
    page.click("form.lang-switch button[value=ru]")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("nav.main-nav")).to_contain_text("Афиша")  # waits for the new page

    browser_login(page, live_server.url, "staff@example.org", PASSWORD)
    expect(page.locator(".who")).to_have_text("Pavel Orlov")
    page.click("nav.main-nav a[href='/staff']")
    page.wait_for_url("**/staff")
    # The language chosen before signing in is kept in the session.
    assert page.locator("html").get_attribute("lang") == "ru"


def test_pages_load_nothing_from_other_hosts(app, live_server, page):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(live_server.url + "/")
    page.goto(live_server.url + "/calendar")
    assert requests
    assert all(url.startswith(live_server.url) for url in requests), requests


def test_layout_fits_a_phone(app, browser, live_server):
    context = browser.new_context(viewport={"width": 375, "height": 740})
    phone = context.new_page()
    phone.goto(live_server.url + "/")
    width = phone.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 375
