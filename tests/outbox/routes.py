"""Access rows for the outbox (see tests/routes.py)."""

ROUTES = {
    "outbox.index": "admin",
    "outbox.send_again": "admin",
}
