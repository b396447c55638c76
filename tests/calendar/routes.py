"""Who may reach each calendar route (see tests/routes.py for the words)."""

ROUTES = {
    "calendar.public_feed": "anyone",
    "calendar.partner_feed": "anyone",
    "calendar.event_download": "anyone",
    "calendar.private_feed": "token",
    "calendar.subscribe": "signed-in",
    "calendar.regenerate_token": "signed-in",
    "calendar.import_events_page": "staff",
    "calendar.import_job": "staff",
    "calendar.confirm_import": "staff",
}
