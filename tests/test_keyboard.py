"""The keyboard alone, in a real Chromium: sign in, register, propose an event and check in
five attendees, asserting where the focus is after each step; and after every failed form
submit the focus is on the error summary, which links to each field, and each error is tied
to its field."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from events.db import utcnow
from events.enums import EventStatus
from events.extensions import db
from tests.factories import PASSWORD, make_event, make_registration, make_user, make_venue

pytestmark = pytest.mark.e2e

# What has the focus: tag, id, name, its accessible text, and whether it is the error summary.
FOCUSED = """() => { const el = document.activeElement;
  return {tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name'),
          text: (el.getAttribute('aria-label') || el.innerText || el.value || '').trim(),
          summary: el.classList.contains('error-summary')}; }"""


def focused(page) -> dict:
    return page.evaluate(FOCUSED)


def tab_to(page, text: str, limit: int = 60) -> int:
    """Press Tab until the focused control's text starts with `text`; how many presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if focused(page)["text"].startswith(text):
            return presses
    raise AssertionError(f"{text!r} not reached in {limit} Tab presses")


def commit() -> None:
    db.session.commit()
    db.session.close()


def test_sign_in_register_propose_and_check_in_with_the_keyboard_alone(live_server, page):
    base = live_server.url
    resident = make_user(email="reader@example.org", name="Rita Reader")
    staff = make_user("staff", email="door@example.org", name="Dora Door")
    make_venue(staff.partner, name="Hall A")
    soon = utcnow().replace(microsecond=0) + timedelta(minutes=30)  # check-in is open
    talk = make_event(lead=staff.partner, title="Open lab tour", capacity=30, starts_at=soon,
                      ends_at=soon + timedelta(hours=2))
    guests = [make_user(name=f"Guest {n:02d}") for n in range(1, 8)]
    for guest in guests:
        make_registration(talk, guest)
    talk_id, resident_email, staff_email = talk.id, resident.email, staff.email
    commit()

    # Sign in: the e-mail field has the focus when the page opens; a wrong password moves it
    # to the error summary, whose link leads back to the field.
    page.goto(base + "/signin")
    expect(page.locator("input[name=email]")).to_be_focused()
    page.keyboard.type(resident_email)
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "password"
    page.keyboard.type("not the password")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert focused(page)["summary"]
    expect(page.locator(".error-summary")).to_contain_text("Wrong email or password.")
    page.keyboard.press("Tab")
    assert focused(page)["text"].startswith("Password")
    page.keyboard.press("Enter")
    assert focused(page)["name"] == "password"
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == base + "/"

    # The first Tab reaches the skip link, which moves the focus to the content.
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to content"
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"

    # Register for the event from its page.
    page.goto(f"{base}/events/{talk_id}")
    assert focused(page)["tag"] == "body"
    tab_to(page, "Register")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".registration-state")).to_contain_text("You have a seat")
    tab_to(page, "Cancel my registration")
    page.context.clear_cookies()

    # Staff propose an event: a blank form puts the focus on the summary; its first link
    # puts it in the title field.
    page.goto(base + "/signin")
    # Autofocus lands on the next frame after "load": type only once it has.
    expect(page.locator("input[name=email]")).to_be_focused()
    page.keyboard.type(staff_email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.goto(base + "/events/new")
    assert page.locator(".error-summary").count() == 0, "no summary before a submit"
    tab_to(page, "Save draft")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert focused(page)["summary"]
    page.keyboard.press("Tab")
    assert focused(page)["text"].startswith("Title")
    page.keyboard.press("Enter")
    assert focused(page)["name"] == "title_en"  # the reader's language comes first
    page.keyboard.type("Keyboard workshop")
    starts = (utcnow() + timedelta(days=20)).replace(hour=10, minute=0)
    # Headless Chromium's date-and-time inputs ignore typed digits: these two are filled.
    for name, value in (("starts_at", starts), ("ends_at", starts + timedelta(hours=2))):
        page.fill(f"input[name={name}]", value.strftime("%Y-%m-%dT%H:%M"))
    venue = page.locator("select[name=venue]")
    venue.focus()
    page.keyboard.press("ArrowDown")
    assert venue.input_value() != "0"
    tab_to(page, "Save draft")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert re.search(r"/events/\d+$", page.url), page.locator(".error-summary").all_inner_texts()
    tab_to(page, "Propose to partners")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("main .badge").first).to_have_text("Proposed")

    # Check in five attendees: after each check-in the focus is on the next one.
    page.goto(f"{base}/events/{talk_id}/attendees")
    tab_to(page, "Check in Guest 01")
    for n in range(1, 6):
        assert focused(page)["text"] == f"Check in Guest {n:02d}"
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect(page.locator(".flash-success")).to_contain_text(f"Guest {n:02d} is checked in")
    assert focused(page)["text"] == "Check in Guest 06"
    expect(page.locator("[data-count=checked_in]")).to_have_text("5")

    # A search puts the focus just above the results; the next Tab reaches the first match.
    page.focus("input[type=search]")
    page.keyboard.type("Guest 07")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert focused(page)["id"] == "matches"
    tab_to(page, "Check in Guest 07", limit=5)  # the table's scroll box, then the button


# Forms sent blank (or with a wrong password): page, who, what to type first.
FORMS = [
    ("/signin", None, {"email": "reader@example.org", "password": "wrong password"}),
    ("/signup", None, {}),
    ("/password/forgot", None, {}),
    ("/account/password", "reader@example.org", {}),
    ("/events/new", "door@example.org", {}),
    ("/events/{event}/contributions/new", "door@example.org", {}),
    ("/accounts", "admin@example.org", {}),
    ("/partners/new", "admin@example.org", {}),
    ("/agreements/new", "admin@example.org", {}),
    ("/programmes/new", "admin@example.org", {}),
    ("/calendar/import", "door@example.org", {}),
]

TIED = """() => {
  const summary = document.querySelector('.error-summary');
  const links = [...summary.querySelectorAll('a')].map(a => a.getAttribute('href').slice(1));
  const errors = [...document.querySelectorAll('main .error[id]')];
  const problems = [];
  for (const error of errors) {
    const control = document.querySelector(`[aria-describedby~="${error.id}"]`);
    if (!control) { problems.push('not tied: ' + error.id); continue; }
    const target = control.matches('fieldset') ? control.querySelector('input') : control;
    if (!links.includes(target.id)) problems.push('no summary link to ' + target.id);
    if (!control.matches('fieldset') && control.getAttribute('aria-invalid') !== 'true')
      problems.push('not marked invalid: ' + control.id);
  }
  for (const id of links) if (!document.getElementById(id)) problems.push('dead link #' + id);
  return {errors: errors.length, links: links.length, problems};
}"""


@pytest.mark.parametrize(("path", "who", "typed"), FORMS,
                         ids=[path for path, _, _ in FORMS])
def test_after_a_failed_submit_the_focus_is_on_the_error_summary(live_server, page, path, who,
                                                                 typed):
    make_user(email="reader@example.org")
    door = make_user("staff", email="door@example.org")
    make_user("admin", email="admin@example.org")
    event = make_event(lead=door.partner, status=EventStatus.SCHEDULED)
    event_id = event.id
    commit()
    if who:
        page.goto(live_server.url + "/signin")
        page.fill("input[name=email]", who)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("form.form button[type=submit]")
    page.goto(live_server.url + path.format(event=event_id))
    assert page.locator(".error-summary").count() == 0
    form = page.locator("main form[method=post]").filter(has=page.locator(".field")).last
    for name, value in typed.items():
        form.locator(f"[name={name}]").fill(value)
    with page.expect_navigation():
        form.evaluate("f => { f.noValidate = true; f.requestSubmit(); }")
    assert focused(page)["summary"], focused(page)
    found = page.evaluate(TIED)
    assert found["problems"] == []
    assert found["errors"] >= 1
    assert found["links"] >= found["errors"] or path == "/calendar/import"
