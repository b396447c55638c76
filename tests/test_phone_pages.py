"""The pages reshaped for phones, in a real headless Chromium at 390 px: check-in at the door,
the month as a list of days, the event page's action near the top, the header folding into a
menu (and fitting two rows in Russian at 1280 px), and axe's WCAG check on each of them."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from events.db import utcnow
from events.enums import EventFormat, EventStatus, RegistrationStatus
from events.extensions import db
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
from tests.phones import DEMO_PASSWORD, PHONE, load_demo, overflow, wcag_violations

pytestmark = pytest.mark.e2e


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
    soon = utcnow().replace(microsecond=0) + timedelta(minutes=30)  # check-in is open
    event = make_event(lead=host, title="Open lab tour", capacity=30, starts_at=soon,
                       ends_at=soon + timedelta(hours=2))
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

    # 320 px (a 1280 px screen at 400 % zoom): still no sideways scrolling.
    narrow = browser.new_page(viewport={"width": 320, "height": 640})
    narrow.goto(url)
    assert overflow(narrow) is None
    narrow.close()

    wide = browser.new_page(viewport={"width": 1280, "height": 900})
    wide.goto(url)
    expect(wide.locator("table.month")).to_be_visible()
    expect(wide.locator(".month-list")).to_be_hidden()
    # The grid prints each event's status in words, as the week view does.
    expect(wide.locator(".cal-event", has_text="Patent clinic")).to_contain_text("Cancelled")
    expect(wide.locator(".cal-event", has_text="Biotech breakfast")).to_contain_text("Scheduled")
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
    assert overflow(page) is None  # evaluate runs although the page's own scripts are off
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


def test_registration_questions_and_approval_pages_fit_a_phone_and_pass_axe(
        app, live_server, browser):
    from events.registrations import approval, questions
    from events.registrations.services import register

    host = make_partner()
    staff = make_user("staff", host, email="questions@example.org")
    event = make_event(lead=host, title="Открытая лаборатория: биотехнологии и патенты",
                       capacity=1)
    long = "Какие темы вам интереснее всего обсудить с экспертами технопарка"
    with app.test_request_context("/", method="POST"):
        asked = [
            questions.add_question(staff, event, kind="text", label="Dietary needs",
                                   help_text="Allergies, vegetarian, halal…", is_required=True),
            questions.add_question(staff, event, kind="long_text", label=long),
            questions.add_question(staff, event, kind="single_choice", label="Track",
                                   choices=["Биотехнологии и фармацевтика", "IT"]),
            questions.add_question(staff, event, kind="multiple_choice", label="Topics",
                                   choices=["Патентование изобретений за рубежом", "AI"]),
            questions.add_question(staff, event, kind="consent", is_required=True,
                                   label="I agree to be photographed and filmed"),
        ]
        answers = {f"q{q.id}": ["Вегетарианское меню без орехов и глютена " * 2]
                   for q in asked[:2]} | {f"q{asked[4].id}": ["y"]}
        register(make_user(name="Konstantin Konstantinopolsky"), event, answers)
        approval.set_needs_approval(staff, event, True)
        waiting = make_user(email="waiting@example.org",
                            name="Александра Константинопольская-Щедрина")
        pending = register(waiting, event, answers).registration
    make_user(email="newcomer@example.org")
    event_id, pending_id = event.id, pending.id
    commit()
    base = live_server.url
    looks = {
        "newcomer@example.org": [f"/events/{event_id}", f"/events/{event_id}/register"],
        "waiting@example.org": [f"/events/{event_id}", "/my/events",
                                f"/registrations/{pending_id}/answers"],
        "questions@example.org": [f"/events/{event_id}/questions",
                                  f"/events/{event_id}/attendees"],
    }
    found = {}
    for email, paths in looks.items():
        context = browser.new_context(**PHONE, bypass_csp=True, locale="en-GB")
        page = context.new_page()
        browser_login(page, base, email, PASSWORD)
        page.wait_for_url(f"{base}/")
        for path in paths:
            page.goto(base + path)
            assert overflow(page) is None, path
            found[f"{email} {path}"] = wcag_violations(page)
        if email == "newcomer@example.org":  # the form refused: errors beside the fields
            with page.expect_navigation():
                page.click("form.answers-form button[type=submit]")
            expect(page.locator(".error-summary")).to_be_visible()
            assert overflow(page) is None
            found[f"{email} refused answers"] = wcag_violations(page)
        context.close()
    assert found == {where: [] for where in found}
