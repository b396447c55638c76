"""Standard Webhooks signatures (https://www.standardwebhooks.com), made by the spec's own
`standardwebhooks` package: the secret is "whsec_" + base64 of its key bytes, and
webhook-signature is "v1," + base64 of HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>").
tests/webhooks/test_signing.py checks the spec's example and recomputes the HMAC by hand."""

import base64
import secrets
from datetime import UTC, datetime

from standardwebhooks import Webhook

PREFIX = "whsec_"
KEY_BYTES = 32


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def new_message_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The webhook-signature header's value for one message (`body` is UTF-8 JSON)."""
    return Webhook(secret).sign(message_id, datetime.fromtimestamp(timestamp, UTC),
                                body.decode("utf-8"))


def headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {"Content-Type": "application/json", "webhook-id": message_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(secret, message_id, timestamp, body)}
