"""Walks app.url_map: every route has an access row, and the row holds for visitors/residents."""

import importlib
import pkgutil

import pytest
from werkzeug.routing import IntegerConverter

import tests
from tests.conftest import login
from tests.factories import make_user
from tests.routes import ROUTES as CORE_ROUTES

# Werkzeug names the int converter IntegerConverter, hence "integer".
DUMMY = {"int": "999999", "integer": "999999", "default": "no-such-thing",
         "path": "no/such/thing"}


def dummy_value(converter) -> str:
    if isinstance(converter, IntegerConverter):  # also the app's bounded int converter
        return DUMMY["int"]
    return DUMMY.get(type(converter).__name__.replace("Converter", "").lower(), DUMMY["default"])


def all_rows() -> dict[str, str]:
    rows = dict(CORE_ROUTES)
    for module in pkgutil.iter_modules(tests.__path__):
        if module.ispkg:
            try:
                area = importlib.import_module(f"tests.{module.name}.routes")
            except ModuleNotFoundError:
                continue
            rows.update(area.ROUTES)
    return rows


def sample_requests(app, access_words):
    rows = all_rows()
    for rule in app.url_map.iter_rules():
        if rows.get(rule.endpoint) not in access_words:
            continue
        values = {arg: dummy_value(rule._converters[arg]) for arg in rule.arguments}
        path = rule.rule
        for arg, value in values.items():
            for token in (f"<{arg}>", *(f"<{c}:{arg}>" for c in ("int", "string", "path"))):
                path = path.replace(token, value)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, path


def test_every_route_has_an_access_row(app):
    rows = all_rows()
    missing = sorted({r.endpoint for r in app.url_map.iter_rules()} - set(rows))
    assert not missing, f"routes without a row in tests/**/routes.py: {missing}"
    unknown = sorted(set(rows.values())
                     - {"anyone", "signed-in", "staff", "admin", "token", "monitoring"})
    assert not unknown


def test_signed_in_routes_send_visitors_to_sign_in(app, client):
    checked = 0
    for endpoint, method, path in sample_requests(app, {"signed-in", "staff", "admin"}):
        response = client.open(path, method=method)
        checked += 1
        assert response.status_code in (302, 401, 403, 404), (endpoint, method, path)
        if response.status_code == 302:
            assert "/signin" in response.headers["Location"], (endpoint, path)
    assert checked >= 2


@pytest.mark.parametrize("access", ["staff", "admin"])
def test_staff_routes_refuse_residents(app, client, access):
    login(client, make_user())
    words = {"staff", "admin"} if access == "staff" else {"admin"}
    for endpoint, method, path in sample_requests(app, words):
        response = client.open(path, method=method)
        assert response.status_code in (403, 404), (endpoint, method, path)


def test_token_routes_refuse_wrong_tokens(app, client):
    for endpoint, method, path in sample_requests(app, {"token"}):
        response = client.open(path, method=method)
        assert response.status_code in (400, 404), (endpoint, method, path)
