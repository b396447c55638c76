"""axe-core in a real Chromium: the main pages have no serious or critical violations."""

from pathlib import Path

import pytest

from tests.conftest import ROOT, browser_login

pytestmark = pytest.mark.e2e
AXE = ROOT / ".venv" / "axe" / "node_modules" / "axe-core" / "axe.min.js"


def violations(page) -> list[str]:
    if not Path(AXE).exists():
        pytest.fail(f"axe-core missing at {AXE}: run `make browser`")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}"
        for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]


PUBLIC = ["/", "/calendar", "/signin", "/signup", "/partners/", "/events/1", "/events/2"]


def test_public_pages_have_no_serious_violations(demo_server, axe_page):
    page = axe_page
    found = {}
    for path in PUBLIC:
        page.goto(demo_server.url + path)
        found[path] = violations(page)
    assert found == {path: [] for path in PUBLIC}


def test_staff_pages_have_no_serious_violations(demo_server, axe_page):
    page = axe_page
    browser_login(page, demo_server.url, "coordinator@northern.example", "demo-password")
    for path in ("/staff", "/events/1", "/accounts", "/reports", "/events/1/attendees"):
        page.goto(demo_server.url + path)
        assert violations(page) == [], path
