"""Limits behind a proxy: trusted hops only, sign-in keyed on address and account, limits on
sign-up, reset, verification re-send and import; oversized bodies refused early."""

import io

import pytest

from events.enums import Role
from events.extensions import db
from tests.conftest import login
from tests.factories import make_user


def attempt(client, email="a@example.org", via=None):
    headers = {"X-Forwarded-For": via} if via else {}
    return client.post("/signin", data={"email": email, "password": "wrong"},
                       headers=headers).status_code


def test_behind_a_trusted_proxy_each_client_has_its_own_bucket(make_app):
    app = make_app(RATELIMIT_ENABLED=True, SIGNIN_RATE_LIMIT="3 per minute", PROXY_FIX_HOPS=1)
    client = app.test_client()
    codes = [attempt(client, f"x{n}@example.org", via="203.0.113.7") for n in range(4)]
    assert codes == [401, 401, 401, 429]
    # Another person behind the same proxy is not locked out.
    assert attempt(client, "y@example.org", via="198.51.100.9") == 401


def test_forwarded_headers_are_ignored_unless_hops_are_configured(make_app):
    app = make_app(RATELIMIT_ENABLED=True, SIGNIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    codes = [attempt(client, f"x{n}@example.org", via=f"203.0.113.{n}") for n in range(4)]
    assert codes[3] == 429  # a spoofed header does not buy a fresh bucket


def test_one_account_is_limited_whatever_the_address(make_app):
    app = make_app(RATELIMIT_ENABLED=True, PROXY_FIX_HOPS=1, SIGNIN_RATE_LIMIT="100 per minute",
                   SIGNIN_ACCOUNT_RATE_LIMIT="3 per hour")
    client = app.test_client()
    codes = [attempt(client, "Victim@example.org", via=f"203.0.113.{n}") for n in range(4)]
    assert codes == [401, 401, 401, 429]
    assert attempt(client, "ｖｉｃｔｉｍ@example.org", via="203.0.113.99") == 429  # same account


@pytest.mark.parametrize(("setting", "path", "data"), [
    ("SIGNUP_RATE_LIMIT", "/signup", {"name": "x"}),
    ("PASSWORD_RESET_RATE_LIMIT", "/password/forgot", {"email": "a@example.org"}),
])
def test_anonymous_forms_are_limited(make_app, setting, path, data):
    app = make_app(RATELIMIT_ENABLED=True, **{setting: "2 per hour"})
    client = app.test_client()
    codes = [client.post(path, data=data).status_code for _ in range(3)]
    assert codes[2] == 429
    assert codes[0] != 429


@pytest.mark.parametrize(("setting", "path", "role"), [
    ("VERIFY_RESEND_RATE_LIMIT", "/verify/resend", Role.RESIDENT),
    ("IMPORT_RATE_LIMIT", "/calendar/import", Role.STAFF),
    ("RESEND_CONFIRMATION_RATE_LIMIT", "/registrations/999/resend", Role.RESIDENT),
])
def test_signed_in_actions_are_limited_per_account(make_app, setting, path, role):
    app = make_app(RATELIMIT_ENABLED=True, **{setting: "2 per hour"})
    with app.app_context():
        user = make_user(role, email_verified_at=None)
        db.session.commit()
        client = app.test_client()
        login(client, user)
        codes = [client.post(path, data={}).status_code for _ in range(3)]
    assert codes[0] != 429
    assert codes[2] == 429


class EndlessBody(io.RawIOBase):
    """200 MB that are never there: counts what the app reads of it."""

    def __init__(self):
        self.read_bytes = 0

    def readable(self):
        return True

    def seekable(self):
        return False

    def tell(self):
        return 0

    def seek(self, *args):
        return 0

    def readinto(self, buffer):
        self.read_bytes += len(buffer)
        buffer[:] = b"x" * len(buffer)
        return len(buffer)


def test_a_huge_anonymous_upload_is_refused_before_it_is_read(app, client):
    body = EndlessBody()
    response = client.post("/calendar/import", input_stream=body,
                           content_type="multipart/form-data; boundary=x",
                           environ_overrides={"CONTENT_LENGTH": str(200 * 1024 * 1024)})
    assert response.status_code == 413
    assert "Too large" in response.get_data(as_text=True)
    assert body.read_bytes == 0


def test_a_huge_post_to_any_page_is_413_not_500(app, client):
    response = client.post("/signin", data={"email": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413
