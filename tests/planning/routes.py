"""Who may reach each planning route (see tests/routes.py for the access words)."""

ROUTES = {
    "planning.index": "anyone",
    "planning.detail": "anyone",
    "planning.calendar": "anyone",
    "planning.dashboard": "staff",
    "planning.new": "staff",
    "planning.edit": "staff",
    "planning.propose": "staff",
    "planning.invite": "staff",
    "planning.answer": "staff",
    "planning.schedule": "staff",
    "planning.cancel": "staff",
}
