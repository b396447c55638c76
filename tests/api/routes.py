"""Who may reach each API route (see tests/routes.py for the words). The API never reads the
session cookie: "staff" routes need a staff member's personal API token (visitors get 401,
signed-in browsers 403 after the CSRF check)."""

ROUTES = {
    "api.Events": "anyone",  # GET anyone; POST needs a staff token
    "api.Event": "anyone",  # GET anyone (visibility of the event); PATCH needs a staff token
    "api.Series": "anyone",
    "api.partners": "anyone",
    "api.venues": "anyone",
    "api.programmes": "anyone",
    "api.propose": "staff",
    "api.answer": "staff",
    "api.contribute": "staff",
    "api.openapi": "anyone",
    "api.docs": "anyone",
}
