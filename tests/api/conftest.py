"""API helpers: a personal token for a person, and the Authorization header it goes in."""

from events.api.tokens import issue_api_token
from events.extensions import db


def token_for(user) -> dict:
    """Headers carrying a fresh personal API token of `user` (committed, as a real one is)."""
    _row, secret = issue_api_token(user, "tests")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}
