"""Access rows for the auth area's account pages (see tests/routes.py)."""

ROUTES = {
    "auth.accounts": "staff",
    "auth.set_active": "staff",
}
