"""In a real headless Chromium: partner A proposes and invites B as co-host, B accepts, A's
coordinator schedules, and a visitor finds the event on the agenda and in the calendar."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from events.db import utcnow
from events.extensions import db
from tests.conftest import browser_login
from tests.factories import PASSWORD

TITLE = "Joint bioreactor scale-up workshop"
TITLE_RU = "Совместный практикум по масштабированию биореакторов"


def sign_out(page):
    with page.expect_navigation():
        page.click(".header-tools form[action='/signout'] button")
    expect(page.locator(".header-tools a[href='/signin']")).to_be_visible()


def submit(page, selector):
    """Click a submit button and wait for the page the POST leads to."""
    with page.expect_navigation():
        page.click(selector)


@pytest.mark.e2e
def test_propose_invite_accept_schedule_publish(world, live_server, page):
    who = {name: getattr(world, name).email for name in ("staff_a", "staff_b", "coord_a")}
    room_id, partner_b_id = str(world.room.id), str(world.b.id)
    # Commit and read nothing more here: in this thread a read would open a write transaction
    # on SQLite and keep the server waiting.
    db.session.commit()
    base = live_server.url
    day = (utcnow() + timedelta(days=5)).date()

    # Staff of partner A drafts the event, proposes it and invites partner B as co-host.
    browser_login(page, base, who['staff_a'], PASSWORD)
    page.goto(f"{base}/events/new")
    page.fill("#title_en", TITLE)
    page.fill("#summary_en", "Hands-on scale-up for resident start-ups")
    page.fill("#description_en", "**Bring** your process data.")
    page.fill("#title_ru", TITLE_RU)  # the Russian summary and description stay empty
    page.select_option("#category", "workshop")
    page.select_option("#format", "online")  # the room field steps aside (planning.js)
    expect(page.locator("#venue")).to_be_hidden()
    expect(page.locator("#online_url")).to_be_visible()
    page.select_option("#format", "in_person")
    expect(page.locator("#venue")).to_be_visible()
    page.select_option("#venue", room_id)
    page.fill("#starts_at", f"{day.isoformat()}T10:00")
    page.fill("#ends_at", f"{day.isoformat()}T13:00")
    page.fill("#capacity", "30")
    page.select_option("#audience", "public")
    submit(page, "form.event-form button[type=submit]")
    expect(page.locator("h1.event-title")).to_have_text(TITLE)
    expect(page.locator(".event-head .badge").first).to_contain_text("Draft")
    event_url = page.url

    submit(page, "form[action$='/propose'] button")
    expect(page.locator(".event-head .badge").first).to_contain_text("Proposed")
    page.select_option("#partner", partner_b_id)
    page.select_option("#role", "co-host")
    submit(page, "form.invite-form button[type=submit]")
    expect(page.locator(".involvements")).to_contain_text("Beta")
    sign_out(page)

    # Staff of partner B (who reads Russian) finds the invitation under the Russian title in
    # the staff area, reads the English summary where there is no Russian one, and accepts.
    browser_login(page, base, who['staff_b'], PASSWORD)
    page.goto(f"{base}/staff")
    with page.expect_navigation():
        page.click(f"#invitations a:text('{TITLE_RU}')")
    expect(page.locator("h1.event-title")).to_have_text(TITLE_RU)
    expect(page.locator("p.lead[lang=en]")).to_have_text("Hands-on scale-up for resident "
                                                         "start-ups")
    page.fill("#note", "We bring two speakers.")
    submit(page, "form.answer-form button[name=accept]")
    expect(page.locator(".involvements")).to_contain_text("We bring two speakers.")
    sign_out(page)

    # A's coordinator schedules it.
    browser_login(page, base, who['coord_a'], PASSWORD)
    page.goto(event_url)
    submit(page, "form[action$='/schedule'] button")
    expect(page.locator(".event-head .badge").first).to_contain_text("Scheduled")
    expect(page.locator(".audit")).to_contain_text("scheduled the event")
    sign_out(page)

    # A visitor sees it on the agenda and in the month calendar.
    page.goto(f"{base}/")
    expect(page.locator(".event-list")).to_contain_text(TITLE)
    expect(page.locator(".event-list")).to_contain_text("Beta")
    page.goto(f"{base}/calendar?month={day.strftime('%Y-%m')}")
    with page.expect_navigation():
        page.click(f"a.cal-event:has-text('{TITLE}')")
    expect(page.locator("h1.event-title")).to_have_text(TITLE)
    assert page.url == event_url
