"""In a real headless Chromium: partner A proposes and invites B as co-host, B accepts, A's
coordinator schedules, and a visitor finds the event on the agenda and in the calendar."""

from datetime import timedelta

import pytest

from events.db import utcnow
from events.extensions import db
from tests.conftest import browser_login
from tests.factories import PASSWORD

TITLE = "Joint bioreactor scale-up workshop"


def sign_out(page):
    page.click(".header-tools form[action='/signout'] button")
    page.wait_for_selector("a[href='/signin']")


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
    page.fill("#title", TITLE)
    page.fill("#summary", "Hands-on scale-up for resident start-ups")
    page.fill("#description", "**Bring** your process data.")
    page.select_option("#category", "workshop")
    page.select_option("#format", "online")  # the room field steps aside (planning.js)
    assert not page.is_visible("#venue")
    assert page.is_visible("#online_url")
    page.select_option("#format", "in_person")
    assert page.is_visible("#venue")
    page.select_option("#venue", room_id)
    page.fill("#starts_at", f"{day.isoformat()}T10:00")
    page.fill("#ends_at", f"{day.isoformat()}T13:00")
    page.fill("#capacity", "30")
    page.select_option("#audience", "public")
    page.click("form.event-form button[type=submit]")
    page.wait_for_selector("h1.event-title")
    assert page.inner_text("h1.event-title") == TITLE
    assert "Draft" in page.inner_text(".event-head .badge")
    event_url = page.url

    page.click("form[action$='/propose'] button")
    page.wait_for_selector(".flash-success")
    assert "Proposed" in page.inner_text(".event-head .badge")
    page.select_option("#partner", partner_b_id)
    page.select_option("#role", "co-host")
    page.click("form.invite-form button[type=submit]")
    page.wait_for_selector(".flash-success")
    assert "Beta" in page.inner_text(".involvements")
    sign_out(page)

    # Staff of partner B finds the invitation in the staff area and accepts it.
    browser_login(page, base, who['staff_b'], PASSWORD)
    page.goto(f"{base}/staff")
    page.click(f"#invitations a:text('{TITLE}')")
    page.fill("#note", "We bring two speakers.")
    page.click("form.answer-form button[name=accept]")
    page.wait_for_selector(".flash-success")
    assert "We bring two speakers." in page.inner_text(".involvements")
    sign_out(page)

    # A's coordinator schedules it.
    browser_login(page, base, who['coord_a'], PASSWORD)
    page.goto(event_url)
    page.click("form[action$='/schedule'] button")
    page.wait_for_selector(".flash-success")
    assert "Scheduled" in page.inner_text(".event-head .badge")
    assert "scheduled the event" in page.inner_text(".audit")
    sign_out(page)

    # A visitor sees it on the agenda and in the month calendar.
    page.goto(f"{base}/")
    assert TITLE in page.inner_text(".event-list")
    assert "Beta" in page.inner_text(".event-list")
    page.goto(f"{base}/calendar?month={day.strftime('%Y-%m')}")
    page.click(f"a.cal-event:has-text('{TITLE}')")
    page.wait_for_selector("h1.event-title")
    assert page.url == event_url
