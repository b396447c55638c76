"""Checking in 500 people by ticket at the door: each ticket's code is posted to the door page's
scan endpoint of the real app (Flask's test client: the full request path, sign-in session and
CSRF token included, no network), and the time per scan at the server is reported, beside the
second scan of the same tickets (already checked in) and codes that are not ours.

    .venv/bin/python bench/checkin.py [--people 500] [--pg] [--write]

SQLite in a temporary file by default; --pg uses a scratch PostgreSQL database on
127.0.0.1:5432 (user postgres) that it creates and drops. Bounded: --people scans per round,
three rounds.
"""

import argparse
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-password-123"  # noqa: S105 — the throwaway accounts' password
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
PG = "postgresql://postgres@127.0.0.1:5432/"


def prepare(app, people: int) -> tuple[int, list[str]]:
    """The event (starting in 30 minutes: check-in is open), its staff and `people` seats."""
    from datetime import timedelta

    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from events.auth.models import PASSWORD_METHOD, User
    from events.db import utcnow
    from events.enums import (
        Audience,
        Category,
        EventStatus,
        InvolvementRole,
        InvolvementState,
        RegistrationStatus,
        Role,
    )
    from events.extensions import db
    from events.partners.models import Partner
    from events.planning.models import Event, Involvement
    from events.registrations.models import Registration
    from events.registrations.tickets import ticket_token

    with app.app_context():
        upgrade(revision="heads")
        partner = Partner(slug="host", name="Host", short_name="Host", color="#336699")
        starts = utcnow().replace(microsecond=0) + timedelta(minutes=30)
        event = Event(title="Door test", category=Category.SEMINAR, starts_at=starts,
                      timezone="Europe/Moscow",
                      ends_at=starts + timedelta(hours=2), capacity=people,
                      audience=Audience.PUBLIC, status=EventStatus.SCHEDULED)
        hashed = generate_password_hash(PASSWORD, method=PASSWORD_METHOD)
        staff = User(email="door@bench.example", name="Door", role=Role.STAFF, partner=partner,
                     password_hash=hashed, email_verified_at=utcnow())
        db.session.add_all([partner, event, staff, Involvement(
            event=event, partner=partner, role=InvolvementRole.HOST,
            state=InvolvementState.ACCEPTED)])
        now = utcnow()
        people_rows = [User(email=f"guest{n}@bench.example", name=f"Guest {n}",
                            password_hash=hashed, company="Bench LLC") for n in range(people)]
        db.session.add_all(people_rows)
        db.session.flush()
        seats = [Registration(event=event, user=p, status=RegistrationStatus.CONFIRMED,
                              registered_at=now, confirmed_at=now) for p in people_rows]
        db.session.add_all(seats)
        db.session.commit()
        return event.id, [ticket_token(s) for s in seats]


def summary(times: list[float]) -> dict:
    ordered = sorted(times)
    return {"n": len(times), "mean": statistics.fmean(times) * 1000,
            "p50": ordered[len(ordered) // 2] * 1000,
            "p95": ordered[int(len(ordered) * 0.95) - 1] * 1000,
            "max": ordered[-1] * 1000}


def run(url: str, people: int) -> dict:
    import sqlalchemy as sa

    from app import create_app
    from events.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "TASK_QUEUE_URL": "immediate", "MAIL_BACKEND": "record",
                      "RATELIMIT_ENABLED": False})
    event_id, tokens = prepare(app, people)
    client = app.test_client()
    page = client.get("/signin").get_data(as_text=True)
    client.post("/signin", data={"csrf_token": CSRF.search(page).group(1),
                                 "email": "door@bench.example", "password": PASSWORD})
    door = client.get(f"/events/{event_id}/door")
    assert door.status_code == 200, door.status_code
    csrf = CSRF.search(door.get_data(as_text=True)).group(1)
    statements = []
    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute",
                    lambda *args: statements.append(args[2]))

    def scan_all(codes, expected):
        times, counts = [], []
        for code in codes:
            before = len(statements)
            started = time.perf_counter()
            response = client.post(f"/events/{event_id}/door/scan",
                                   data={"csrf_token": csrf, "token": code},
                                   headers={"Accept": "application/json"})
            times.append(time.perf_counter() - started)
            counts.append(len(statements) - before)
            outcome = response.get_json()["outcome"]
            assert outcome == expected, (outcome, expected)
        return {**summary(times), "sql": statistics.median(counts)}

    started = time.perf_counter()
    first = scan_all(tokens, "checked_in")
    first["wall"] = time.perf_counter() - started
    again = scan_all(tokens, "already")
    unknown = scan_all([f"{uuid.uuid4().hex}.forged" for _ in tokens], "unknown")
    counts = client.get(f"/events/{event_id}/attendees/counts").get_json()
    assert counts["checked_in"] == people, counts
    with app.app_context():
        db.engine.dispose()
    return {"first": first, "again": again, "unknown": unknown}


def table(results: dict) -> str:
    lines = ["| scan | database | scans | mean | p50 | p95 | max | SQL statements |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    names = {"first": "first scan (checked in)", "again": "same ticket again (already)",
             "unknown": "a code not issued here (unknown)"}
    for database, rounds in results.items():
        for key, figures in rounds.items():
            lines.append(
                f"| {names[key]} | {database} | {figures['n']} | {figures['mean']:.1f} ms "
                f"| {figures['p50']:.1f} ms | {figures['p95']:.1f} ms | {figures['max']:.1f} ms "
                f"| {figures['sql']:.0f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--pg", action="store_true", help="also run on PostgreSQL")
    parser.add_argument("--write", action="store_true", help="write bench/results/checkin.md")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        results["SQLite"] = run(f"sqlite:///{folder}/checkin.sqlite3", args.people)
    if args.pg:
        import psycopg

        name = f"je_bench_checkin_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG + "postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            results["PostgreSQL"] = run(PG + name, args.people)
        finally:
            with psycopg.connect(PG + "postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    text = table(results)
    print(text)
    for database, rounds in results.items():
        print(f"{database}: {args.people} check-ins in {rounds['first']['wall']:.1f} s")
    if args.write:
        out = ROOT / "bench" / "results" / "checkin.md"
        out.write_text(RESULT_HEAD.format(people=args.people) + text + "\n\n" + "\n".join(
            f"- {database}: {args.people} check-ins one after another in "
            f"{rounds['first']['wall']:.1f} s." for database, rounds in results.items())
            + "\n" + RESULT_NOTES)


RESULT_HEAD = """# Check-in at the door: {people} people by ticket

From `bench/checkin.py --pg --write`: each ticket's code posted to
`POST /events/<id>/door/scan` (JSON answer) through Flask's test client, signed in as the
host's staff, with the CSRF token of the door page, so every scan runs the whole request:
session, permission, signature check, the ticket's row read and locked, the check-in and its
audit entry written and committed, and the live counts for the answer. Time per scan at the
server (no network), on 2 CPU cores shared with other work.

"""
RESULT_NOTES = """
- The first scan is the one that writes (check-in, audit entry, commit). A second scan of
  the same ticket writes nothing but still locks the row (it has to: the lock decides between
  "checked in" and "already"), which on PostgreSQL is a `SELECT ... FOR UPDATE`; that it came
  out slower than the first scan there is within this loaded machine's noise. A forged code
  is refused by its signature before the database is asked for the ticket.
- Two phones scanning the same ticket at once check it in once: the row is locked
  (`SELECT ... FOR UPDATE` on PostgreSQL, the write transaction on SQLite); see
  tests/registrations/test_door_concurrency.py.
"""


if __name__ == "__main__":
    main()
