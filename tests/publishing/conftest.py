"""Helpers of the publishing tests: a programme factory and the HTML bits they read back."""

import json

import lxml.html
import pytest

from events.extensions import db
from events.planning.models import Programme


@pytest.fixture
def make_programme(app):
    made = []

    def build(*partners, **overrides):
        values = {"slug": f"programme-{len(made) + 1}", "title": f"Programme {len(made) + 1}"}
        programme = Programme(**(values | overrides))
        programme.partners = list(partners)
        db.session.add(programme)
        db.session.flush()
        made.append(programme)
        return programme

    return build


def html_of(response):
    return lxml.html.fromstring(response.get_data(as_text=True))


def json_ld(response) -> list[dict]:
    """Every JSON-LD block of a page, parsed."""
    return [json.loads(node.text) for node in
            html_of(response).xpath('//script[@type="application/ld+json"]')]


def open_graph(response) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for node in html_of(response).xpath("//meta[@property]"):
        found.setdefault(node.get("property"), []).append(node.get("content"))
    return found


def atom_alternates(response) -> list[str]:
    return [node.get("href") for node in html_of(response).xpath(
        '//head/link[@rel="alternate"][@type="application/atom+xml"]')]
