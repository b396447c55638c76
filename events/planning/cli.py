"""`flask planning ...`: the workflow from a shell, through the same services as the pages
(an operator acts as a named account, so permissions and the audit trail still apply)."""

import click
import sqlalchemy as sa
from flask import Blueprint

from events.auth.models import User
from events.errors import DomainError
from events.extensions import db
from events.outbox.worker import wake_worker
from events.planning import services
from events.planning.queries import get_event


def _run(actor_email: str, event_id: int, action) -> None:
    actor = db.session.scalar(sa.select(User).where(User.email == actor_email.strip().lower()))
    if actor is None or not actor.is_active:
        raise click.ClickException(f"no active account {actor_email!r}")
    event = get_event(event_id)
    if event is None:
        raise click.ClickException(f"no event {event_id}")
    try:
        action(actor, event)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    db.session.commit()
    wake_worker()
    click.echo(f"event {event.id} “{event.title}” is now {event.status.value}")


def register_planning_cli(bp: Blueprint) -> None:
    as_option = click.option("--as", "actor_email", required=True,
                             help="Email of the account that acts (its rights apply).")

    @bp.cli.command("propose")
    @click.argument("event_id", type=int)
    @as_option
    def propose_command(event_id, actor_email):
        """Propose a draft to the invited partners."""
        _run(actor_email, event_id, services.propose_event)

    @bp.cli.command("schedule")
    @click.argument("event_id", type=int)
    @as_option
    def schedule_command(event_id, actor_email):
        """Schedule (publish) a proposed event once every invitation is answered."""
        _run(actor_email, event_id, services.schedule_event)

    @bp.cli.command("cancel")
    @click.argument("event_id", type=int)
    @as_option
    @click.option("--reason", required=True, help="Shown to everyone registered.")
    def cancel_command(event_id, actor_email, reason):
        """Cancel an event with a reason."""
        _run(actor_email, event_id,
             lambda actor, event: services.cancel_event(actor, event, reason))
