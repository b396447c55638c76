"""Who may reach each route. Every endpoint in app.url_map needs a row here or in an area's
`tests/<area>/routes.py` (ROUTES dict); tests/test_routes.py fails the suite otherwise.

Access words:
- "anyone": visitors included (pages check visibility of the thing itself);
- "signed-in": any signed-in person; visitors are sent to sign in;
- "staff": partner staff, coordinators and admins; residents get 403/404;
- "admin": admins only;
- "token": opened by a secret in the URL; a wrong secret answers 404.
- "monitoring": for Prometheus: loopback only, or a bearer token when METRICS_TOKEN is set
  (tests/ops checks both).
"""

ROUTES = {
    "static": "anyone",
    "auth.signin": "anyone",
    "auth.signout": "signed-in",
    "auth.signup": "anyone",
    "auth.set_language": "anyone",
    "partners.index": "anyone",
    "partners.detail": "anyone",
    "partners.stylesheet": "anyone",
    "planning.index": "anyone",
    "planning.detail": "anyone",
    "planning.calendar": "anyone",
    "planning.accessibility": "anyone",
    "planning.dashboard": "staff",
    "registrations.mine": "signed-in",
}
