"""What a weekly series of three years costs the public feed, built as one recurring VEVENT.

    .venv/bin/python bench/series_feed.py [--dates 150] [--runs 5]

In a fresh SQLite database (a temporary file; with DATABASE_URL pointing at PostgreSQL, a
scratch database `<that database>_bench` next to it, dropped afterwards): one partner, a
weekly Berlin series of --dates dates (over six clock changes) created through the series
service, proposed and scheduled, then edited with scope "all" (an hour later, a new title).
Times (median of --runs) and SQL statements of:

- create, schedule, edit "all": the services, each in its own committed transaction;
- feed cold: GET /calendar.ics with every in-process memory dropped (the master is built);
- feed warm: an unchanged feed asked by a new client (the body is remembered);
- feed after one date changed: one date moved alone, then GET (the master is rebuilt);
- the same dates as separate VEVENTs: the staff member's private feed (private feeds list
  dates one by one), cold;
- 304: a conditional GET with the ETag.

Prints a Markdown table; short to run (a few seconds).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from calendar_feed import app_config, scratch_postgres  # noqa: E402 — bench's own helper


class Counter:
    def __init__(self, engine):
        import sqlalchemy as sa

        self.n = 0
        self.engine = engine

        def before(conn, cursor, statement, *args):
            if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
                self.n += 1

        self.before = before
        sa.event.listen(engine, "before_cursor_execute", before)

    def close(self):
        import sqlalchemy as sa

        sa.event.remove(self.engine, "before_cursor_execute", self.before)


def measured(app, fn) -> tuple[float, int]:
    from events.extensions import db

    counter = Counter(db.engine)
    started = time.perf_counter()
    try:
        fn()
    finally:
        counter.close()
    return (time.perf_counter() - started) * 1000, counter.n


def people(db):
    from events.auth.models import User
    from events.db import utcnow
    from events.enums import Role
    from events.partners.models import Partner

    unusable = "!"  # no password opens these accounts; the bench never signs in
    partner = Partner(slug="bpc", name="BioPharmCluster Northern", short_name="BPC",
                      color="#1b5fa8")
    staff = User(email="staff@example.org", name="Staff", role=Role.STAFF, partner=partner,
                 password_hash=unusable, email_verified_at=utcnow())
    coordinator = User(email="coord@example.org", name="Coordinator", role=Role.COORDINATOR,
                       partner=partner, password_hash=unusable, email_verified_at=utcnow())
    db.session.add_all([partner, staff, coordinator])
    db.session.commit()
    return staff, coordinator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dates", type=int, default=150)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from flask_migrate import upgrade

    from app import create_app
    from events.auth.models import User
    from events.calendar import cache
    from events.calendar.tokens import issue_feed_token
    from events.enums import Audience, Category, EventFormat
    from events.extensions import db
    from events.planning import services
    from events.planning.models import Series
    from events.planning.recurrence import WEEKLY, Pattern
    from events.planning.series import create_series, propose_series, schedule_series, update_series

    pg_url = os.environ.get("DATABASE_URL", "")
    admin = scratch = None
    tmp = tempfile.TemporaryDirectory()
    if pg_url.startswith("postgres"):
        url, admin, scratch = scratch_postgres(pg_url)
        label = "PostgreSQL"
    else:
        url, label = f"sqlite:///{tmp.name}/bench.sqlite3", "SQLite"
    app = create_app(app_config(url))
    rows = []
    try:
        with app.app_context():
            upgrade(revision="heads")
        berlin = ZoneInfo("Europe/Berlin")
        start = datetime(2027, 1, 6, 10, 0, tzinfo=berlin)
        values = {"title": "Mentor office hours", "summary": "Bring your questions",
                  "description": "Every Wednesday, **one hour** with a mentor.",
                  "category": Category.CONSULTING_DAY, "format": EventFormat.ONLINE,
                  "online_url": "https://meet.example.org/mentors", "venue": None,
                  "starts_at": start, "ends_at": start + timedelta(hours=1),
                  "timezone": "Europe/Berlin", "audience": Audience.PUBLIC, "capacity": 20}
        with app.test_request_context():
            staff, coordinator = people(db)

            def create():
                create_series(staff, values, Pattern(WEEKLY, weekdays=(2,), count=args.dates))
                db.session.commit()

            def schedule():
                series = db.session.get(Series, 1)
                propose_series(staff, series)
                schedule_series(coordinator, series)
                db.session.commit()

            def edit_all():
                first = db.session.get(Series, 1).occurrences[0]
                update_series(staff, first, {
                    "starts_at": first.starts_at + timedelta(hours=1),
                    "ends_at": first.ends_at + timedelta(hours=1),
                    "title": "Mentor hours"}, "all")
                db.session.commit()

            for name, fn in (("create the series", create), ("propose and schedule", schedule),
                             ('edit "all" (an hour later, new title)', edit_all)):
                rows.append((name, *measured(app, fn)))
            staff_id = staff.id
            token = issue_feed_token(staff, secret_key=app.config["SECRET_KEY"])
            db.session.commit()
            db.session.remove()
        client = app.test_client()

        def feed():
            response = client.get("/calendar.ics")
            assert response.status_code == 200, response.status_code
            return response

        def runs(fn, before=None):
            found = []
            for _ in range(args.runs):
                if before:
                    before()
                found.append(measured(app, fn))
            return (statistics.median(t for t, _ in found),
                    statistics.median(n for _, n in found))

        with app.app_context():
            body = feed().data
            assert body.count(b"BEGIN:VEVENT") == 1, "the series is not one master"
            rows.append(("feed, cold (memory dropped)", *runs(feed, cache.forget)))
            rows.append(("feed, warm (unchanged, new client)", *runs(feed)))
            moved = {"n": 0}

            def move_one():
                with app.test_request_context():
                    series = db.session.get(Series, 1)
                    event = series.occurrences[10 + moved["n"]]
                    moved["n"] += 1
                    actor = db.session.get(User, staff_id)
                    services.update_event(actor, event, title=f"Moved {moved['n']}")
                    db.session.commit()
                    db.session.remove()

            rows.append(("feed after one date changed", *runs(feed, move_one)))
            private = f"/feeds/{token}.ics"
            one_by_one = client.get(private).data
            assert one_by_one.count(b"BEGIN:VEVENT") == args.dates
            rows.append(("the same dates one by one (staff's private feed), cold",
                         *runs(lambda: client.get(private), cache.forget)))
            etag = feed().headers["ETag"]
            rows.append(("feed, 304", *runs(lambda: client.get(
                "/calendar.ics", headers={"If-None-Match": etag}))))
    finally:
        if admin is not None:
            with app.app_context():
                db.engine.dispose()
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
            admin.dispose()
        tmp.cleanup()
    print(f"\n{label}, weekly series of {args.dates} dates (median of {args.runs}): "
          f"public feed {len(body):,} bytes, one by one {len(one_by_one):,} bytes\n")
    print("| what | ms | SQL statements |\n| --- | ---: | ---: |")
    for name, ms, n in rows:
        print(f"| {name} | {ms:,.1f} | {n:g} |")


if __name__ == "__main__":
    main()
