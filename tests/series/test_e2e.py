"""In a real headless Chromium: staff create a weekly series with a preview, invite a partner
once, the partner accepts once, the coordinator schedules once, and a resident registers for
the whole series."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from events.db import utcnow
from events.extensions import db
from tests.conftest import browser_login
from tests.factories import PASSWORD
from tests.planning.test_e2e import sign_out, submit

TITLE = "Mentor office hours"


@pytest.mark.e2e
def test_weekly_series_invite_accept_schedule_register_for_all(world, live_server, page):
    who = {name: getattr(world, name).email
           for name in ("staff_a", "staff_b", "coord_a", "resident")}
    room_id, partner_b_id = str(world.room.id), str(world.b.id)
    db.session.commit()
    base = live_server.url
    day = (utcnow() + timedelta(days=5)).date()

    browser_login(page, base, who["staff_a"], PASSWORD)
    page.goto(f"{base}/series/new")
    page.fill("#title_en", TITLE)
    page.select_option("#category", "workshop")
    page.select_option("#format", "in_person")
    page.select_option("#venue", room_id)
    page.fill("#starts_at", f"{day.isoformat()}T10:00")
    page.fill("#ends_at", f"{day.isoformat()}T12:00")
    page.fill("#capacity", "10")
    page.select_option("#audience", "public")
    page.select_option("#frequency", "weekly")
    page.check(f"#weekdays-{day.weekday()}")
    page.fill("#count", "3")
    page.check("#allow_series_registration")
    submit(page, "#preview")
    expect(page.locator(".preview-dates li")).to_have_count(3)
    submit(page, "#create")
    expect(page.locator("h1.event-title")).to_have_text(TITLE)
    expect(page.locator(".series-dates tbody tr")).to_have_count(3)
    series_url = page.url

    page.select_option("#partner", partner_b_id)
    page.select_option("#role", "co-host")
    submit(page, "form.invite-form button[type=submit]")
    submit(page, "form[action$='/propose'] button")
    expect(page.locator(".series-dates")).to_contain_text("Proposed")
    sign_out(page)

    browser_login(page, base, who["staff_b"], PASSWORD)
    page.goto(series_url)
    submit(page, "form.answer-form button[name=accept]")
    expect(page.locator("form.answer-form")).to_have_count(0)  # answered for every date
    sign_out(page)

    browser_login(page, base, who["coord_a"], PASSWORD)
    page.goto(series_url)
    submit(page, "form[action$='/schedule'] button")
    expect(page.locator(".series-dates")).not_to_contain_text("Proposed")
    sign_out(page)

    browser_login(page, base, who["resident"], PASSWORD)
    page.goto(f"{base}/")
    expect(page.locator(f"a.series-badge[href='{series_url.removeprefix(base)}']").first
           ).to_be_visible()
    page.goto(series_url)
    submit(page, "form[action$='/register'] button")
    expect(page.locator(".flash")).to_contain_text("You are registered for 3 dates.")
    expect(page.locator(".series-dates tbody")).to_contain_text("1 / 10")
