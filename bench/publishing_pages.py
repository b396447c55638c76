"""How quick the Atom feeds, the widget and the event page's structured data stay with 10,000
events, beside the agenda's first page.

    .venv/bin/python bench/publishing_pages.py [--events 10000] [--runs 9] [--write]

Fills a fresh database with the data set of bench/planning_agenda.py (SQLite in a temporary
file, or with DATABASE_URL a scratch PostgreSQL database `<that database>_bench`, dropped
afterwards), then times each URL through Flask's test client as a visitor: one warm-up, then
the median and the worst of --runs requests, with the SQL statements per request. The 304 row
sends the feed's own ETag back. Loopback only, bounded by --time-limit seconds. --write puts
the table into bench/results/publishing.md.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from planning_agenda import filled_app, scratch_postgres  # noqa: E402 — after the path is set


def pages(event_id: int) -> list[tuple[str, str, bool]]:
    return [
        ("/", "agenda, first page (for comparison)", False),
        ("/events.atom", "Atom, site (the next 100 events)", False),
        ("/events.atom", "Atom, site, 304 (its own ETag sent back)", True),
        ("/partners/p0/events.atom", "Atom, one partner", False),
        ("/categories/workshop/events.atom", "Atom, one category", False),
        ("/embed/partners/p0", "widget, one partner (the next 20 events)", False),
        (f"/events/{event_id}", "public event page with JSON-LD and Open Graph", False),
    ]


def measure(app, runs: int, deadline: float) -> list[dict]:
    import sqlalchemy as sa

    from events.enums import Audience, EventStatus
    from events.extensions import db
    from events.planning.models import Event

    with app.app_context():
        event_id = db.session.scalar(sa.select(Event.id).where(
            Event.audience == Audience.PUBLIC, Event.status == EventStatus.SCHEDULED,
            Event.starts_at > sa.func.now()).order_by(Event.starts_at).limit(1))
    client, rows = app.test_client(), []
    for url, what, conditional in pages(event_id):
        statements = []

        def count(*_args, _statements=statements):
            _statements.append(1)

        first = client.get(url)  # warm-up
        assert first.status_code == 200, (url, first.status_code)
        headers = {"If-None-Match": first.headers["ETag"]} if conditional else {}
        timings, status, size = [], None, 0
        for _ in range(runs):
            if time.monotonic() > deadline:
                break
            statements.clear()
            with app.app_context():
                sa.event.listen(db.engine, "before_cursor_execute", count)
                started = time.perf_counter()
                response = client.get(url, headers=headers)
                timings.append((time.perf_counter() - started) * 1000)
                sa.event.remove(db.engine, "before_cursor_execute", count)
            status, size = response.status_code, len(response.data)
        rows.append({"url": url, "what": what, "status": status, "bytes": size,
                     "median": statistics.median(timings), "max": max(timings),
                     "queries": len(statements), "runs": len(timings)})
    return rows


def run(url: str, n_events: int, runs: int, deadline: float):
    app, info = filled_app(url, n_events)
    rows = measure(app, runs, deadline)
    with app.app_context():
        from events.extensions import db

        db.engine.dispose()
    return info, rows


def table(title: str, info: dict, rows: list[dict]) -> str:
    lines = [f"### {title}", "",
             f"{info['events']:,} events; filled in {info['fill_seconds']:.1f} s.", "",
             "| what | URL | status | bytes | median ms | worst ms | SQL statements |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    lines += [f"| {r['what']} | `{r['url']}` | {r['status']} | {r['bytes']:,} | "
              f"{r['median']:.1f} | {r['max']:.1f} | {r['queries']} |" for r in rows]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--time-limit", type=float, default=300)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    deadline = time.monotonic() + args.time_limit
    database = os.environ.get("DATABASE_URL", "")
    if database.startswith("postgres"):
        url, drop = scratch_postgres(database)
        title = "PostgreSQL"
    else:
        folder = tempfile.TemporaryDirectory()
        url, drop, title = f"sqlite:///{folder.name}/bench.sqlite3", folder.cleanup, "SQLite"
    try:
        info, rows = run(url, args.events, args.runs, deadline)
    finally:
        drop()
    text = table(title, info, rows)
    print(text)
    if args.write:
        out = ROOT / "bench" / "results" / "publishing.md"
        previous = out.read_text() if out.exists() else "# Publishing pages\n"
        head, *sections = previous.split("\n### ")
        found = {part.split("\n", 1)[0]: "### " + part.rstrip() + "\n" for part in sections}
        found[title] = text
        out.write_text(head.rstrip() + "\n\n" + "\n".join(
            found[name] for name in sorted(found, key=lambda n: n != "SQLite")))


if __name__ == "__main__":
    main()
