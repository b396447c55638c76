"""`flask worker` runs the background worker; `flask outbox …` looks at and nudges the outbox."""

import click
from flask import current_app
from flask.cli import AppGroup

from events.extensions import db

outbox_cli = AppGroup("outbox", help="The outbox of mail waiting to be sent.")


@click.command("worker")
@click.option("--workers", default=2, show_default=True,
              help="Threads delivering mail and running periodic work.")
def worker_command(workers):
    """Run the worker: deliver the outbox, retry, remind and nudge (Ctrl-C stops it)."""
    from events.outbox.worker import run_consumer

    click.echo(f"worker: {workers} threads, queue {_queue_name()}, mail via "
               f"{current_app.config.get('MAIL_BACKEND', 'smtp')}", err=True)
    run_consumer(current_app._get_current_object(), workers=workers)


def _queue_name() -> str:
    huey = current_app.extensions["huey"]
    return type(huey).__name__


@outbox_cli.command("status")
def status_command():
    """Print how many messages are queued, failed, being sent, sent and dead."""
    from events.outbox.services import counts

    for key, number in counts().items():
        click.echo(f"{key:<8} {number}")


@outbox_cli.command("deliver")
def deliver_command():
    """Deliver the mail and webhooks due now, in this process (no worker needed)."""
    from events.outbox.delivery import deliver_due
    from events.webhooks.delivery import deliver_due as deliver_webhooks

    outcome = deliver_due()
    click.echo(f"{outcome.sent} sent, {outcome.retry} to retry, {outcome.dead} dead")
    hooks = deliver_webhooks()
    click.echo(f"webhooks: {hooks.delivered} delivered, {hooks.retry} to retry, "
               f"{hooks.dead} dead")


@outbox_cli.command("retry-dead")
def retry_dead_command():
    """Put every dead message back in the queue with a fresh retry schedule."""
    from events.outbox.services import dead_ids, requeue

    number = requeue(dead_ids())
    db.session.commit()
    click.echo(f"{number} queued again")
