"""The door page in a real Chromium on a phone-sized screen: a ticket's QR code generated with
segno is shown to the page's camera (Chromium's fake capture device playing a picture of it),
the vendored decoder reads it, the page posts it with its CSRF token and answers in large type.
A second test hands the same picture straight to the page's decode function."""

from datetime import timedelta
from pathlib import Path

import pytest
import segno

from events.db import utcnow
from events.extensions import db
from events.registrations.tickets import ticket_token
from tests.conftest import CHROMIUM, browser_login
from tests.factories import PASSWORD, make_event, make_partner, make_registration, make_user
from tests.phones import PHONE

pytestmark = pytest.mark.e2e

WIDTH, HEIGHT = 640, 480


@pytest.fixture
def app(make_app):
    """CSRF on, as in production: the scanner must send the page's token."""
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app
        db.session.rollback()


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
def camera_browser(tmp_path, scene):
    """Chromium whose camera films the ticket (a browser of its own: the flags are per launch)."""
    from playwright.sync_api import sync_playwright

    video = y4m_of(scene["token"], tmp_path / "ticket.y4m")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--disable-dev-shm-usage",
                  "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                  f"--use-file-for-fake-video-capture={video}"])
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
    from events.registrations.models import Registration

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
