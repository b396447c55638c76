"""Account management: admins manage everyone, coordinators their own partner's staff."""

import pytest
import sqlalchemy as sa

from events.audit.models import AuditEntry
from events.auth.models import User
from events.auth.services import create_account, set_account_active
from events.enums import Role
from events.errors import NotAllowed
from events.extensions import db
from tests.conftest import login
from tests.factories import PASSWORD, make_partner, make_user


@pytest.fixture
def people(app):
    ours, theirs = make_partner(), make_partner()
    people = {
        "admin": make_user(Role.ADMIN),
        "coordinator": make_user(Role.COORDINATOR, ours),
        "fellow_coordinator": make_user(Role.COORDINATOR, ours),
        "staff": make_user(Role.STAFF, ours),
        "other_staff": make_user(Role.STAFF, theirs),
        "resident": make_user(),
        "ours": ours, "theirs": theirs,
    }
    db.session.commit()
    return people


def new_account(**overrides):
    values = {"email": "new@example.org", "name": "New", "role": Role.STAFF}
    return values | overrides


@pytest.mark.parametrize(("actor", "role", "partner", "allowed"), [
    ("admin", Role.STAFF, "theirs", True),
    ("admin", Role.ADMIN, None, True),
    ("admin", Role.RESIDENT, None, True),
    ("coordinator", Role.STAFF, "ours", True),
    ("coordinator", Role.COORDINATOR, "ours", True),
    ("coordinator", Role.ADMIN, None, False),
    ("coordinator", Role.RESIDENT, None, False),
    ("staff", Role.STAFF, "ours", False),
    ("resident", Role.STAFF, "ours", False),
])
def test_who_may_create_which_account(people, actor, role, partner, allowed):
    values = new_account(role=role, partner=people[partner] if partner else None)
    if allowed:
        user = create_account(people[actor], **values)
        assert user.role == role
        return
    with pytest.raises(NotAllowed):
        create_account(people[actor], **values)


def test_coordinator_always_adds_to_their_own_partner(people):
    user = create_account(people["coordinator"], **new_account(partner=people["theirs"]))
    assert user.partner_id == people["ours"].id


@pytest.mark.parametrize(("actor", "target", "allowed"), [
    ("admin", "other_staff", True),
    ("admin", "resident", True),
    ("coordinator", "staff", True),
    ("coordinator", "other_staff", False),
    ("coordinator", "resident", False),
    ("coordinator", "coordinator", False),  # never oneself
    ("coordinator", "fellow_coordinator", False),  # only admins disable coordinators
    ("admin", "fellow_coordinator", True),
    ("staff", "coordinator", False),
])
def test_who_may_disable_whom(people, actor, target, allowed):
    if not allowed:
        with pytest.raises(NotAllowed):
            set_account_active(people[actor], people[target], False)
        return
    set_account_active(people[actor], people[target], False)
    assert people[target].is_active is False
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.disable"))
    assert entry.changes == {"is_active": [True, False]}


def test_accounts_page_lists_only_own_partner_for_coordinators(people, client):
    login(client, people["coordinator"])
    page = client.get("/accounts").get_data(as_text=True)
    assert people["staff"].email in page
    assert people["other_staff"].email not in page
    assert people["resident"].email not in page


def test_plain_staff_may_not_open_accounts(people, client):
    login(client, people["staff"])
    assert client.get("/accounts").status_code == 403


def test_coordinator_creates_staff_through_the_form(people, client, outbox):
    login(client, people["coordinator"])
    response = client.post("/accounts", data={
        "name": "Fresh Staff", "email": "Fresh@Example.org", "role": "staff",
        "partner": str(people["ours"].id)})
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "fresh@example.org"))
    assert user.partner_id == people["ours"].id
    # Nobody told the person a password: an invitation mail lets them choose their own.
    assert not user.check_password("")
    assert [m.recipients for m in outbox] == [["fresh@example.org"]]
    assert "/invitation/" in outbox[0].body


def test_form_refuses_a_taken_email(people, client):
    login(client, people["admin"])
    response = client.post("/accounts", data={
        "name": "Dup", "email": people["staff"].email, "role": "resident", "partner": "0"})
    assert response.status_code == 409
    assert "already exists" in response.get_data(as_text=True)


def test_disabled_account_cannot_sign_in(people, client):
    login(client, people["admin"])
    response = client.post(f"/accounts/{people['staff'].id}/active", data={"active": "0"})
    assert response.status_code == 302
    client.post("/signout")
    refused = client.post("/signin", data={"email": people["staff"].email, "password": PASSWORD})
    assert refused.status_code == 401


def test_tampered_active_value_is_400(people, client):
    login(client, people["admin"])
    response = client.post(f"/accounts/{people['staff'].id}/active", data={"active": "yes"})
    assert response.status_code == 400
