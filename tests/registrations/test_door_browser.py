"""The door page in a real Chromium on a phone-sized screen: a ticket's QR code generated with
segno is shown to the page's camera (Chromium's fake capture device playing a picture of it),
the vendored decoder reads it, the page posts it with its CSRF token and answers in large type.
A second test hands the same picture straight to the page's decode function."""

from datetime import timedelta
from pathlib import Path

import pytest
import segno
import sqlalchemy as sa

from events.auth.models import User
from events.db import utcnow
from events.extensions import db
from events.registrations.models import Registration
from events.registrations.tickets import ticket_token
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, browser_login
from tests.factories import PASSWORD, make_event, make_partner, make_registration, make_user
from tests.phones import PHONE

pytestmark = pytest.mark.e2e

WIDTH, HEIGHT = 640, 480


@pytest.fixture
def app(csrf_app):
    return csrf_app


@pytest.fixture
def scene(app):
    host = make_partner()
    staff = make_user("staff", host, email="door@example.org", name="Door Keeper")
    starts = utcnow().replace(microsecond=0) + timedelta(minutes=30)
    event = make_event(lead=host, title="Open lab tour", starts_at=starts,
                       ends_at=starts + timedelta(hours=2))
    registration = make_registration(event, make_user(name="Anna Petrova"))
    ids = {"event": event.id, "staff": staff.email, "token": ticket_token(registration),
           "registration": registration.id}
    db.session.commit()
    db.session.close()  # the live server's threads write; this thread holds nothing open
    return ids


def y4m_of(token: str, path: Path) -> Path:
    """A few frames of video (YUV 4:2:0) showing the ticket's QR code, black on white."""
    matrix = segno.make(token, error="m", micro=False).matrix
    scale = 8
    size = len(matrix) * scale
    left, top = (WIDTH - size) // 2, (HEIGHT - size) // 2
    luma = bytearray(b"\xff" * (WIDTH * HEIGHT))
    for row_number, row in enumerate(matrix):
        for column, dark in enumerate(row):
            if dark:
                for y in range(top + row_number * scale, top + (row_number + 1) * scale):
                    start = y * WIDTH + left + column * scale
                    luma[start:start + scale] = b"\x00" * scale
    chroma = b"\x80" * (WIDTH * HEIGHT // 2)
    frame = b"FRAME\n" + bytes(luma) + chroma
    path.write_bytes(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode()
                     + frame * 5)
    return path


@pytest.fixture
def camera_browser(playwright, tmp_path, scene):
    """Chromium whose camera films the ticket (a browser of its own: the flags are per launch)."""
    video = y4m_of(scene["token"], tmp_path / "ticket.y4m")
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True,
        args=[*CHROMIUM_ARGS, "--use-fake-device-for-media-stream",
              "--use-fake-ui-for-media-stream", f"--use-file-for-fake-video-capture={video}"])
    yield browser
    browser.close()


def test_camera_scan_of_a_ticket_checks_the_person_in(live_server, camera_browser, scene):
    context = camera_browser.new_context(**PHONE, locale="en-GB")
    context.set_default_timeout(15_000)
    context.grant_permissions(["camera"], origin=live_server.url)
    page = context.new_page()
    try:
        browser_login(page, live_server.url, scene["staff"], PASSWORD)
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}/events/{scene['event']}/door")
        assert page.locator("[data-count=checked_in]").inner_text() == "0"
        page.click("[data-start-camera]")
        result = page.locator("[data-result][data-outcome]")
        result.wait_for()
        assert result.get_attribute("data-outcome") == "checked_in"
        assert "Checked in: Anna Petrova." in result.inner_text()
        assert page.locator("[data-count=checked_in]").inner_text() == "1"
        # The same code stays in front of the camera: posted once, not again and again.
        page.wait_for_timeout(1500)
        assert page.locator("[data-result]").get_attribute("data-outcome") == "checked_in"
    finally:
        context.close()
    assert db.session.get(Registration, scene["registration"]).checked_in_at is not None


def test_page_decoder_reads_a_ticket_image_and_a_second_scan_is_already(live_server, browser,
                                                                         scene):
    context = browser.new_context(**PHONE, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        browser_login(page, live_server.url, scene["staff"], PASSWORD)
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}/events/{scene['event']}/door")
        png = segno.make(scene["token"], error="m", micro=False).png_data_uri(scale=6)
        decoded = page.evaluate("""(src) => new Promise((done) => {
            const img = new Image();
            img.onload = () => {
              const canvas = document.createElement('canvas');
              canvas.width = img.width; canvas.height = img.height;
              const ctx = canvas.getContext('2d');
              ctx.drawImage(img, 0, 0);
              done(window.JointEventsDoor.decodeImageData(
                ctx.getImageData(0, 0, img.width, img.height)));
            };
            img.src = src;
        })""", png)
        assert decoded == scene["token"]
        first = page.evaluate("(t) => window.JointEventsDoor.submitToken(t)", decoded)
        assert first["outcome"] == "checked_in"
        second = page.evaluate("(t) => window.JointEventsDoor.submitToken(t)", decoded)
        assert second["outcome"] == "already"
        assert "Door Keeper" in page.locator("[data-result]").inner_text()
        # The typed-code form, through JavaScript: a code not issued here.
        page.fill("#token", "not-a-ticket")
        page.click("form[data-scan-form] button[type=submit]")
        page.locator("[data-result][data-outcome=unknown]").wait_for()
    finally:
        context.close()


@pytest.mark.parametrize("locale", ["en-GB", "ru-RU"])
def test_door_and_ticket_pages_fit_390px_and_pass_axe(live_server, browser, scene, locale):
    """The new pages at 390 px: no sideways scroll, no WCAG A/AA violation; the door page
    with a red and a green answer, and closed; the scan button within thumb reach."""
    from tests.phones import overflow, wcag_violations

    language = locale[:2]
    owner = db.session.get(User, db.session.get(Registration, scene["registration"]).user_id)
    owner.email, owner.locale = "anna@example.org", language
    staff = db.session.scalar(sa.select(User).where(User.email == scene["staff"]))
    staff.locale = language
    later = make_event(lead=staff.partner, title="A later event with a rather long title "
                       "that has to wrap on a phone screen")
    later_id = later.id
    db.session.commit()
    db.session.close()
    found = {}
    context = browser.new_context(**PHONE, bypass_csp=True, locale=locale)
    page = context.new_page()
    try:
        browser_login(page, live_server.url, "anna@example.org", PASSWORD)
        page.wait_for_url(f"{live_server.url}/")
        for path in (f"/registrations/{scene['registration']}/ticket", "/my/events"):
            page.goto(live_server.url + path)
            found[path] = (overflow(page), wcag_violations(page))
        context.clear_cookies()
        browser_login(page, live_server.url, scene["staff"], PASSWORD)
        page.wait_for_url(f"{live_server.url}/")
        door = f"/events/{scene['event']}/door"
        page.goto(live_server.url + door)
        button = page.locator("[data-start-camera]").bounding_box()
        assert button["height"] >= 48
        found[door] = (overflow(page), wcag_violations(page))
        for token, outcome in ((scene["token"], "checked_in"), ("nonsense", "unknown")):
            page.fill("#token", token)
            page.click("form[data-scan-form] button[type=submit]")
            page.locator(f"[data-result][data-outcome={outcome}]").wait_for()
            found[f"{door} ({outcome})"] = (overflow(page), wcag_violations(page))
        for path in (f"/events/{later_id}/door", f"/events/{scene['event']}/attendees"):
            page.goto(live_server.url + path)
            found[path] = (overflow(page), wcag_violations(page))
    finally:
        context.close()
    problems = {where: shown for where, shown in found.items() if shown[0] or shown[1]}
    assert not problems, problems
