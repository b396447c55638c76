"""How much the public feed costs with 10,000 events, beside the icalendar library's own cost.

    .venv/bin/python bench/calendar_feed.py [--events 10000] [--runs 5] [--write]

Fills a fresh SQLite database (a temporary file; with DATABASE_URL pointing at PostgreSQL, a
scratch database `<that database>_bench` next to it, dropped afterwards) with --events public
events (some cancelled, some in zones with daylight saving, partners and rooms on each),
stores every event's VEVENT once (what each write does as it happens), then measures:

- library: the icalendar library alone building the same VEVENTs (same properties, from values
  already in memory) plus VCALENDAR/VTIMEZONE and calling to_ical();
- cold, fresh process: the first GET /calendar.ics of a new Python process (median of 3
  processes; the app is created first, only the request is timed);
- cold, nothing stored: the same when no VEVENT is stored yet (only once, after a migration);
- warm: further GETs (events unchanged, client without a cached copy);
- one changed: a GET after one event was changed (and committed) in this process;
- gzip: the same with Accept-Encoding: gzip;
- 304: a conditional GET with the ETag of the previous answer (one primary-key read of the
  change counter), and when the fingerprint must be recomputed (another process wrote);
- empty: a route that returns an empty string, the floor of any request;
- stampede: gunicorn with 4 fresh workers (no preload), 8 subscribers asking at once as soon
  as the workers are up, and a visitor opening / meanwhile.

Prints a Markdown table with the goals; --write also puts it into bench/results/calendar.md.
"""

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ZONES = ["Europe/Moscow"] * 14 + ["Asia/Novosibirsk", "Europe/Berlin", "America/New_York",
                                   "Australia/Sydney", "Europe/Kaliningrad", "Europe/Moscow"]


def fill(n_events: int, seed: int = 5) -> None:
    import sqlalchemy as sa

    from events.db import utcnow
    from events.enums import (
        Audience,
        Category,
        EventFormat,
        EventStatus,
        InvolvementRole,
        InvolvementState,
    )
    from events.extensions import db
    from events.partners.models import Partner, Venue
    from events.planning.models import Event, Involvement, new_uid

    rng = random.Random(seed)
    now = utcnow().replace(microsecond=0)
    db.session.execute(sa.insert(Partner), [
        {"slug": "bpc", "name": "BioPharmCluster «Northern» (MIPT)", "short_name": "BPC",
         "color": "#1b5fa8", "description": "", "created_at": now},
        {"slug": "technopolis", "name": "Technopolis Moscow", "short_name": "Technopolis",
         "color": "#b3261e", "description": "", "created_at": now},
    ])
    db.session.execute(sa.insert(Venue), [
        {"partner_id": 1 + i % 2, "site": "Campus", "building": f"Building {i}",
         "name": f"Hall {i}", "address": f"{i} Institutsky lane, Dolgoprudny",
         "capacity": 80, "accessibility": "", "latitude": 55.93 + i / 1000,
         "longitude": 37.52 + i / 1000, "is_active": True}
        for i in range(20)
    ])
    categories = list(Category)
    events, involvements = [], []
    for i in range(n_events):
        starts = now + timedelta(days=rng.randint(-85, 365), hours=rng.randint(0, 10))
        cancelled = rng.random() < 0.03
        events.append({
            "uid": new_uid(), "title_en": f"Seminar {i}: Biotech, pharma; and «more»",
            "summary_en": "Short summary of the event",
            # Every description differs, as in life (no help from any text cache).
            "description_en": f"## Programme {i}\n\n- **Talks** by partners\n- Networking, "
                           f"coffee\n\nRegistration on the [site](https://example.org/{i}).",
            "category": rng.choice(categories), "format": EventFormat.IN_PERSON,
            "venue_id": 1 + i % 20, "starts_at": starts, "ends_at": starts + timedelta(hours=2),
            "timezone": rng.choice(ZONES), "capacity": 50, "audience": Audience.PUBLIC,
            "status": EventStatus.CANCELLED if cancelled else EventStatus.SCHEDULED,
            "cancelled_at": now - timedelta(days=2) if cancelled else None,
            "cancel_reason": "Speaker ill" if cancelled else None,
            "sequence": rng.randint(0, 3), "created_at": now, "updated_at": now,
        })
    db.session.execute(sa.insert(Event), events)
    for event_id in range(1, n_events + 1):
        lead = 1 + event_id % 2
        involvements.append({"event_id": event_id, "partner_id": lead,
                             "role": InvolvementRole.HOST, "state": InvolvementState.ACCEPTED,
                             "invited_at": now, "note": ""})
        if event_id % 3 == 0:
            involvements.append({"event_id": event_id, "partner_id": 3 - lead,
                                 "role": InvolvementRole.SUPPORTER,
                                 "state": InvolvementState.ACCEPTED, "invited_at": now,
                                 "answered_at": now, "note": ""})
    db.session.execute(sa.insert(Involvement), involvements)
    db.session.commit()
    # Planner statistics, as a running database has them (autovacuum); right after a bulk
    # load PostgreSQL would otherwise think the tables empty and pick nested loops.
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()


def markdown_only(app) -> float:
    """Markdown → plain text for the same descriptions (DESCRIPTION needs it; the library
    baseline gets the text ready-made)."""
    import sqlalchemy as sa

    from events.extensions import db
    from events.planning.models import Event
    from events.text import markdown_to_text

    with app.app_context():
        texts = list(db.session.scalars(sa.select(Event.description)))
    started = time.perf_counter()
    for text in texts:
        markdown_to_text(text)
    return time.perf_counter() - started


def library_only(app) -> float:
    """The icalendar library alone: same VEVENTs from plain values, then to_ical()."""
    from zoneinfo import ZoneInfo

    from flask_login import AnonymousUserMixin
    from icalendar import Calendar, Timezone, vCalAddress, vDuration
    from icalendar import Event as VEvent

    from events.calendar.feeds import current_window
    from events.calendar.ical import event_description, event_location
    from events.calendar.queries import feed_events, public_selection

    with app.test_request_context():
        events = feed_events(public_selection(AnonymousUserMixin(), current_window()))
        site = app.config["SITE_URL"]
        rows = [{
            "uid": f"{e.uid}@x", "stamp": e.updated_at, "start": e.starts_at.astimezone(
                ZoneInfo(e.timezone)), "end": e.ends_at.astimezone(ZoneInfo(e.timezone)),
            "seq": e.sequence, "status": "CONFIRMED", "summary": e.title,
            "description": event_description(e, site_url=site), "location": event_location(e),
            "geo": (float(e.venue.latitude), float(e.venue.longitude)),
            "url": f"{site}/events/{e.id}", "category": e.category.value,
            "organizer": e.involvements[0].partner.name,
        } for e in events]
        zones = sorted({e.timezone for e in events})
    started = time.perf_counter()
    cal = Calendar()
    cal.add("prodid", "-//bench//EN")
    cal.add("version", "2.0")
    cal.add("name", "Joint Events")
    cal.add("x-wr-calname", "Joint Events")
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(timedelta(hours=1)))
    for zone in zones:
        cal.add_component(Timezone.from_tzid(zone))
    for row in rows:
        item = VEvent()
        item.add("uid", row["uid"])
        item.add("dtstamp", row["stamp"].astimezone(UTC))
        item.add("dtstart", row["start"])
        item.add("dtend", row["end"])
        item.add("sequence", row["seq"])
        item.add("created", row["stamp"])
        item.add("last-modified", row["stamp"])
        item.add("status", row["status"])
        item.add("summary", row["summary"])
        item.add("description", row["description"])
        item.add("location", row["location"])
        item.add("geo", row["geo"])
        item.add("url", row["url"])
        item.add("categories", [row["category"]])
        organizer = vCalAddress("mailto:no-reply@x")
        organizer.params["cn"] = row["organizer"]
        item.add("organizer", organizer)
        item.add("transp", "OPAQUE")
        cal.add_component(item)
    data = cal.to_ical()
    elapsed = time.perf_counter() - started
    assert data.count(b"BEGIN:VEVENT") == len(rows)
    return elapsed


def touch_one_event(run: int) -> None:
    """What an edit does: new title, later updated_at, SEQUENCE + 1 (committed)."""
    from events.db import utcnow
    from events.extensions import db
    from events.planning.models import Event

    event = db.session.get(Event, 1 + run)
    event.title = f"Changed title {run}"
    event.sequence += 1
    event.updated_at = utcnow()
    db.session.commit()


def timed(client, path: str, headers=None, expect: int = 200) -> tuple[float, object]:
    started = time.perf_counter()
    response = client.get(path, headers=headers or {})
    elapsed = time.perf_counter() - started
    assert response.status_code == expect, (path, response.status_code)
    return elapsed, response


def median(client, runs: int, path: str, headers=None, expect: int = 200) -> float:
    return statistics.median(timed(client, path, headers, expect)[0] for _ in range(runs))


def scratch_postgres(url: str):
    import sqlalchemy as sa

    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_bench"
    admin = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1),
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path="/" + name)), admin, name


def store_every_vevent(app) -> float:
    """What the writes would have left: every event's VEVENT stored in every language."""
    import sqlalchemy as sa

    from events.calendar import store
    from events.extensions import db
    from events.planning.models import Event

    started = time.perf_counter()
    with app.test_request_context():
        ids = list(db.session.scalars(sa.select(Event.id)))
        store.refresh(ids)
        db.session.commit()
    return time.perf_counter() - started


def child_cold(url: str) -> None:
    """In a fresh process: create the app, then time the first GET /calendar.ics."""
    from app import create_app

    app = create_app(app_config(url))
    client = app.test_client()
    started = time.perf_counter()
    response = client.get("/calendar.ics")
    elapsed = time.perf_counter() - started
    assert response.status_code == 200
    print(f"{elapsed:.6f} {response.data.count(b'BEGIN:VEVENT')}")


def cold_in_fresh_process(url: str, times: int = 3) -> float:
    samples = []
    for _ in range(times):
        done = subprocess.run([sys.executable, __file__, "--child-cold", url],
                              capture_output=True, text=True, check=True, cwd=ROOT,
                              timeout=600)
        samples.append(float(done.stdout.split()[0]))
    return statistics.median(samples)


def app_config(url: str) -> dict:
    return {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False, "MAIL_BACKEND": "record",
            "SITE_URL": "https://events.example.org"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stampede(url: str, subscribers: int = 8, workers: int = 4) -> dict:
    """gunicorn with fresh workers; as soon as all are up, `subscribers` GET /calendar.ics at
    once while a visitor opens /. Bounded: every request times out after 60 s."""
    import http.client
    import threading

    tmp = tempfile.TemporaryDirectory()
    conf = Path(tmp.name) / "gunicorn.conf.py"
    conf.write_text(
        "def post_worker_init(worker):\n"
        f"    open({tmp.name!r} + f'/ready-{{worker.pid}}', 'w').close()\n")
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench",
           "SITE_URL": "https://events.example.org", "MAIL_BACKEND": "record"}
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "app:create_app()", "-c", str(conf),
         "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--timeout", "60",
         "--log-level", "warning"], cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 120
        while len(list(Path(tmp.name).glob("ready-*"))) < workers:
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("gunicorn workers did not start")
            time.sleep(0.05)
        results: dict[str, list] = {"feed": [], "home": []}
        start_gun = threading.Barrier(subscribers + 2)

        def ask(path: str, kind: str) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            start_gun.wait()
            started = time.perf_counter()
            conn.request("GET", path)
            answer = conn.getresponse()
            body = answer.read()
            results[kind].append((time.perf_counter() - started, answer.status, len(body)))
            conn.close()

        threads = [threading.Thread(target=ask, args=("/calendar.ics", "feed"))
                   for _ in range(subscribers)]
        threads.append(threading.Thread(target=ask, args=("/", "home")))
        for thread in threads:
            thread.start()
        start_gun.wait()
        for thread in threads:
            thread.join(90)
        assert all(status == 200 for _, status, _ in results["feed"] + results["home"])
        feed = sorted(t for t, _, _ in results["feed"])
        return {"max": feed[-1], "median": statistics.median(feed),
                "home": results["home"][0][0], "n": len(feed)}
    finally:
        server.terminate()
        server.wait(30)
        tmp.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--child-cold", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_cold:
        child_cold(args.child_cold)
        return

    from flask_migrate import upgrade

    from app import create_app
    from events.calendar import cache
    from events.extensions import db

    pg_url = os.environ.get("DATABASE_URL", "")
    admin = scratch = None
    tmp = tempfile.TemporaryDirectory()
    if pg_url.startswith("postgres"):
        url, admin, scratch = scratch_postgres(pg_url)
        label = "PostgreSQL"
    else:
        url, label = f"sqlite:///{tmp.name}/bench.sqlite3", "SQLite"
    app = create_app(app_config(url))
    app.add_url_rule("/bench-empty", "bench_empty", lambda: "")
    try:
        with app.app_context():
            upgrade(revision="heads")
            fill(args.events)
        library = library_only(app)
        markdown = markdown_only(app)
        cold_nothing = cold_in_fresh_process(url, times=1)
        storing = store_every_vevent(app)
        cold_fresh = cold_in_fresh_process(url)
        client = app.test_client()
        cold, first = timed(client, "/calendar.ics")
        size = len(first.data)
        warm = median(client, args.runs, "/calendar.ics")
        changed = []
        for run in range(args.runs):
            with app.test_request_context():
                touch_one_event(run)
            changed.append(timed(client, "/calendar.ics")[0])
        one_changed = statistics.median(changed)
        zipped_time, zipped = timed(client, "/calendar.ics", {"Accept-Encoding": "gzip"})
        gzip_warm = median(client, args.runs, "/calendar.ics", {"Accept-Encoding": "gzip"})
        etag = timed(client, "/calendar.ics")[1].headers["ETag"]
        not_modified = median(client, args.runs * 20, "/calendar.ics",
                              {"If-None-Match": etag}, expect=304)
        recomputed = []
        for _ in range(args.runs * 4):
            cache.forget()  # as in another process that has not seen this feed yet
            recomputed.append(timed(client, "/calendar.ics", {"If-None-Match": etag},
                                    expect=304)[0])
        not_modified_query = statistics.median(recomputed)
        empty = median(client, args.runs * 20, "/bench-empty")
        n = first.data.count(b"BEGIN:VEVENT")
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        rush = stampede(url)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if admin is not None:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
            admin.dispose()
        tmp.cleanup()

    ms = lambda seconds: f"{seconds * 1000:,.1f} ms"  # noqa: E731
    met = lambda ok: "met" if ok else "NOT met"  # noqa: E731
    lines = [
        f"### Public feed, {n:,} events in the feed ({args.events:,} in the database), "
        f"{label}",
        "",
        f"Feed size {size / 1e6:.1f} MB ({len(zipped.data) / 1e6:.2f} MB gzipped); medians of "
        f"{args.runs} runs (304 and empty: {args.runs * 20}); in-process test client unless "
        "said otherwise.",
        "",
        "| what | time | ÷ library |",
        "| --- | ---: | ---: |",
        f"| icalendar alone: build the same VEVENTs + to_ical() | {ms(library)} | 1.00 |",
        f"| Markdown → text of the same descriptions alone | {ms(markdown)} | "
        f"{markdown / library:.2f} |",
        f"| storing every VEVENT once, both languages (writes do this as they happen) | "
        f"{ms(storing)} | {storing / library:.2f} |",
        f"| GET /calendar.ics, cold, fresh process, nothing stored yet | {ms(cold_nothing)} | "
        f"{cold_nothing / library:.2f} |",
        f"| **GET /calendar.ics, cold, fresh process** (median of 3 processes) | "
        f"{ms(cold_fresh)} | {cold_fresh / library:.2f} |",
        f"| GET /calendar.ics, first request of this process | {ms(cold)} | "
        f"{cold / library:.2f} |",
        f"| GET /calendar.ics, warm (unchanged feed, new client) | {ms(warm)} | "
        f"{warm / library:.2f} |",
        f"| GET /calendar.ics after one event changed | {ms(one_changed)} | "
        f"{one_changed / library:.2f} |",
        f"| GET /calendar.ics, gzip (first / warm) | {ms(zipped_time)} / {ms(gzip_warm)} | "
        f"{gzip_warm / library:.2f} |",
        f"| GET /calendar.ics with If-None-Match → 304 (change counter read) | "
        f"{ms(not_modified)} | {not_modified / library:.4f} |",
        f"| the same 304 when the fingerprint must be recomputed (one aggregate query) | "
        f"{ms(not_modified_query)} | {not_modified_query / library:.4f} |",
        f"| GET of an empty route (floor of any request) | {ms(empty)} | "
        f"{empty / library:.4f} |",
        f"| stampede: {rush['n']} subscribers at once on 4 fresh gunicorn workers, slowest / "
        f"median | {ms(rush['max'])} / {ms(rush['median'])} | |",
        f"| stampede: a visitor's GET / meanwhile | {ms(rush['home'])} | |",
        "",
        "| goal | ratio | |",
        "| --- | ---: | --- |",
        f"| cold feed in a fresh process ≤ 0.25 × library | {cold_fresh / library:.2f} | "
        f"{met(cold_fresh <= 0.25 * library)} |",
        f"| feed after one change ≤ 2 × warm | {one_changed / warm:.2f} | "
        f"{met(one_changed <= 2 * warm)} |",
        f"| 8 subscribers on 4 fresh workers all answered within 2 s | "
        f"{rush['max']:.2f} s | {met(rush['max'] <= 2)} |",
        f"| 304 ≤ 2 × an empty route | {not_modified / empty:.2f} | "
        f"{met(not_modified <= 2 * empty)} |",
    ]
    text = "\n".join(lines)
    print(text)
    if args.write:
        out = ROOT / "bench" / "results" / "calendar.md"
        out.parent.mkdir(parents=True, exist_ok=True)
        previous = out.read_text() if out.exists() else ""
        marker = f"{label}"
        kept = [b for b in previous.split("\n\n\n") if b.strip() and marker not in b.split(
            "\n")[0] and not b.startswith("# ")]
        header = (
            "# Calendar feed benchmark\n\n`.venv/bin/python bench/calendar_feed.py --write` "
            "(SQLite) and with `DATABASE_URL=postgresql://…` (PostgreSQL); 2 shared CPU cores, "
            "so single figures wobble by ±30 %.\n\n"
            "- Every event's VEVENT is stored per language (`event_vevents`) by the transaction "
            "that changes it; a feed reads stamps and stored bytes in one query and serialises "
            "only events whose stored bytes are not current (drafts, renames of many).\n"
            "- Whole bodies are kept in memory by ETag: an unchanged feed for a new client "
            "costs the change-counter read and a copy.\n"
            "- A 304 costs one primary-key read of `calendar_state.version`, bumped by every "
            "transaction that changes what feeds show: exact in every process at once.")
        out.write_text("\n\n\n".join([header, *kept, text]) + "\n")


if __name__ == "__main__":
    main()
