"""Phones are first-class: at 390 px no page scrolls sideways, for any role, in either
language; the door check-in, the month, the event page's action and the navigation are
usable there. Real headless Chromium on the demo data."""

import re
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_login import AnonymousUserMixin
from playwright.sync_api import expect

from events.auth.models import User
from events.auth.permissions import can_view_event
from events.db import utcnow
from events.enums import EventFormat, EventStatus, RegistrationStatus
from events.extensions import db
from events.planning.models import Event
from events.registrations.models import Registration
from tests.conftest import ARTIFACTS, browser_login
from tests.factories import (
    PASSWORD,
    make_event,
    make_partner,
    make_registration,
    make_user,
    make_venue,
)
from tests.phones import (
    DEMO_PASSWORD,
    LANGUAGES,
    PHONE,
    STAFF_ROLES,
    load_demo,
    pages,
    unfillable,
)
from tests.test_accessibility import AXE
from tests.test_routes import all_rows

pytestmark = pytest.mark.e2e

# Outermost and innermost elements sticking out past the right edge, ignoring what sits
# inside a scroll container (that scrolls on its own and does not widen the page).
OVERFLOW_JS = """() => {
  const root = document.documentElement, width = root.clientWidth;
  if (root.scrollWidth <= width) return null;
  // Inside a scroll container an element scrolls with it instead of widening the page; an
  // absolutely placed one only when the container is its containing block.
  const contained = el => {
    let position = getComputedStyle(el).position;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (position === 'fixed') return false;
      const style = getComputedStyle(p);
      if (position === 'absolute' && style.position === 'static') continue;
      if (style.overflowX !== 'visible') return true;
      position = style.position;
    }
    return false;
  };
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
      + [...el.classList].map(c => '.' + c).join('');
  const path = el => { const parts = [];
      for (let n = el; n && n !== document.body && parts.length < 4; n = n.parentElement)
        parts.unshift(name(n));
      return parts.join(' > '); };
  const right = el => Math.round(el.getBoundingClientRect().right);
  const out = [...document.body.querySelectorAll('*')].filter(el => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.right > width + 0.5 && el.checkVisibility() && !contained(el); });
  const outer = out.filter(el => !out.some(o => o !== el && o.contains(el)));
  const inner = out.filter(el => !out.some(o => o !== el && el.contains(o)))
      .sort((a, b) => right(b) - right(a));
  const text = el => (el.innerText || el.value || el.textContent || '').trim();
  const describe = el => path(el) + ' [right ' + right(el) + 'px] "'
      + text(el).replace(/\\s+/g, ' ').slice(0, 40) + '"';
  return {width: root.scrollWidth,
          culprits: [...new Set([...outer.slice(0, 2), ...inner.slice(0, 4)].map(describe))]};
}"""

# Which roles open a route, by its access word in the route matrix (tests/**/routes.py).
# Refusals are the same sign-in or error page every time: each role sees one below.
OPENS = {
    "anyone": None, "token": None,
    "signed-in": {"resident", *STAFF_ROLES},
    "staff": set(STAFF_ROLES),
    "admin": {"admin"},
}
REFUSED = {"visitor": "/events/999999", "resident": "/staff", "staff": "/partners/new"}

# An .ics with a long title and an unbroken address, for the import preview.
LONG_EVENT = """BEGIN:VEVENT
UID:phone-long-event@example.org
DTSTAMP:20260101T000000Z
DTSTART:20300115T100000Z
DTEND:20300115T120000Z
SUMMARY:Междисциплинарная научно-практическая конференция биотехнологических кластеров
LOCATION:https://meet.example.org/a-very-long-online-meeting-address-without-breaks-0123456789
END:VEVENT
"""


def overflow(page):
    return page.evaluate(OVERFLOW_JS)


def sign_in(context, base: str, email: str) -> None:
    page = context.new_page()
    page.goto(base + "/signin")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    assert "/signin" not in page.url, f"{email} could not sign in"
    page.close()


def user_of(email: str | None):
    if email is None:
        return AnonymousUserMixin()
    return db.session.scalar(sa.select(User).where(User.email == email))


def set_language(email: str | None, language: str) -> None:
    """Signed-in people read in their account's language; visitors in the browser's."""
    if email:
        user_of(email).locale = language
        db.session.commit()


def paths_for(role: str, email: str | None, found) -> list[str]:
    """The pages this role opens: routes its access word allows, event pages of the events
    it may see, and one refusal."""
    rows, user = all_rows(), user_of(email)
    paths = []
    for page in found:
        allowed = OPENS[rows[page.endpoint]]
        if allowed is not None and role not in allowed:
            continue
        if page.endpoint == "planning.detail" and not can_view_event(
                user, db.session.get(Event, page.event_id)):
            continue
        paths.append(page.path)
    return [*paths, REFUSED.get(role, "/events/999999")]


def scenes(page, base: str, role: str):
    """Pages that only a POST shows: a form answered with errors, the import preview."""
    if role == "visitor":
        page.goto(base + "/signin")
        page.fill("input[name=email]", "nobody@example.org")
        page.fill("input[name=password]", "wrong password")
        with page.expect_navigation():
            page.click("form.form button[type=submit]")
        yield "/signin (refused)"
    if role in STAFF_ROLES:
        page.goto(base + "/events/new")
        with page.expect_navigation():
            page.click("form.event-form button[type=submit]")
        yield "/events/new (errors)"
    if role in STAFF_ROLES and role != "admin":  # imports become drafts of one's partner
        feed = page.context.request.get(base + "/calendar.ics").text()
        ics = feed.replace("END:VCALENDAR", LONG_EVENT + "END:VCALENDAR")
        page.goto(base + "/calendar/import")
        page.set_input_files("input[type=file]", files=[
            {"name": "partners.ics", "mimeType": "text/calendar", "buffer": ics.encode()}])
        with page.expect_navigation():
            page.click("form.form button[type=submit]")
        yield "/calendar/import (preview)"


def test_every_get_route_is_filled_or_explained(app):
    assert unfillable(app) == [], "give these routes a provider in tests/phones.py or a reason"


def test_no_page_scrolls_sideways_at_390px(demo_server, browser, app):
    started = time.monotonic()
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 3600  # the browser keeps CSS between pages
    demo = load_demo()
    base = demo_server.url
    found_pages = pages(app, demo)
    roles = {"visitor": None, "resident": demo.resident.email, **STAFF_ROLES}
    found, seen = {}, 0
    for role, email in roles.items():
        state, paths = None, paths_for(role, email, found_pages)
        for language in LANGUAGES:
            set_language(email, language)
            context = browser.new_context(
                **PHONE, locale={"en": "en-GB", "ru": "ru-RU"}[language], storage_state=state)
            context.set_default_timeout(10_000)
            if email and state is None:
                sign_in(context, base, email)
                state = context.storage_state()
            page = context.new_page()
            for path in paths:
                page.goto(base + path)
                seen += 1
                if problem := overflow(page):
                    found[f"{role} {language} {path}"] = problem
            for scene in scenes(page, base, role):
                seen += 1
                if problem := overflow(page):
                    found[f"{role} {language} {scene}"] = problem
            context.close()
    print(f"\n{seen} page views at 390 px in {time.monotonic() - started:.1f}s")
    if found:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "phone-overflow.txt").write_text("\n".join(
            f"{where}: {p['width']}px\n    " + "\n    ".join(p["culprits"])
            for where, p in found.items()))
    assert not found, f"{len(found)} pages wider than 390 px:\n" + "\n".join(
        f"{where}: {p['width']}px — " + "; ".join(p["culprits"][:3])
        for where, p in found.items())


# ---- the pages reshaped for phones ---------------------------------------------------------

@pytest.fixture
def phone(browser, request):
    """A 390 px touch phone; a screenshot lands in test-artifacts/ on failure."""
    context = browser.new_context(**PHONE, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def commit() -> None:
    """Commit the scene and hold no transaction open: the live server's threads write to
    the same SQLite file."""
    db.session.commit()
    db.session.close()


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not displayed"
    return found


def across(found: dict) -> bool:
    """Within the phone's width."""
    return found["x"] >= 0 and found["x"] + found["width"] <= PHONE["viewport"]["width"]


def in_first_screen(found: dict) -> bool:
    return found["y"] >= 0 and found["y"] + found["height"] <= PHONE["viewport"]["height"]


def test_check_in_at_the_door_is_a_name_and_one_large_button(app, live_server, phone):
    host = make_partner(short_name="Technopolis")
    staff = make_user("staff", host, email="door@example.org")
    event = make_event(lead=host, title="Open lab tour", capacity=30)
    people = [make_user(name=f"Konstantin Konstantinopolsky {n}",
                        company="Научно-производственное объединение «Микроэлектроника»")
              for n in range(14)]
    seats = {person.name: make_registration(event, person).id for person in people}
    make_registration(event, make_user(name="Wendy Waiting"),
                      status=RegistrationStatus.WAITLISTED, confirmed_at=None)
    email, event_id = staff.email, event.id
    commit()
    browser_login(phone, live_server.url, email, PASSWORD)
    phone.wait_for_url(f"{live_server.url}/")

    phone.goto(f"{live_server.url}/events/{event_id}/attendees")
    assert overflow(phone) is None
    expect(phone.locator("section.attendees-confirmed table")).to_be_hidden()
    cards = phone.locator("section.attendees-confirmed .attendee-card")
    expect(cards).to_have_count(len(seats))
    search, first = box(phone.get_by_role("searchbox")), box(cards.first)
    assert search["y"] + search["height"] <= first["y"], "the search is above the list"
    for n in range(len(seats)):
        button = box(cards.nth(n).get_by_role("button"))
        assert across(button)
        assert button["height"] >= 44, "a thumb-sized button"

    # Scrolled to the end of the list, the search is still on screen.
    phone.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    search = box(phone.get_by_role("searchbox"))
    assert in_first_screen(search)

    name = "Konstantin Konstantinopolsky 6"
    with phone.expect_navigation():
        phone.get_by_role("button", name=f"Check in {name}").click()
    card = phone.locator(".attendee-card", has_text=name)
    expect(card).to_have_class(re.compile("is-checked-in"))
    expect(card).to_contain_text("✓")
    assert db.session.get(Registration, seats[name]).checked_in_at is not None


def test_month_on_a_phone_is_a_list_of_days_with_events(app, live_server, phone, browser):
    month = (utcnow() + timedelta(days=45)).replace(day=1, hour=9, minute=0, second=0,
                                                     microsecond=0)
    host = make_partner()
    make_event(lead=host, title="Biotech breakfast", starts_at=month + timedelta(days=9),
               ends_at=month + timedelta(days=9, hours=2))
    make_event(lead=host, title="Patent clinic", starts_at=month + timedelta(days=19),
               ends_at=month + timedelta(days=19, hours=1), status=EventStatus.CANCELLED)
    commit()
    url = f"{live_server.url}/calendar?month={month:%Y-%m}"

    phone.goto(url)
    assert overflow(phone) is None
    expect(phone.locator("table.month")).to_be_hidden()
    days = phone.locator(".month-list > li.month-day")
    expect(days).to_have_count(2)  # only the days that have events
    expect(days.nth(0).locator("h2")).to_contain_text(f"{month + timedelta(days=9):%B}")
    first = days.nth(0).locator(".month-event")
    expect(first).to_contain_text("12:00")  # 09:00 UTC in Moscow
    expect(first.get_by_role("link", name="Biotech breakfast")).to_be_visible()
    expect(first).to_contain_text("Scheduled")
    expect(days.nth(1).locator(".month-event")).to_contain_text("Cancelled")

    wide = browser.new_page(viewport={"width": 1280, "height": 900})
    wide.goto(url)
    expect(wide.locator("table.month")).to_be_visible()
    expect(wide.locator(".month-list")).to_be_hidden()
    wide.close()


def test_register_is_near_the_top_of_an_event_page_on_a_phone(app, live_server, phone, browser):
    host = make_partner()
    venue = make_venue(host, name="Congress hall", address="Volgogradsky prospekt 42, Moscow",
                       accessibility="Step-free entrance; lift to all floors.")
    event = make_event(
        lead=host, venue=venue, title="Import substitution in laboratory equipment",
        summary="A joint event of the partners for resident companies.",
        description="\n\n".join(["A long programme paragraph. " * 20] * 6),
        format=EventFormat.HYBRID,
        online_url="https://meet.example.org/a-very-long-online-meeting-address-0123456789")
    make_user(email="reader@example.org")
    event_id = event.id
    commit()
    browser_login(phone, live_server.url, "reader@example.org", PASSWORD)
    phone.wait_for_url(f"{live_server.url}/")

    phone.goto(f"{live_server.url}/events/{event_id}")
    assert overflow(phone) is None
    register = phone.get_by_role("button", name="Register")
    button, title = box(register), box(phone.locator("h1"))
    assert in_first_screen(button), "the action is on the first screen"
    assert button["y"] - (title["y"] + title["height"]) < 400, "right under the title and date"
    assert phone.locator("form[action$='/register']").count() == 1, "one form, not a copy"
    with phone.expect_navigation():
        register.click()
    cancel = phone.get_by_role("button", name="Cancel my registration")
    expect(phone.locator(".registration-state")).to_contain_text("You have a seat")
    assert in_first_screen(box(cancel))

    # Wide screens keep the action at the head of the side column.
    wide = browser.new_page(viewport={"width": 1280, "height": 900})
    wide.goto(f"{live_server.url}/events/{event_id}")
    panel, main = box(wide.locator("#registration")), box(wide.locator(".event-main"))
    assert panel["x"] >= main["x"] + main["width"]
    assert abs(panel["y"] - main["y"]) < 24
    wide.close()


def header_rows(page) -> int:
    """How many rows the header's visible links and buttons take."""
    tops = page.evaluate("""() => [...document.querySelectorAll(
        '.site-header a, .site-header button, .site-header summary, .site-header .who')]
        .filter(el => el.checkVisibility() && el.getBoundingClientRect().height > 0)
        .map(el => { const r = el.getBoundingClientRect(); return r.top + r.height / 2; })""")
    rows = []
    for middle in sorted(tops):
        if not rows or middle - rows[-1] > 12:
            rows.append(middle)
    return len(rows)


def test_russian_header_fits_two_rows_at_1280_and_folds_into_a_menu_on_a_phone(
        app, live_server, browser):
    make_user("admin", email="admin@example.org", name="Администратор Сайта", locale="ru")
    commit()
    wide = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
    page = wide.new_page()
    browser_login(page, live_server.url, "admin@example.org", PASSWORD)
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert header_rows(page) <= 2
    nav = page.locator("nav.main-nav a")
    assert nav.count() >= 6
    assert len({round(box(nav.nth(n))["y"]) for n in range(nav.count())}) == 1, "one row"
    expect(page.locator(".menu-button")).to_be_hidden()
    state = wide.storage_state()
    wide.close()

    # A phone without JavaScript: the menu is a <details>, closed until tapped.
    phone = browser.new_context(**PHONE, locale="ru-RU", java_script_enabled=False,
                                storage_state=state)
    page = phone.new_page()
    page.goto(f"{live_server.url}/staff")
    assert overflow_without_js(page) <= 390
    assert header_rows(page) == 1
    expect(page.locator("nav.main-nav")).to_be_hidden()
    page.get_by_text("Меню").click()
    staff_area = page.get_by_role("link", name="Раздел сотрудников")
    expect(staff_area).to_be_visible()
    links = page.locator("nav.main-nav a, nav.account-nav a")
    for n in range(links.count()):
        found = box(links.nth(n))
        assert across(found)
        assert found["height"] >= 24, "a target a thumb can hit"
    with page.expect_navigation():
        page.get_by_role("link", name="Отчёты").click()
    assert page.url.endswith("/reports")
    phone.close()


def overflow_without_js(page) -> int:
    # page.evaluate runs even when the page's own scripts are off.
    return page.evaluate("document.documentElement.scrollWidth")


WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def wcag_violations(page) -> list[str]:
    """Serious and critical WCAG 2.x A/AA violations axe-core finds on the page."""
    if not AXE.exists():
        pytest.fail(f"axe-core missing at {AXE}: run `make browser`")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})", WCAG)
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_reshaped_pages_pass_axe_at_390px(demo_server, browser, app):
    demo = load_demo()
    base = demo_server.url
    upcoming = next(e for e in demo.sample if e.ends_at > utcnow())
    month = upcoming.starts_at.strftime("%Y-%m")
    public = next(e for e in demo.events if e.status == EventStatus.SCHEDULED
                  and e.audience.value == "public" and e.online_url)
    seat = db.session.scalar(sa.select(Registration.event_id).where(
        Registration.user_id == demo.resident.id,
        Registration.status == RegistrationStatus.WAITLISTED))
    looks = {
        None: [f"/events/{public.id}", f"/calendar?month={month}", "/",
               f"/partners/{demo.partners[0].slug}", "/signin"],
        demo.resident.email: [f"/events/{seat or public.id}", "/my/events"],
        "coordinator@northern.example": [
            f"/events/{upcoming.id}", f"/events/{upcoming.id}/attendees",
            f"/events/{demo.per_partner[0].id}", "/accounts", "/staff", "/reports"],
    }
    commit()
    found = {}
    for email, paths in looks.items():
        context = browser.new_context(**PHONE, bypass_csp=True, locale="en-GB")
        page = context.new_page()
        if email:
            browser_login(page, base, email, DEMO_PASSWORD)
            page.wait_for_url(f"{base}/")
        for path in paths:
            page.goto(base + path)
            found[f"{email or 'visitor'} {path}"] = wcag_violations(page)
        page.goto(base + "/")
        page.click(".menu-button")
        found[f"{email or 'visitor'} menu open"] = wcag_violations(page)
        context.close()
    assert found == {where: [] for where in found}
