"""Who may reach each registrations route (see tests/routes.py for the words)."""

ROUTES = {
    "registrations.mine": "signed-in",
    "registrations.register": "signed-in",
    "registrations.cancel": "signed-in",
    "registrations.resend": "signed-in",
    "registrations.cancel_by_token": "token",
    "registrations.attendees": "staff",
    "registrations.export": "staff",
    "registrations.counts": "staff",
    "registrations.check_in": "staff",
    "registrations.undo_check_in": "staff",
    "registrations.ticket": "signed-in",
    "registrations.door_page": "staff",
    "registrations.scan": "staff",
    "registrations.add_person": "staff",
    "registrations.cancel_seat": "staff",
    "registrations.move_ahead": "staff",
    "registrations.message": "staff",
    "registrations.feedback_form": "signed-in",
    "registrations.feedback_results": "staff",
}
