"""`flask auth ...`: account housekeeping from a shell (and the worker's schedule later)."""

import click
from flask import Blueprint, current_app

from events.extensions import db


def register_auth_cli(bp: Blueprint) -> None:
    @bp.cli.command("anonymise-attendees")
    @click.option("--days", type=int, default=None,
                  help="Override ATTENDEE_RETENTION_DAYS for this run.")
    def anonymise_attendees_command(days):
        """Anonymise attendees of events that ended longer ago than the retention setting."""
        from events.auth.personal_data import anonymise_past_attendees

        days = current_app.config["ATTENDEE_RETENTION_DAYS"] if days is None else days
        if not days:
            click.echo("retention is off (ATTENDEE_RETENTION_DAYS=0); nothing changed")
            return
        count = anonymise_past_attendees(days)
        db.session.commit()
        click.echo(f"anonymised {count} registrations of events that ended over {days} days ago")
