"""`flask rates import FILE|URL`: the Bank of Russia's daily rates (XML_daily.asp format) from a
recorded file or fetched over http(s) under the outbound-address rules of events/net.py."""

from pathlib import Path

import click
import sqlalchemy as sa
from flask import Blueprint

from events.agreements.rates import FETCH_TIMEOUT_SECONDS, MAX_XML_BYTES, import_cbr_daily
from events.auth.models import User
from events.errors import DomainError
from events.extensions import db
from events.net import FetchFailed, TooLarge, fetch_url


def register_rates_cli(bp: Blueprint) -> None:
    @bp.cli.command("import")
    @click.argument("source")
    @click.option("--as", "actor_email", default=None,
                  help="Account that enters the rates (audited); none for a scheduled job.")
    @click.option("--currency", "currencies", multiple=True,
                  help="Only these currencies (repeatable); all by default.")
    def import_command(source, actor_email, currencies):
        """Read one daily rates file of the Bank of Russia from a path or an http(s) URL."""
        actor = None
        if actor_email:
            actor = db.session.scalar(sa.select(User).where(
                User.email == actor_email.strip().lower()))
            if actor is None or not actor.is_active:
                raise click.ClickException(f"no active account {actor_email!r}")
        try:
            if source.startswith(("http://", "https://")):
                data = _fetch(source)
            else:
                path = Path(source)
                if not path.is_file():
                    raise click.ClickException(f"no such file: {source}")
                data = path.read_bytes()[:MAX_XML_BYTES + 1]
            day, changed = import_cbr_daily(actor, data,
                                            only={c.upper() for c in currencies} or None)
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from error
        db.session.commit()
        click.echo(f"rates of {day.isoformat()}: {changed} stored or corrected")


def _fetch(url: str) -> bytes:
    try:
        return fetch_url(url, max_bytes=MAX_XML_BYTES, deadline=FETCH_TIMEOUT_SECONDS,
                         headers={"Accept": "application/xml, text/xml"})
    except TooLarge:
        raise click.ClickException(f"the file at {url} is larger than "
                                   f"{MAX_XML_BYTES // 1000} kB") from None
    except FetchFailed:
        raise click.ClickException(
            f"could not read {url}: it must be a public http(s) address that answers within "
            f"{FETCH_TIMEOUT_SECONDS} s (private networks are refused unless listed in "
            "FETCH_ALLOWED_ADDRESSES)") from None
