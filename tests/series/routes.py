"""Who may reach each series route (see tests/routes.py for the access words)."""

ROUTES = {
    "series.new": "staff",
    "series.detail": "anyone",
    "series.invite": "staff",
    "series.propose": "staff",
    "series.schedule": "staff",
    "series.answer": "staff",
    "series.register": "signed-in",
    "series.unregister": "signed-in",
    "series.cancel": "staff",
}
