"""The webhooks pages on a phone: at 390 px in English and Russian nothing sticks out, and axe
finds no WCAG A/AA violation, on the demo data with an endpoint that has a long address, a
delivered message and a dead one (tests/phones.py makes it), and on the form answered with an
error."""

import pytest
import sqlalchemy as sa

from events.auth.models import User
from events.enums import Role
from events.extensions import db
from tests.conftest import browser_login
from tests.phones import DEMO_PASSWORD, PHONE, load_demo, overflow, wcag_violations

pytestmark = pytest.mark.e2e


def test_webhooks_pages_fit_a_phone_and_pass_axe(demo_server, browser, app):
    demo = load_demo()
    partner = demo.partners[0]
    [endpoint_id] = demo.webhooks[partner.slug]
    coordinator = db.session.scalar(sa.select(User).where(
        User.partner_id == partner.id, User.role == Role.COORDINATOR).order_by(User.id))
    email = coordinator.email
    base = f"{demo_server.url}/partners/{partner.slug}/webhooks"
    db.session.commit()
    db.session.close()
    paths = ["/", "/new", f"/{endpoint_id}", f"/{endpoint_id}/deliveries"]
    found = {}
    for language in ("en", "ru"):
        user = db.session.scalar(sa.select(User).where(User.email == email))
        user.locale = language
        db.session.commit()
        db.session.close()
        context = browser.new_context(**PHONE, bypass_csp=True,
                                      locale={"en": "en-GB", "ru": "ru-RU"}[language])
        context.set_default_timeout(10_000)
        page = context.new_page()
        browser_login(page, demo_server.url, email, DEMO_PASSWORD)
        page.wait_for_url(f"{demo_server.url}/")
        for path in paths:
            response = page.goto(base + path)
            assert response.status == 200, path
            found[f"{language} {path}"] = (overflow(page), wcag_violations(page))
        page.goto(base + "/new")
        page.fill("input[name=url]", "http://127.0.0.1/private")
        with page.expect_navigation():
            page.click("form.form button[type=submit]")
        assert page.locator(".error").count() >= 1
        found[f"{language} /new (refused)"] = (overflow(page), wcag_violations(page))
        context.close()
    assert found == {where: (None, []) for where in found}
