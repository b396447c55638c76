"""Phones are first-class: at 390 px no page scrolls sideways — every page in the route map,
for every role, in both languages, on the demo data, in a real headless Chromium."""

import time

import pytest
import sqlalchemy as sa
from flask_login import AnonymousUserMixin

from events.auth.models import User
from events.auth.permissions import can_view_event
from events.extensions import db
from events.planning.models import Event
from tests.conftest import ARTIFACTS
from tests.phones import (
    DEMO_PASSWORD,
    LANGUAGES,
    NOT_PAGES,
    OVERFLOW_JS,
    PHONE,
    STAFF_ROLES,
    load_demo,
    overflow,
    pages,
    sign_in_wrongly,
    unfillable,
)
from tests.test_routes import all_rows

pytestmark = pytest.mark.e2e

# Which roles open a route, by its access word in the route matrix (tests/**/routes.py).
# Refusals are the same sign-in or error page every time: each role sees one below.
OPENS = {
    "anyone": None, "token": None,
    "signed-in": {"resident", *STAFF_ROLES},
    "staff": set(STAFF_ROLES),
    "admin": {"admin"},
}
REFUSED = {"visitor": "/events/999999", "resident": "/staff", "staff": "/partners/new"}
# The page's language and what sticks out, in one round trip.
LOOK = f"() => [document.documentElement.lang, ({OVERFLOW_JS})()]"
# Signed-in people opening these are sent on to the agenda, which is looked at anyway.
VISITORS_ONLY = {"auth.signin", "auth.signup"}

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
        if page.endpoint in VISITORS_ONLY and email is not None:
            continue
        if page.endpoint == "planning.detail" and not can_view_event(
                user, db.session.get(Event, page.event_id)):
            continue
        paths.append(page.path)
    return [*paths, REFUSED.get(role, "/events/999999")]


def scenes(page, base: str, role: str):
    """Pages that only a POST shows: a form answered with errors, the import preview."""
    if role == "visitor":
        sign_in_wrongly(page, base)
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


@pytest.mark.browser_matrix
def test_no_page_scrolls_sideways_at_390px(demo_server, browser, app):
    started = time.monotonic()
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 3600  # the browser keeps CSS between pages
    demo = load_demo()
    base = demo_server.url
    found_pages = pages(app, demo)
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if "GET" in r.methods}
    assert endpoints - set(NOT_PAGES) <= {p.endpoint for p in found_pages}, "the demo fills all"
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
                shown_in, problem = page.evaluate(LOOK)
                assert shown_in == language, (role, path)
                seen += 1
                if problem:
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
