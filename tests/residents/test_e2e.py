"""In a real browser: a person signs up, confirms their address from the mail, the partner's
staff confirm them as a resident, and they register for a residents-only event. The new pages
pass axe and fit a phone."""

import pytest

from events.enums import Audience, Role
from events.extensions import db
from tests.conftest import browser_login
from tests.factories import PASSWORD, make_event, make_partner, make_user
from tests.test_accessibility import violations

pytestmark = pytest.mark.e2e
STRONG = "plum-violin-harbour"


@pytest.fixture
def app(csrf_app):
    return csrf_app


@pytest.fixture
def scene(app):
    site = make_partner(slug="technopolis", name="Technopolis Moscow", short_name="Technopolis")
    event = make_event(lead=site, title="Residents' breakfast", audience=Audience.RESIDENTS)
    staff = make_user(Role.STAFF, site, email="staff@technopolis.example")
    ids = {"event": event.id, "site": site.id, "staff": staff.email}
    db.session.commit()
    db.session.close()  # the live server's threads write; this thread holds nothing open
    return ids


def fits_a_phone(browser, url: str, login=None) -> bool:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    phone = context.new_page()
    if login:
        browser_login(phone, *login)
    phone.goto(url)
    fits = phone.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
    return fits


def test_sign_up_verify_confirmed_by_staff_then_residents_only_registration(
        live_server, page, browser, scene, outbox, axe_page):
    base, event_url = live_server.url, f"{live_server.url}/events/{scene['event']}"

    page.goto(f"{base}/signup")
    page.fill("input[name=name]", "Vera Newcomer")
    page.fill("input[name=email]", "vera@biostart.example")
    page.fill("input[name=company]", "BioStart LLC")
    page.select_option("select[name=site_partner]", str(scene["site"]))
    page.fill("input[name=password]", STRONG)
    page.fill("input[name=confirm]", STRONG)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/account")
    assert "not confirmed yet" in page.inner_text("main")
    assert page.goto(event_url).status == 404  # a guest does not see residents-only events

    link = next(w for w in outbox[-1].body.split() if "/verify/" in w)
    page.goto(base + link.split("localhost", 1)[1])
    page.click("main button:has-text('Confirm my address')")
    page.wait_for_selector("text=is confirmed")
    assert "Guest, waiting for Technopolis" in page.inner_text("main")
    assert page.goto(event_url).status == 404  # verified, but not a resident yet

    other = browser.new_context(locale="en-GB")
    staff = other.new_page()
    browser_login(staff, base, scene["staff"], PASSWORD)
    staff.goto(f"{base}/residents")
    row = staff.locator("#queue tr", has_text="vera@biostart.example")
    row.locator("button:has-text('Confirm')").click()
    staff.wait_for_selector("text=Vera Newcomer is confirmed as a resident.")
    other.close()
    assert outbox[-1].recipients == ["vera@biostart.example"]

    page.goto(event_url)
    page.click("#registration button:has-text('Register')")
    page.wait_for_selector("text=You have a seat.")

    found = {}
    axe_page.goto(f"{base}/signin")
    browser_login(axe_page, base, "vera@biostart.example", STRONG)
    for path in ("/account", "/account/password", "/password/forgot"):
        axe_page.goto(base + path)
        found[path] = violations(axe_page)
    assert found == {path: [] for path in found}
    assert fits_a_phone(browser, f"{base}/account",
                        (base, "vera@biostart.example", STRONG))


def test_staff_residents_page_passes_axe_and_fits_a_phone(demo_server, axe_page, browser):
    base = demo_server.url
    browser_login(axe_page, base, "coordinator@technopolis.example", "demo-password")
    found = {}
    for path in ("/residents", "/accounts"):
        axe_page.goto(base + path)
        found[path] = violations(axe_page)
    assert found == {path: [] for path in found}
    login = (base, "coordinator@technopolis.example", "demo-password")
    assert fits_a_phone(browser, f"{base}/residents", login)
    assert fits_a_phone(browser, f"{base}/accounts", login)
