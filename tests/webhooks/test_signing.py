"""Signatures as the Standard Webhooks spec writes them: its own example, and a message
checked by an independent HMAC in the test."""

import base64
import hashlib
import hmac

from events.webhooks.signing import PREFIX, headers, new_secret, sign


def test_signing_matches_the_specs_example():
    # The example of the Standard Webhooks specification (spec/standard-webhooks.md).
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    signature = sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                     b'{"test": 2432232314}')
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_signing_headers_verify_with_an_independent_hmac():
    secret = new_secret()
    body = '{"type": "event.scheduled", "data": {"title": "Сессия"}}'.encode()
    sent = headers(secret, "msg_abc", 1700000000, body)
    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = base64.b64encode(hmac.new(
        key, b"msg_abc.1700000000." + body, hashlib.sha256).digest()).decode()
    assert sent["webhook-signature"] == "v1," + expected
    assert sent["webhook-id"] == "msg_abc"
    assert sent["webhook-timestamp"] == "1700000000"
    assert sent["Content-Type"] == "application/json"


def test_signing_secrets_are_fresh_whsec_keys_of_32_bytes():
    first, second = new_secret(), new_secret()
    assert first != second
    assert first.startswith(PREFIX)
    assert len(base64.b64decode(first.removeprefix(PREFIX))) == 32
