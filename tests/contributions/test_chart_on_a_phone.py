"""The reports chart on a 390 px phone: drawn at its own size so its text stays at 12 px, in a
scroll box a keyboard can reach, and the page itself does not scroll sideways."""

import pytest

from tests.conftest import browser_login
from tests.phones import DEMO_PASSWORD, PHONE, overflow

pytestmark = pytest.mark.e2e

# The smallest text of the chart as drawn on screen, in CSS pixels.
SMALLEST_TEXT = """() => { const svg = document.querySelector('.chart-scroll svg');
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  return Math.min(...[...svg.querySelectorAll('text')].map(t =>
      parseFloat(getComputedStyle(t).fontSize) * scale)); }"""


def test_chart_text_is_readable_on_a_phone(demo_server, browser):
    context = browser.new_context(**PHONE, locale="en-GB")
    page = context.new_page()
    browser_login(page, demo_server.url, "coordinator@northern.example", DEMO_PASSWORD)
    page.wait_for_url(f"{demo_server.url}/")
    page.goto(demo_server.url + "/reports")
    assert page.evaluate(SMALLEST_TEXT) >= 12
    assert overflow(page) is None
    box = page.locator(".chart-scroll")
    assert box.get_attribute("tabindex") == "0"
    assert box.get_attribute("role") == "region"
    assert box.get_attribute("aria-label")
    context.close()
