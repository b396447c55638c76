"""Webhooks: what emission adds to a registration (time and SQL statements, with no endpoint and
with five subscribed endpoints), and how fast one worker delivers signed messages to a receiver
on loopback that answers at once.

    .venv/bin/python bench/webhooks.py [--messages 300] [--pg]

SQLite in a temporary file by default; --pg uses a scratch PostgreSQL database on
127.0.0.1:5432 (user postgres) that it creates and drops. Bounded: --messages deliveries, 200
registrations per round. Only loopback is contacted (let through FETCH_ALLOWED_ADDRESSES).
"""

import argparse
import statistics
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG = "postgresql://postgres@127.0.0.1:5432/"
REGISTRATIONS = 200


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def registrations(app, endpoints: int, port: int) -> tuple[float, float]:
    """Median ms and SQL statements of register() for one person, with `endpoints` endpoints."""
    from datetime import timedelta

    import sqlalchemy as sa

    from events.db import utcnow
    from events.enums import (
        Audience,
        Category,
        EventStatus,
        InvolvementRole,
        InvolvementState,
        Residency,
        Role,
    )
    from events.extensions import db
    from events.partners.models import Partner
    from events.planning.models import Event, Involvement
    from events.registrations.services import register
    from events.webhooks.models import EVENT_TYPES, WebhookEndpoint
    from events.webhooks.signing import new_secret

    tag = uuid.uuid4().hex[:6]
    partner = Partner(slug=f"p-{tag}", name="Host", short_name="Host", color="#336699")
    starts = utcnow().replace(microsecond=0) + timedelta(days=7)
    event = Event(title="Bench", category=Category.SEMINAR, starts_at=starts,
                  ends_at=starts + timedelta(hours=2), timezone="Europe/Moscow",
                  capacity=None, audience=Audience.PUBLIC, status=EventStatus.SCHEDULED,
                  online_url="https://meet.example.org/x", format="online")
    db.session.add_all([partner, event, Involvement(
        event=event, partner=partner, role=InvolvementRole.HOST,
        state=InvolvementState.ACCEPTED)])
    for _ in range(endpoints):
        db.session.add(WebhookEndpoint(partner=partner, url=f"http://127.0.0.1:{port}/hook",
                                       event_types=" ".join(EVENT_TYPES), secret=new_secret()))
    from events.auth.models import User

    people = [User(email=f"r{n}-{tag}@bench.example", name=f"R {n}", role=Role.RESIDENT,
                   password_hash="!", email_verified_at=utcnow(), company="C",  # noqa: S106 — no sign-in
                   residency=Residency.CONFIRMED) for n in range(REGISTRATIONS)]
    db.session.add_all(people)
    db.session.commit()
    statements, times, counts = [], [], []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        for person in people:
            statements.clear()
            started = time.perf_counter()
            register(person, event)
            db.session.commit()
            times.append((time.perf_counter() - started) * 1000)
            counts.append(len(statements))
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    return statistics.median(times), statistics.median(counts)


def run(url: str, messages: int) -> dict:
    from flask_migrate import upgrade

    from app import create_app
    from events.extensions import db
    from events.partners.models import Partner
    from events.webhooks import services
    from events.webhooks.delivery import deliver_due
    from events.webhooks.models import WebhookEndpoint
    from events.webhooks.signing import new_secret

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_port
    # The worker is not woken here (no requests): deliveries wait until deliver_due below.
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "TASK_QUEUE_URL": "immediate", "MAIL_BACKEND": "record",
                      "FETCH_ALLOWED_ADDRESSES": [f"127.0.0.1:{port}"]})
    result = {}
    try:
        with app.app_context():
            upgrade(revision="heads")
            result["register, no endpoint"] = registrations(app, 0, port)
            result["register, 5 endpoints"] = registrations(app, 5, port)
            partner = Partner(slug="deliver", name="D", short_name="D", color="#336699")
            endpoint = WebhookEndpoint(partner=partner, url=f"http://127.0.0.1:{port}/hook",
                                       event_types="event.changed", secret=new_secret())
            db.session.add_all([partner, endpoint])
            db.session.flush()
            while deliver_due().claimed:   # the registrations' deliveries above, first
                pass
            for n in range(messages):
                services.emit("event.changed", [partner.id], {"n": n, "title": "x" * 200})
            db.session.commit()
            started = time.perf_counter()
            outcome = deliver_due()
            wall = time.perf_counter() - started
            result["deliver"] = (outcome.delivered, wall)
            db.session.remove()
    finally:
        server.shutdown()
        server.server_close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--pg", action="store_true", help="also run on PostgreSQL")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        results["SQLite"] = run(f"sqlite:///{folder}/webhooks.sqlite3", args.messages)
    if args.pg:
        import psycopg

        name = f"je_bench_webhooks_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG + "postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            results["PostgreSQL"] = run(PG + name, args.messages)
        finally:
            with psycopg.connect(PG + "postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    for database, result in results.items():
        for what in ("register, no endpoint", "register, 5 endpoints"):
            ms, statements = result[what]
            print(f"{database}: {what}: {ms:.1f} ms median, {statements:.0f} SQL statements")
        delivered, wall = result["deliver"]
        print(f"{database}: {delivered} deliveries in {wall:.2f} s "
              f"({delivered / wall:.0f}/s, one worker)")


if __name__ == "__main__":
    main()
