"""In a real Chromium: a coordinator enters an agreement, uploads the signed PDF, sets a
target and downloads the annual report as a workbook and a PDF; the new pages fit a 390 px
phone and pass axe."""

import io
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from events.enums import ContributionKind
from events.extensions import db
from tests.agreements.conftest import PDF, at, event_on, row
from tests.conftest import browser_login
from tests.factories import PASSWORD
from tests.test_accessibility import violations

pytestmark = pytest.mark.e2e


def test_from_agreement_to_annual_report(world, live_server, page, tmp_path):
    event = event_on(world.a, at(2031, 3, 3, 9), world.b, title="Совместный семинар")
    row(event, world.a, ContributionKind.CATERING, amount="12000")
    db.session.commit()
    signed = tmp_path / "signed.pdf"
    signed.write_bytes(PDF)
    base = live_server.url
    browser_login(page, base, world.coord_a.email, PASSWORD)
    page.click("nav.main-nav >> text=Agreements")
    page.click("text=New agreement")
    page.fill("input[name=title]", "Additional agreement No. 7")
    page.fill("input[name=number]", "AA-7")
    page.fill("input[name=signed_on]", "2030-12-20")
    page.fill("input[name=starts_on]", "2031-01-01")
    page.fill("input[name=ends_on]", "2031-12-31")
    page.select_option("select[name=status]", "in_force")
    page.check(f"input[name=parties][value='{world.a.id}']")
    page.check(f"input[name=parties][value='{world.b.id}']")
    page.check("input[name=covers_all_joint_events]")
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Additional agreement No. 7")

    page.set_input_files("input[name=document]", str(signed))
    with page.expect_navigation():
        page.click("form.upload-form button[type=submit]")
    expect(page.locator(".flashes")).to_contain_text("Signed copy saved.")
    expect(page.locator("code.checksum")).to_have_count(1)

    page.click("text=Add a target")
    page.select_option("select[name=metric]", "events")
    page.fill("input[name=planned]", "2")
    page.fill("input[name=starts_on]", "2031-01-01")
    page.fill("input[name=ends_on]", "2031-12-31")
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    plan = page.locator("section.plan")
    expect(plan).to_contain_text("50 %")
    expect(plan).to_contain_text("On track")

    page.click("section[aria-labelledby=annual] >> a:text-is('2031')")
    expect(page.locator("h1")).to_have_text("Annual report 2031")
    expect(page.locator("main")).to_contain_text("Совместный семинар")
    with page.expect_download() as download:
        page.click("text=Workbook (XLSX)")
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert book["Events"]["B2"].value == "Совместный семинар"
    with page.expect_download() as download:
        page.click("main >> text=PDF (RU)")
    text = " ".join(p.extract_text() for p in PdfReader(download.value.path()).pages)
    assert "Годовой отчёт за 2031 год" in " ".join(text.split())


NEW_PAGES = ["/agreements", "/agreements/1", "/agreements/2", "/agreements/new",
             "/agreements/1/edit", "/agreements/1/targets/new", "/rates",
             "/rate-cards/new?agreement=1", "/rate-cards/1/edit", "/programmes/1",
             "/programmes/1/edit", "/reports"]


def _annual_path():
    return f"/agreements/1/report/{datetime.now().year}"  # noqa: DTZ005 — the demo's year


def test_new_pages_fit_a_phone(demo_server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    phone = context.new_page()
    browser_login(phone, demo_server.url, "coordinator@northern.example", "demo-password")
    phone.wait_for_url("**/")
    wide = {}
    for path in [*NEW_PAGES, _annual_path()]:
        phone.goto(demo_server.url + path)
        width = phone.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide[path] = width
    context.close()
    assert wide == {}


def test_new_pages_pass_axe(demo_server, axe_page):
    browser_login(axe_page, demo_server.url, "coordinator@northern.example", "demo-password")
    axe_page.wait_for_url("**/")
    found = {}
    for path in [*NEW_PAGES, _annual_path()]:
        axe_page.goto(demo_server.url + path)
        found[path] = violations(axe_page)
    assert found == {path: [] for path in found}
