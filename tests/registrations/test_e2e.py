"""In a real browser: a resident signs up, registers, finds the event in "my events" and
cancels; the person waiting behind them is promoted at once and told by mail."""

import pytest

from events.extensions import db
from tests.conftest import browser_login
from tests.factories import PASSWORD, make_event, make_partner, make_user

pytestmark = pytest.mark.e2e


@pytest.fixture
def app(csrf_app):
    return csrf_app


@pytest.fixture
def scene(app):
    host = make_partner(slug="technopolis", name="Technopolis Moscow", short_name="Technopolis")
    event = make_event(lead=host, title="Biotech breakfast", capacity=1)
    waiting = make_user(name="Wendy Waiting", email="wendy@example.org")
    ids = {"event": event.id, "wendy": waiting.email}
    db.session.commit()
    db.session.close()  # the live server's threads write; this thread holds nothing open
    return ids


def test_sign_up_register_cancel_and_the_waitlist_moves_up(live_server, page, browser, scene,
                                                          outbox):
    base, event_url = live_server.url, f"{live_server.url}/events/{scene['event']}"

    page.goto(f"{base}/signup")
    page.fill("input[name=name]", "Ivan Newcomer")
    page.fill("input[name=email]", "ivan@example.org")
    page.fill("input[name=company]", "BioStart LLC")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=confirm]", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/account")

    page.goto(event_url)
    page.click("#registration button:has-text('Register')")
    page.wait_for_selector("text=You have a seat.")

    other = browser.new_context(locale="en-GB")
    wendy = other.new_page()
    browser_login(wendy, base, scene["wendy"], PASSWORD)
    wendy.goto(event_url)
    wendy.click("#registration button:has-text('Join the waitlist')")
    wendy.wait_for_selector("text=You are number 1 on the waitlist.")

    page.goto(f"{base}/my/events")
    upcoming = page.locator("section.my-upcoming")
    assert "Biotech breakfast" in upcoming.inner_text()
    upcoming.locator("button:has-text('Cancel registration')").click()
    page.wait_for_selector("text=is cancelled")
    assert "Cancelled" in page.locator("section.my-upcoming").inner_text()

    wendy.goto(event_url)
    wendy.wait_for_selector("text=You have a seat.")
    wendy.goto(f"{base}/my/events")
    assert "Confirmed" in wendy.locator("section.my-upcoming").inner_text()
    other.close()

    subjects = {(m.recipients[0], m.subject) for m in outbox}
    assert ("ivan@example.org", "You are registered: Biotech breakfast") in subjects
    assert ("wendy@example.org", "You are on the waitlist: Biotech breakfast") in subjects
    assert ("wendy@example.org", "A seat is yours: Biotech breakfast") in subjects
