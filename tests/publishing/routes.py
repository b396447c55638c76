"""Who may reach each publishing route (see tests/routes.py for the words)."""

ROUTES = {
    "publishing.site_atom": "anyone",
    "publishing.partner_atom": "anyone",
    "publishing.programme_atom": "anyone",
    "publishing.category_atom": "anyone",
    "publishing.embed_partner": "anyone",
    "publishing.embed_programme": "anyone",
    "publishing.embed_category": "anyone",
    "publishing.embed_stylesheet": "anyone",
}
