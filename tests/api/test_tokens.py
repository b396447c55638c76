"""Personal API tokens: named, capped per person, stored as a hash, revoked by their owner only."""

import pytest

from events.api.tokens import (
    TOKENS_MAX,
    issue_api_token,
    owner_of,
    revoke_api_token,
    token_hash,
    tokens_of,
)
from events.errors import Conflict, NotFound, ValidationFailed
from tests.conftest import login
from tests.factories import make_user


def test_tokens_open_the_account_until_revoked(app):
    user = make_user()
    row, secret = issue_api_token(user, "  Nightly   export ")
    assert row.name == "Nightly export"
    assert row.token_hash == token_hash(secret) != secret
    assert owner_of(secret) == user
    revoke_api_token(user, row.id)
    assert owner_of(secret) is None
    assert tokens_of(user) == []
    with pytest.raises(NotFound):
        revoke_api_token(user, row.id)


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_tokens_need_a_short_name(app, name):
    with pytest.raises(ValidationFailed):
        issue_api_token(make_user(), name)


def test_tokens_are_capped_per_person(app):
    user = make_user()
    for n in range(TOKENS_MAX):
        issue_api_token(user, f"token {n}")
    with pytest.raises(Conflict):
        issue_api_token(user, "one more")


@pytest.mark.parametrize("presented", ["", "je_short", "Bearer", "x" * 46, "je_" + "A" * 43])
def test_tokens_malformed_or_unknown_open_nothing(app, presented):
    assert owner_of(presented) is None


def test_token_form_without_a_name_is_refused_beside_the_field(client):
    user = make_user()
    login(client, user)
    page = client.post("/account/api-tokens", data={"name": ""})
    assert page.status_code == 400
    assert 'aria-invalid="true"' in page.get_data(as_text=True)
    assert tokens_of(user) == []
