"""Command-line tasks: `flask create-user`, `flask check-addresses`, `flask seed-demo`,
`flask compile-translations`."""

import click
from flask import Flask, current_app

from events.enums import Role
from events.errors import DomainError
from events.extensions import db


def register_cli(app: Flask) -> None:
    # Every process (web, worker, CLI, tests) passes here at start; planning's hooks belong
    # in create_app itself, beside the blueprints, and move there with its next change.
    from events.registrations.notify import install_hooks

    install_hooks()
    from events.outbox.cli import outbox_cli, worker_command

    app.cli.add_command(worker_command)
    app.cli.add_command(outbox_cli)

    @app.cli.command("create-user")
    @click.option("--email", required=True)
    @click.option("--name", required=True)
    @click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.STAFF.value)
    @click.option("--partner", "partner_slug", help="Partner slug (staff and coordinators).")
    @click.option("--company", default="")
    @click.password_option()
    def create_user_command(email, name, role, partner_slug, company, password):
        """Create an account (staff, coordinator, admin or resident)."""
        from events.auth.services import create_user
        from events.partners.queries import partner_by_slug

        partner = partner_by_slug(partner_slug) if partner_slug else None
        if partner_slug and partner is None:
            raise click.ClickException(f"no partner with slug {partner_slug!r}")
        try:
            user = create_user(
                email=email, name=name, password=password, role=Role(role), partner=partner,
                company=company, verified=True,
            )
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(error.message) from error
        db.session.commit()
        click.echo(f"created {user.role.value} {user.email}")

    @app.cli.command("check-addresses")
    def check_addresses_command():
        """List accounts whose address cannot receive mail (reported, nothing is changed)."""
        from events.auth.services import accounts_with_bad_addresses

        found = accounts_with_bad_addresses()
        for user, problem in found:
            click.echo(f"{user.id}\t{user.email}\t{user.role.value}\t{problem}")
        click.echo(f"{len(found)} account(s) with an address that cannot receive mail")

    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Do nothing unless the database has no data.")
    def seed_demo_command(if_empty):
        """Load the demo partners, venues, people, events, contributions and registrations."""
        from events.demo import database_is_empty, seed_demo

        if if_empty and not database_is_empty():
            click.echo("database holds data; demo not loaded")
            return
        created = seed_demo()
        db.session.commit()
        click.echo("demo data loaded" if created else "demo data already present; nothing changed")

    @app.cli.command("welcome")
    @click.option("--url", required=True, help="Where the app is about to be served.")
    def welcome_command(url):
        """Print where to open the app and which accounts sign in (make run's last words)."""
        click.echo("\n".join(welcome_lines(url)))

    @app.cli.command("calendar-refresh")
    def calendar_refresh_command():
        """Store every published event's VEVENT (after an upgrade or a rename of many)."""
        import sqlalchemy as sa

        from events.calendar import store
        from events.planning.models import Event

        with app.test_request_context():
            ids = list(db.session.scalars(sa.select(Event.id)))
            written = store.refresh(ids)
            db.session.commit()
        click.echo(f"stored {written} VEVENTs")

    @app.cli.command("compile-translations")
    def compile_translations_command():
        """Compile the per-area .po files into the catalogues the app reads."""
        from events.i18n import compile_translations

        for path in compile_translations():
            click.echo(f"wrote {path}")

    @app.cli.command("i18n-missing")
    @click.option("--language", default="ru")
    def i18n_missing_command(language):
        """Print untranslated messages as .po entries, under the area file that owns them."""
        from events.i18n import missing_translations

        for area, items in sorted(missing_translations(language).items()):
            click.echo(f"# ---- events/translations/{language}/{area}.po")
            for message, locations, context in items:
                click.echo(f"#: {' '.join(locations[:3])}")
                if context:
                    click.echo(f"msgctxt {_po_quote(context)}")
                if isinstance(message, tuple):
                    click.echo(f"msgid {_po_quote(message[0])}")
                    click.echo(f"msgid_plural {_po_quote(message[1])}")
                    for n in range(3 if language == "ru" else 2):
                        click.echo(f'msgstr[{n}] ""')
                else:
                    click.echo(f"msgid {_po_quote(message)}")
                    click.echo('msgstr ""')
                click.echo()


def _po_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def welcome_lines(url: str) -> list[str]:
    """The address, then one account of each kind (admin; coordinator and staff per partner;
    a resident per site) with the demo password when the demo is loaded."""
    import sqlalchemy as sa

    from events.auth.models import User
    from events.demo import DEMO_PASSWORD

    people = db.session.scalars(
        sa.select(User).where(User.is_active.is_(True)).order_by(User.id)).all()
    shown: dict[tuple, User] = {}
    for person in people:
        if person.is_admin:
            key = ("0", "admin")
        elif person.is_staff:
            key = ("1", person.partner.short_name, person.role.value)
        else:
            site = person.site_partner.short_name if person.site_partner else ""
            key = ("2", site, "resident")
        shown.setdefault(key, person)
    lines = ["", f"  Joint Events: {url}", ""]
    if not shown:
        return [*lines, "  No accounts yet: .venv/bin/flask create-user --role admin …", ""]
    demo = any(p.is_admin and p.check_password(DEMO_PASSWORD) for p in shown.values())
    lines.append(f"  Sign in with (password: {DEMO_PASSWORD}):" if demo else "  Accounts:")
    for key, person in sorted(shown.items()):
        kind = ", ".join(reversed(key[1:])) if key[0] == "1" else key[-1]
        if key[0] == "2" and key[1]:
            kind = f"resident at {key[1]}"
        lines.append(f"    {kind:<32} {person.email}")
    lines.append("")
    if current_app.config.get("MAIL_BACKEND") == "console":
        lines.append("  Mail is printed here instead of being sent.")
    return [*lines, "  Stop with Ctrl+C.", ""]
