"""Feedback in a real Chromium on a phone: a person who came opens the form from the event
page, sends it empty (the error summary takes the focus and names the rating), then rates it;
staff read the results. Every state of both pages fits 390 px and passes axe, in both
languages."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from events.db import utcnow
from events.extensions import db
from tests.conftest import browser_login
from tests.factories import PASSWORD, make_event, make_partner, make_registration, make_user
from tests.phones import LANGUAGES, PHONE, overflow, wcag_violations

pytestmark = pytest.mark.e2e


@pytest.fixture
def app(csrf_app):
    return csrf_app


def problems_on(page) -> list[str]:
    found = wcag_violations(page)
    if wide := overflow(page):
        found.append(f"wider than the screen: {wide}")
    return found


def test_a_guest_rates_the_event_on_a_phone_and_staff_read_it(app, live_server, browser):
    host = make_partner(name="Технополис «Москва»", short_name="Технополис")
    make_user("staff", host, email="staff@example.org")
    ends = utcnow().replace(microsecond=0) - timedelta(hours=3)
    event = make_event(lead=host, title="Междисциплинарная научно-практическая конференция "
                       "биотехнологических кластеров", starts_at=ends - timedelta(hours=2),
                       ends_at=ends)
    guests = [make_user(email=f"guest{n}@example.org", name=f"Guest {n}") for n in range(2)]
    for guest in guests:
        make_registration(event, guest, checked_in_at=event.starts_at)
    event_id, emails = event.id, [g.email for g in guests]
    db.session.commit()
    db.session.close()
    base = live_server.url
    found = {}
    for n, language in enumerate(LANGUAGES):
        context = browser.new_context(**PHONE, bypass_csp=True,
                                      locale={"en": "en-GB", "ru": "ru-RU"}[language])
        page = context.new_page()
        browser_login(page, base, emails[n], PASSWORD)
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/events/{event_id}")
        with page.expect_navigation():
            page.click(f"a[href='/events/{event_id}/feedback']")
        found[f"{language} form"] = problems_on(page)
        with page.expect_navigation():
            page.click("form.form button[type=submit]")
        expect(page.locator(".error-summary")).to_be_focused()
        found[f"{language} form with an error"] = problems_on(page)
        page.check("input[name=rating][value='4']")
        page.fill("textarea[name=comment]", "Полезно, но душно. " * 20)
        with page.expect_navigation():
            page.click("form.form button[type=submit]")
        expect(page.locator(".flash-success")).to_be_visible()
        page.goto(f"{base}/events/{event_id}/feedback")
        found[f"{language} sent"] = problems_on(page)
        context.close()

        context = browser.new_context(**PHONE, bypass_csp=True,
                                      locale={"en": "en-GB", "ru": "ru-RU"}[language])
        page = context.new_page()
        browser_login(page, base, "staff@example.org", PASSWORD)
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/events/{event_id}/feedback/results")
        expect(page.locator("main")).to_contain_text("4")
        found[f"{language} results"] = problems_on(page)
        context.close()
    assert not {k: v for k, v in found.items() if v}, found
