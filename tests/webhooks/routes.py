"""Access rows for a partner's webhooks (see tests/routes.py): its coordinators and admins;
other staff are refused (tests/webhooks/test_views.py)."""

ROUTES = {
    "webhooks.index": "staff",
    "webhooks.new": "staff",
    "webhooks.edit": "staff",
    "webhooks.rotate_secret": "staff",
    "webhooks.send_test": "staff",
    "webhooks.delete": "staff",
    "webhooks.deliveries": "staff",
    "webhooks.send_again": "staff",
}
