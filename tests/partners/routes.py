"""Access rows for partner management (see tests/routes.py)."""

ROUTES = {
    "partners.new": "admin",
    "partners.edit": "admin",
    "partners.new_venue": "admin",
    "partners.edit_venue": "admin",
}
