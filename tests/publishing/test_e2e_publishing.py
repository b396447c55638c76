"""In a real Chromium: the widget framed by a page from another loopback origin (shown when
that origin is listed, refused when not), the event page's JSON-LD under the strict CSP, and
the new pages at 390 px and under axe."""

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from events.enums import Role
from events.extensions import db
from tests.conftest import browser_login
from tests.factories import PASSWORD, make_event, make_partner, make_user, make_venue
from tests.phones import LANGUAGES, PHONE, overflow, wcag_violations

pytestmark = pytest.mark.e2e


def commit() -> None:
    """Commit and hold no transaction open: the live server's threads use the same file."""
    db.session.commit()
    db.session.close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def other_site(tmp_path):
    """A second website on another loopback origin (another port): a directory of pages
    served by http.server, as a partner's own site would serve its page."""
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 partial(QuietHandler, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}"
    server.root = tmp_path
    yield server
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


def host_page(site, name: str, src: str) -> str:
    (site.root / name).write_text(
        f'<!doctype html><html lang="en"><head><title>Partner site</title></head><body>'
        f'<h1>Our events</h1><iframe id="agenda" src="{src}" title="Agenda" width="600" '
        f'height="400"></iframe></body></html>', encoding="utf-8")
    return f"{site.url}/{name}"


def widget_frame(page):
    """The iframe's frame once it has loaded (or been refused)."""
    handle = page.locator("iframe#agenda").element_handle()
    frame = handle.content_frame()
    frame.wait_for_load_state()
    return frame


def test_widget_shows_inside_a_listed_website_and_is_refused_by_others(
        app, live_server, other_site, browser):
    app.config["SITE_URL"] = live_server.url  # the widget's links are absolute
    listed = make_partner(short_name="Technopolis", embed_origins=other_site.url)
    unlisted = make_partner(short_name="Northern",
                            embed_origins="https://www.northern.example")
    make_event(lead=listed, title="Open lab tour")
    make_event(lead=unlisted, title="Biotech breakfast")
    listed_slug, unlisted_slug = listed.slug, unlisted.slug
    commit()
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    refusals = []
    page.on("console", lambda m: refusals.append(m.text) if "frame-ancestors" in m.text
            else None)

    page.goto(host_page(other_site, "allowed.html",
                        f"{live_server.url}/embed/partners/{listed_slug}"))
    frame = widget_frame(page)
    assert frame.url == f"{live_server.url}/embed/partners/{listed_slug}"
    expect(frame.locator("h1")).to_have_text("Events with Technopolis")
    link = frame.get_by_role("link", name="Open lab tour (opens in a new tab)")
    expect(link).to_have_attribute("target", "_blank")
    with context.expect_page() as opened:
        link.click()
    event_tab = opened.value
    event_tab.wait_for_load_state()
    assert event_tab.url.startswith(f"{live_server.url}/events/")
    expect(event_tab.locator("h1")).to_have_text("Open lab tour")
    # rel=noopener: the event page cannot reach back into the partner's page.
    assert event_tab.evaluate("() => window.opener") is None
    assert refusals == []

    page.goto(host_page(other_site, "refused.html",
                        f"{live_server.url}/embed/partners/{unlisted_slug}"))
    frame = widget_frame(page)
    assert frame.url.startswith("chrome-error://")  # Chromium's page for a refused frame
    assert frame.locator("text=Biotech breakfast").count() == 0
    assert any("frame-ancestors" in text for text in refusals), refusals
    context.close()


def test_other_pages_refuse_to_be_framed_even_by_a_listed_website(
        app, live_server, other_site, browser):
    partner = make_partner(embed_origins=other_site.url)
    slug, name = partner.slug, partner.name
    commit()
    page = browser.new_context().new_page()
    page.goto(host_page(other_site, "agenda.html", f"{live_server.url}/partners/{slug}"))
    frame = widget_frame(page)
    assert frame.url.startswith("chrome-error://")  # Chromium's page for a refused frame
    assert frame.locator(f"text={name}").count() == 0
    page.context.close()


def test_json_ld_under_the_strict_csp_reports_no_violation(app, live_server, browser):
    event = make_event(title="</script><script>window.pwned = 1</script>",
                       venue=make_venue())
    event_id = event.id
    commit()
    context = browser.new_context()
    context.add_init_script(
        "window.violations = []; document.addEventListener('securitypolicyviolation',"
        " e => window.violations.push(e.violatedDirective + ' ' + e.blockedURI));")
    page = context.new_page()
    messages = []
    page.on("console", lambda m: messages.append(m.text))
    page.goto(f"{live_server.url}/events/{event_id}")
    data = page.evaluate("() => [...document.querySelectorAll("
                         "'script[type=\"application/ld+json\"]')].map(s => JSON.parse(s.text))")
    assert len(data) == 1
    assert data[0]["name"] == "</script><script>window.pwned = 1</script>"
    assert page.evaluate("() => window.violations") == []
    assert not [m for m in messages if "Content Security Policy" in m]
    assert page.evaluate("() => window.pwned") is None
    # No script element came out of the title: the page's own scripts only.
    sources = page.evaluate("() => [...document.scripts].map(s => s.type || s.src)")
    assert all(s == "application/ld+json" or s.startswith(live_server.url) for s in sources)
    context.close()


def test_new_pages_fit_a_phone_and_pass_axe(app, live_server, browser):
    partner = make_partner(name="Технополис «Москва»", short_name="Технополис",
                           embed_origins="https://www.technopolis.example")
    make_event(lead=partner, title="Междисциплинарная научно-практическая конференция "
               "биотехнологических кластеров и индустриальных партнёров", venue=make_venue())
    make_event(lead=partner, title="Cancelled breakfast", status="cancelled")
    admin = make_user(Role.ADMIN, email="admin@example.org")
    staff = make_user(Role.STAFF, partner=partner, email="staff@example.org")
    slug, emails = partner.slug, {"admin": admin.email, "staff": staff.email}
    commit()
    paths = [f"/embed/partners/{slug}", f"/embed/partners/{slug}?lang=ru",
             "/embed/categories/seminar", f"/embed/partners/{slug}?category=workshop"]
    found = {}
    for who in (None, "staff", "admin"):
        for language in LANGUAGES:
            for width in (390, 1280):
                options = PHONE if width == 390 else {"viewport": {"width": 1280,
                                                                   "height": 900}}
                context = browser.new_context(
                    **options, bypass_csp=True,
                    locale={"en": "en-GB", "ru": "ru-RU"}[language])
                page = context.new_page()
                mine = list(paths) if who is None else []
                if who is not None:
                    browser_login(page, live_server.url, emails[who], PASSWORD)
                    page.wait_for_url(f"{live_server.url}/")
                    mine = [f"/partners/{slug}"]
                    if who == "admin":
                        mine.append(f"/partners/{slug}/edit")
                for path in mine:
                    page.goto(live_server.url + path)
                    problems = wcag_violations(page)
                    if wide := overflow(page):
                        problems.append(f"wider than the screen: {wide}")
                    if problems:
                        found[f"{who} {language} {width} {path}"] = problems
                if who == "admin":
                    page.goto(f"{live_server.url}/partners/{slug}/edit")
                    page.fill("textarea[name=embed_origins]", "http://example.org")
                    page.fill("input[name=embed_accent]", "#eeeeee")
                    with page.expect_navigation():
                        page.click("form.form button[type=submit]")
                    expect(page.locator(".error-summary")).to_be_visible()
                    problems = wcag_violations(page)
                    if wide := overflow(page):
                        problems.append(f"wider than the screen: {wide}")
                    if problems:
                        found[f"{who} {language} {width} edit (errors)"] = problems
                context.close()
    assert not found, found
