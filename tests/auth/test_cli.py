"""`flask create-user` for staff, coordinators and admins."""

import sqlalchemy as sa

from events.auth.models import User
from events.enums import Role
from events.extensions import db
from tests.factories import make_partner


def test_create_staff_user(app, runner):
    partner = make_partner(slug="technopolis-moscow")
    db.session.commit()
    result = runner.invoke(args=[
        "create-user", "--email", "New.Staff@Example.org", "--name", "New Staff",
        "--role", "coordinator", "--partner", "technopolis-moscow",
        "--password", "a-long-password"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "new.staff@example.org"))
    assert user.role == Role.COORDINATOR
    assert user.partner_id == partner.id
    assert user.check_password("a-long-password")


def test_create_user_refuses_staff_without_partner(app, runner):
    result = runner.invoke(args=["create-user", "--email", "s@example.org", "--name", "S",
                                 "--role", "staff", "--password", "a-long-password"])
    assert result.exit_code != 0
    assert "belong to a partner" in result.output


def test_create_user_refuses_unknown_partner(app, runner):
    result = runner.invoke(args=["create-user", "--email", "s@example.org", "--name", "S",
                                 "--partner", "nope", "--password", "a-long-password"])
    assert result.exit_code != 0
    assert "no partner" in result.output


def test_create_admin(app, runner):
    result = runner.invoke(args=["create-user", "--email", "root@example.org", "--name", "Root",
                                 "--role", "admin", "--password", "a-long-password"])
    assert result.exit_code == 0, result.output
