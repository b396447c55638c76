"""axe-core in Chromium over the planning screens: no serious or critical violations on the
week view, a filtered agenda, the event form (also with errors beside fields) and the
event page with its workflow buttons."""

import pytest

from tests.conftest import browser_login
from tests.test_accessibility import violations

pytestmark = pytest.mark.e2e


def test_planning_pages_have_no_serious_violations(demo_server, axe_page):
    page = axe_page
    base = demo_server.url
    found = {}
    for path in ("/calendar?view=week", "/?category=workshop&q=for"):
        page.goto(base + path)
        found[path] = violations(page)
    browser_login(page, base, "coordinator@northern.example", "demo-password")
    for path in ("/events/new", "/staff", "/events/4", "/events/11"):
        page.goto(base + path)
        found[path] = violations(page)
    page.goto(base + "/events/new")
    with page.expect_navigation():
        page.click("form.event-form button[type=submit]")
    page.wait_for_selector("p.error")
    found["/events/new (errors)"] = violations(page)
    assert found == {path: [] for path in found}
