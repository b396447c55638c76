"""In a real browser: the lead partner's staff ask two questions and turn approval on; a
resident answers them (a missing answer is refused beside its field), waits for approval, and
staff read the answer in the attendee list and approve; the resident then has a seat."""

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
    staff = make_user("staff", host, email="stella@technopolis.example", name="Stella Staff")
    event = make_event(lead=host, title="Biotech breakfast", capacity=5)
    resident = make_user(name="Rita Resident", email="rita@example.org")
    ids = {"event": event.id, "staff": staff.email, "resident": resident.email}
    db.session.commit()
    db.session.close()  # the live server's threads write; this thread holds nothing open
    return ids


def test_resident_answers_questions_and_staff_approve(live_server, page, browser, scene,
                                                      outbox):
    base = live_server.url
    event_url = f"{base}/events/{scene['event']}"

    browser_login(page, base, scene["staff"], PASSWORD)
    page.wait_for_url(f"{base}/")
    page.goto(event_url)
    page.click("text=Registration questions and approval")
    page.check("input[name=needs_approval]")
    page.click(".approval-setting button:has-text('Save')")
    page.wait_for_selector("text=Registrations now need your approval.")
    new = page.locator("section.new-question")
    new.locator("select[name=kind]").select_option("text")
    new.locator("input[name=label]").fill("Dietary needs")
    new.locator("input[name=is_required]").check()
    new.locator("button[type=submit]").click()
    page.wait_for_selector("text=The question is added.")
    new = page.locator("section.new-question")
    new.locator("select[name=kind]").select_option("single_choice")
    new.locator("input[name=label]").fill("Track")
    new.locator("textarea[name=choices]").fill("Biotech\nIT")
    new.locator("button[type=submit]").click()
    page.wait_for_selector("text=The question is added.")
    assert page.locator(".question-item").count() == 2

    other = browser.new_context(locale="en-GB")
    rita = other.new_page()
    browser_login(rita, base, scene["resident"], PASSWORD)
    rita.wait_for_url(f"{base}/")
    rita.goto(event_url)
    rita.click("#registration a:has-text('Register')")
    rita.wait_for_url(f"{event_url}/register")
    rita.get_by_label("IT").check()
    rita.click("form.answers-form button[type=submit]")
    rita.wait_for_selector("text=“Dietary needs” needs an answer.")
    assert rita.get_by_label("IT").is_checked()  # what was typed stays
    rita.get_by_label("Dietary needs").fill("Vegetarian, no nuts")
    rita.click("form.answers-form button[type=submit]")
    rita.wait_for_selector("text=Waiting for approval")
    rita.goto(f"{base}/my/events")
    assert "Waiting for approval" in rita.locator("section.my-upcoming").inner_text()

    page.goto(f"{event_url}/attendees")
    pending = page.locator("section.attendees-pending")
    assert "Vegetarian, no nuts" in pending.inner_text()
    pending.locator("button:has-text('Approve')").first.click()
    page.wait_for_selector("text=is approved and has a seat")

    rita.goto(event_url)
    rita.wait_for_selector("text=You have a seat.")
    rita.click("text=Change my answers")
    rita.get_by_label("Dietary needs").fill("Vegan")
    rita.click("form.answers-form button[type=submit]")
    rita.wait_for_selector("text=Your answers are saved.")
    other.close()

    page.goto(f"{event_url}/attendees")
    assert "Vegan" in page.locator("section.attendees-confirmed").inner_text()
    subjects = [(m.recipients[0], m.subject) for m in outbox]
    assert ("rita@example.org", "Waiting for approval: Biotech breakfast") in subjects
    assert ("rita@example.org", "You are registered: Biotech breakfast") in subjects
