"""`flask planning propose|schedule|cancel` go through the same services and rules."""

from events.enums import EventStatus, InvolvementState
from events.extensions import db
from events.planning.services import create_event, invite_partner


def test_cli_walks_the_workflow_with_the_actors_rights(runner, world, values):
    event = create_event(world.staff_a, **values)
    involvement = invite_partner(world.staff_a, event, world.b, "co-host")
    db.session.commit()
    result = runner.invoke(args=["planning", "propose", str(event.id), "--as",
                                 world.staff_a.email])
    assert result.exit_code == 0, result.output
    assert "proposed" in result.output

    result = runner.invoke(args=["planning", "schedule", str(event.id), "--as",
                                 world.coord_a.email])
    assert result.exit_code == 1
    assert "Still waiting for an answer from Beta." in result.output

    involvement.state = InvolvementState.ACCEPTED
    db.session.commit()
    result = runner.invoke(args=["planning", "schedule", str(event.id), "--as",
                                 world.staff_a.email])
    assert result.exit_code == 1
    assert "Only a coordinator of the lead partner" in result.output
    result = runner.invoke(args=["planning", "schedule", str(event.id), "--as",
                                 world.coord_a.email])
    assert result.exit_code == 0, result.output

    result = runner.invoke(args=["planning", "cancel", str(event.id), "--as",
                                 world.coord_a.email, "--reason", "Venue closed"])
    assert result.exit_code == 0, result.output
    db.session.refresh(event)
    assert (event.status, event.cancel_reason) == (EventStatus.CANCELLED, "Venue closed")


def test_cli_refuses_unknown_accounts_and_events(runner, world):
    db.session.commit()
    result = runner.invoke(args=["planning", "schedule", "1", "--as", "nobody@example.org"])
    assert result.exit_code == 1
    assert "no active account" in result.output
    result = runner.invoke(args=["planning", "schedule", "999", "--as", world.admin.email])
    assert result.exit_code == 1
    assert "no event 999" in result.output
