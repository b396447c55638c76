"""In a real browser: staff record a pledge, mark it delivered, and see it in the report."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from events.enums import Role
from events.extensions import db
from tests.conftest import browser_login
from tests.factories import PASSWORD, make_user


@pytest.mark.e2e
def test_record_deliver_and_report(coop, live_server, page):
    staff = coop.staff["cohost"]
    admin = make_user(Role.ADMIN)
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    coop.event.starts_at, coop.event.ends_at = soon, soon + timedelta(hours=2)
    db.session.commit()
    browser_login(page, live_server.url, staff.email, PASSWORD)
    page.goto(f"{live_server.url}/events/{coop.event.id}")
    page.click("text=Add a contribution")
    page.select_option("select[name=kind]", "funding")
    page.fill("input[name=description]", "Грант на поездку спикера")
    page.fill("input[name=amount]", "1 250,50")
    page.select_option("select[name=currency]", "EUR")
    page.click("form.form button[type=submit]")
    panel = page.locator("#contributions")
    expect(panel).to_contain_text("Грант на поездку спикера")
    expect(panel).to_contain_text("€1,250.50")
    panel.get_by_role("button", name="Delivered").click()
    # Auto-waiting assertions: the click starts a navigation; plain reads could see the old page.
    expect(page.locator(".flashes")).to_contain_text("Marked as delivered.")
    expect(page.locator("#contributions .contribution-delivered")).to_have_count(1)

    page.context.clear_cookies()
    browser_login(page, live_server.url, admin.email, PASSWORD)
    page.click("nav.main-nav >> text=Reports")
    chart = page.locator("svg.chart")
    assert chart.get_attribute("role") == "img"
    assert "Techno" in chart.inner_html()
    assert "€1,250.50" in page.locator("table.report-table").first.inner_text()
