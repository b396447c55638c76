"""The API reference page (at 390 and 1280 px) and the account page's tokens (at 390 px) in a
real Chromium: Swagger UI runs from this site's files under the strict CSP (nothing refused),
nothing sticks out sideways, and axe finds no WCAG A/AA violation, every operation open and
in the Authorize dialog."""

import pytest

from events.extensions import db
from tests.api.conftest import token_for
from tests.conftest import ARTIFACTS, browser_login
from tests.factories import PASSWORD, make_event, make_partner, make_user
from tests.phones import PHONE, overflow, wcag_violations

pytestmark = pytest.mark.e2e


DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def _open(browser, url: str, *, bypass_csp: bool, login_as=None, screen=PHONE):
    context = browser.new_context(**screen, locale="en-GB", bypass_csp=bypass_csp)
    context.set_default_timeout(15_000)
    page = context.new_page()
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text
            or "Refused to" in m.text else None)
    if login_as is not None:
        browser_login(page, url.split("/", 3)[0] + "//" + url.split("/", 3)[2],
                      login_as, PASSWORD)
        page.wait_for_load_state()
    page.goto(url)
    return context, page, refused


@pytest.mark.parametrize("screen", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_api_docs_page_runs_under_the_csp_and_fits_a_phone(app, live_server, browser, screen):
    make_event(lead=make_partner())
    db.session.commit()
    url = live_server.url + "/api/v1/docs"
    context, page, refused = _open(browser, url, bypass_csp=False, screen=screen)
    try:
        page.wait_for_selector(".swagger-ui .opblock", state="attached")
        assert page.locator(".swagger-ui .opblock").count() >= 10
        assert refused == []
        assert overflow(page) is None
    except AssertionError:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "api-docs.png"), full_page=True)
        raise
    finally:
        context.close()
    context, page, _refused = _open(browser, url, bypass_csp=True, screen=screen)
    page.wait_for_selector(".swagger-ui .opblock", state="attached")
    for control in page.locator(".swagger-ui .opblock-summary-control").all():
        control.click()  # every operation opened: parameters, bodies, answers
    page.wait_for_selector(".swagger-ui .opblock-body", state="attached")
    page.locator(".swagger-ui .models-control").click()
    assert overflow(page) is None
    found = {"operations open": wcag_violations(page)}
    page.locator(".swagger-ui .btn.authorize").click()
    page.wait_for_selector(".swagger-ui .modal-ux", state="attached")
    found["authorize dialog"] = wcag_violations(page)
    assert found == {"operations open": [], "authorize dialog": []}
    context.close()


def test_account_page_tokens_fit_a_phone_and_pass_axe(app, live_server, browser):
    staff = make_user("staff", make_partner(), email="tokens@example.org")
    token_for(staff)
    db.session.commit()
    context, page, _refused = _open(browser, live_server.url + "/account", bypass_csp=True,
                                    login_as="tokens@example.org")
    page.fill("#api-tokens input[name=name]", "Nightly export to the partner CRM system")
    with page.expect_navigation():
        page.click("#api-tokens button.primary")
    assert page.locator("#new-token").input_value().startswith("je_")
    assert page.locator(".token-list li").count() == 2
    assert overflow(page) is None
    assert wcag_violations(page) == []
    context.close()
