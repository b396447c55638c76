"""How fast is the cooperation report with 10,000 events and 50,000 contributions?

    .venv/bin/python bench/contributions_report.py            # SQLite (a temporary file)
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/je_bench .venv/bin/python \
        bench/contributions_report.py                          # PostgreSQL (schema is WIPED)

Loads the data with bulk INSERTs, then times the report page (and the CSV of every event)
in-process through Flask's test client, as an admin and as partner staff, and prints the
median of several runs. Figures go to bench/results/contributions.md.
"""

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from events.contributions.reports import add_months  # noqa: E402
from events.enums import (  # noqa: E402
    Audience,
    Category,
    ContributionKind,
    ContributionStatus,
    EventFormat,
    EventStatus,
    InvolvementRole,
    InvolvementState,
    RegistrationStatus,
    Role,
)
from events.extensions import db  # noqa: E402

EVENTS = 10_000
CONTRIBUTIONS = 50_000
REGISTRATIONS = 40_000
PARTNERS = 4
RUNS = 9
MOSCOW = ZoneInfo("Europe/Moscow")


def _database() -> tuple[str, str]:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
        engine.dispose()
        return url, "PostgreSQL"
    path = Path(tempfile.mkdtemp(prefix="je-bench-")) / "bench.sqlite3"
    return f"sqlite:///{path}", "SQLite"


def _load(now: datetime) -> dict:
    from events.auth.models import User
    from events.contributions.models import Contribution
    from events.partners.models import Partner
    from events.planning.models import Event, Involvement, Programme
    from events.registrations.models import Registration

    rng = random.Random(4)
    colours = ["#1b7f5b", "#2357b8", "#b35c00", "#8a2be2"]
    db.session.execute(sa.insert(Partner), [
        {"id": n + 1, "slug": f"p{n + 1}", "name": f"Партнёр №{n + 1}",
         "short_name": f"P{n + 1}", "color": colours[n % 4]} for n in range(PARTNERS)])
    db.session.execute(sa.insert(Programme), [{"id": 1, "slug": "p", "title": "Программа"}])
    users = [{"id": 1, "email": "admin@bench", "name": "Admin", "role": Role.ADMIN,
              "password_hash": "x"},
             {"id": 2, "email": "staff@bench", "name": "Staff", "role": Role.STAFF,
              "partner_id": 1, "password_hash": "x"}]
    users += [{"id": 3 + n, "email": f"r{n}@bench", "name": f"Resident {n}",
               "role": Role.RESIDENT, "company": "C", "password_hash": "x"} for n in range(2000)]
    for user in users:  # bulk inserts skip the ORM: the look-alike key and session token by hand
        user |= {"email_key": user["email"], "session_token": "bench"}
    db.session.execute(sa.insert(User), users)
    events, involvements = [], []
    for n in range(EVENTS):
        starts = now + timedelta(minutes=rng.randint(-365 * 24 * 60, 365 * 24 * 60))
        lead = n % PARTNERS + 1
        events.append({
            "id": n + 1, "uid": f"bench-{n}", "title_ru": f"Событие {n}",
            "category": rng.choice(list(Category)), "format": EventFormat.IN_PERSON,
            "starts_at": starts, "ends_at": starts + timedelta(hours=2),
            "timezone": "Europe/Moscow", "audience": rng.choice(list(Audience)),
            "status": rng.choice([EventStatus.SCHEDULED] * 6 + [EventStatus.PROPOSED,
                                  EventStatus.DRAFT, EventStatus.CANCELLED]),
            "programme_id": 1 if n % 3 == 0 else None, "sequence": 0,
        })
        involvements.append({"event_id": n + 1, "partner_id": lead, "role": InvolvementRole.HOST,
                             "state": InvolvementState.ACCEPTED})
        others = rng.sample([p for p in range(1, PARTNERS + 1) if p != lead], rng.randint(1, 2))
        for other in others:
            involvements.append({
                "event_id": n + 1, "partner_id": other,
                "role": rng.choice([InvolvementRole.CO_HOST, InvolvementRole.SUPPORTER]),
                "state": rng.choice([InvolvementState.ACCEPTED] * 4 + [
                    InvolvementState.INVITED, InvolvementState.DECLINED])})
    db.session.execute(sa.insert(Event), events)
    db.session.execute(sa.insert(Involvement), involvements)
    by_event: dict[int, list[int]] = {}
    for inv in involvements:
        by_event.setdefault(inv["event_id"], []).append(inv["partner_id"])
    rows = []
    for n in range(CONTRIBUTIONS):
        event_id = n % EVENTS + 1
        kind = rng.choice(list(ContributionKind))
        hours = kind == ContributionKind.STAFF_TIME
        money = not hours and rng.random() < 0.6
        rows.append({
            "event_id": event_id, "partner_id": rng.choice(by_event[event_id]), "kind": kind,
            "description": "Вклад", "quantity": Decimal(rng.randint(1, 40)) if hours else None,
            "unit": "hours" if hours else "",
            "amount": Decimal(rng.randint(1, 500) * 100) if money else None,
            "currency": rng.choice(["RUB"] * 6 + ["EUR", "USD", "CNY"]),
            "status": rng.choice([ContributionStatus.PLEDGED, ContributionStatus.DELIVERED,
                                  ContributionStatus.DELIVERED, ContributionStatus.WITHDRAWN]),
        })
    for start in range(0, len(rows), 10_000):
        db.session.execute(sa.insert(Contribution), rows[start:start + 10_000])
    seen, registrations = set(), []
    while len(registrations) < REGISTRATIONS:
        key = (rng.randint(1, EVENTS), rng.randint(3, 2002))
        if key in seen:
            continue
        seen.add(key)
        confirmed = rng.random() < 0.85
        registrations.append({
            "event_id": key[0], "user_id": key[1],
            "status": RegistrationStatus.CONFIRMED if confirmed else
            RegistrationStatus.WAITLISTED,
            "registered_at": now,
            "checked_in_at": now if confirmed and rng.random() < 0.5 else None})
    for start in range(0, len(registrations), 10_000):
        db.session.execute(sa.insert(Registration), registrations[start:start + 10_000])
    db.session.commit()
    return {"admin": 1, "staff": 2}


def _time(client, path: str, args: dict) -> tuple[float, int]:
    samples, size = [], 0
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(path, query_string=args)
        size = len(response.data)  # a streamed body is made while it is read: time it too
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(samples), size


def main() -> None:
    url, name = _database()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True,
                      "RATELIMIT_ENABLED": False, "MAIL_BACKEND": "record"})
    lines = []
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(revision="heads")
        now = datetime.now(UTC).replace(microsecond=0)
        started = time.perf_counter()
        people = _load(now)
        # Planner statistics, as autovacuum (PostgreSQL) or a routine ANALYZE would leave them.
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        load_seconds = time.perf_counter() - started
        today = now.astimezone(MOSCOW).date().replace(day=1)
        year = {"start": add_months(today, -6).isoformat(),
                "end": (add_months(today, 6) - timedelta(days=1)).isoformat()}
        everything = {"start": add_months(today, -13).isoformat(),
                      "end": add_months(today, 13).isoformat()}
        client = app.test_client()
        cases = [
            ("admin", "/reports", year, "report page, 12 months"),
            ("admin", "/reports", everything, "report page, all 10,000 events"),
            ("staff", "/reports", everything, "report page, all events, as partner staff"),
            ("admin", "/reports", {**everything, "partner": "2", "status": "delivered"},
             "report page, one partner, delivered only"),
            ("admin", "/reports/balance.svg", everything, "balance chart (SVG)"),
            ("admin", "/reports/partners.csv", everything, "per-partner CSV"),
            ("admin", "/reports/events.csv", everything, "per-event CSV, every event"),
        ]
        for who, path, args, label in cases:
            with client.session_transaction() as session:
                session["_user_id"] = f"{people[who]}:bench"
                session["_fresh"] = True
            client.get(path, query_string=args)  # warm caches and the connection pool
            median, size = _time(client, path, args)
            lines.append(f"| {name} | {label} | {median * 1000:.0f} ms | {size / 1024:.1f} KiB |")
            print(lines[-1], flush=True)
        lines.append(f"| {name} | per-event CSV, every event: peak Python memory while "
                     f"serving (tracemalloc) | {_csv_peak(client, everything) / 1e6:.1f} MB | "
                     "streamed |")
        print(lines[-1], flush=True)
        db.session.remove()
        db.engine.dispose()
    _write(name, load_seconds, lines)


def _csv_peak(client, args) -> int:
    """Peak memory of one per-event CSV request, reading the streamed body chunk by chunk
    (as a client would), so only what the server holds is counted."""
    import tracemalloc

    tracemalloc.start()
    response = client.get("/reports/events.csv", query_string=args, buffered=False)
    size = sum(len(chunk) for chunk in response.iter_encoded())
    response.close()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert size > 0
    return peak


def _write(name: str, load_seconds: float, lines: list[str]) -> None:
    out = ROOT / "bench" / "results" / "contributions.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    sections = {}
    if out.exists():
        current = None
        for line in out.read_text(encoding="utf-8").splitlines():
            if line.startswith("## "):
                current = line[3:].strip()
                sections[current] = []
            elif current:
                sections[current].append(line)
    sections[name] = [
        "",
        f"{EVENTS:,} events, {CONTRIBUTIONS:,} contributions, {REGISTRATIONS:,} registrations, "
        f"{PARTNERS} partners (loaded in {load_seconds:.1f} s). Median of {RUNS} requests "
        "through the Flask test client (SQL + rendering), "
        f"{datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} CPU cores shared with other work.",
        "",
        "| database | request | median | response |",
        "| --- | --- | --- | --- |",
        *lines,
        "",
    ]
    text = ["# Contribution reports — speed", "",
            "`.venv/bin/python bench/contributions_report.py` (add `DATABASE_URL=postgresql://…` "
            "for PostgreSQL).", ""]
    for key in ("SQLite", "PostgreSQL"):
        if key in sections:
            text += [f"## {key}", *sections[key]]
    out.write_text("\n".join(text).rstrip() + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
