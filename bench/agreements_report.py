"""How fast are plan against fact, the balance by value and the annual report with 10,000
events and 50,000 contributions — beside today's report page without them?

    .venv/bin/python bench/agreements_report.py            # SQLite (a temporary file)
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/je_bench .venv/bin/python \\
        bench/agreements_report.py                         # PostgreSQL (schema is WIPED)

Loads the data of bench/contributions_report.py, then rate cards, two years of daily official
rates for EUR, USD and CNY, the memorandum (every joint event of four partners) with an
additional agreement, its programme and twelve targets. Times requests in-process through
Flask's test client and prints the median. Figures go to bench/results/agreements.md.
"""

import importlib.util
import os
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from events.extensions import db  # noqa: E402

_spec = importlib.util.spec_from_file_location("contributions_bench",
                                               ROOT / "bench" / "contributions_report.py")
contributions_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(contributions_bench)

MOSCOW = ZoneInfo("Europe/Moscow")
RUNS = 7
SLOW_RUNS = 3


def _load_agreements(today: date) -> None:
    from events.agreements.enums import AgreementStatus, RateSource, TargetMetric
    from events.agreements.models import Agreement, ExchangeRate, RateCard, RateLine, Target
    from events.enums import Category, ContributionKind
    from events.partners.models import Partner
    from events.planning.models import Programme

    db.session.execute(sa.text("UPDATE contributions SET quantity = 4, unit = 'hours' "
                               "WHERE kind = 'venue'"))
    db.session.execute(sa.text("UPDATE contributions SET quantity = 2, unit = 'people' "
                               "WHERE kind = 'speakers'"))
    partners = list(db.session.scalars(sa.select(Partner).order_by(Partner.id)))
    memorandum = Agreement(title="Меморандум", starts_on=date(today.year - 2, 1, 1),
                           signed_on=date(today.year - 2, 1, 1),
                           status=AgreementStatus.IN_FORCE, covers_all_joint_events=True,
                           parties=partners)
    additional = Agreement(title="ДС-1", starts_on=date(today.year - 1, 1, 1),
                           signed_on=date(today.year - 1, 1, 1),
                           status=AgreementStatus.IN_FORCE, parties=partners[:2])
    db.session.add_all([memorandum, additional])
    programme = db.session.get(Programme, 1)
    programme.agreement = additional
    programme.partners = partners[:2]
    k = ContributionKind
    for half, start, end in ((1, date(today.year - 2, 1, 1), date(today.year, 6, 30)),
                             (2, date(today.year, 7, 1), None)):
        db.session.add(RateCard(
            title=f"Memorandum {half}", agreement=memorandum, valid_from=start, valid_to=end,
            lines=[RateLine(kind=k.VENUE, unit="hours", price=Decimal(10000 + half * 1000)),
                   RateLine(kind=k.STAFF_TIME, unit="hours", price=Decimal(2000 + half * 250)),
                   RateLine(kind=k.SPEAKERS, unit="people", price=Decimal(30000)),
                   RateLine(kind=k.EQUIPMENT, unit="", price=Decimal(20000)),
                   RateLine(kind=k.CONSULTING, unit="", price=Decimal(15000))]))
    for partner in partners:
        db.session.add(RateCard(title=f"{partner.short_name}", partner=partner,
                                valid_from=date(today.year - 2, 1, 1),
                                lines=[RateLine(kind=k.CATERING, unit="", price=Decimal(9000)),
                                       RateLine(kind=k.PROMOTION, unit="",
                                                price=Decimal(7000))]))
    rows = []
    for offset in range(-800, 1):
        day = today + timedelta(days=offset)
        if day.weekday() in (6, 0):
            continue
        for code, level in (("EUR", 98), ("USD", 90), ("CNY", 12)):
            rows.append({"currency": code, "rate_on": day, "nominal": 1,
                         "value": Decimal(level) + Decimal(offset % 17) / 10,
                         "source": RateSource.CBR})
    db.session.execute(sa.insert(ExchangeRate), rows)
    year = {"starts_on": date(today.year, 1, 1), "ends_on": date(today.year, 12, 31)}
    db.session.flush()
    targets = [
        Target(agreement=memorandum, metric=TargetMetric.EVENTS, planned=Decimal(4000), **year),
        Target(agreement=memorandum, metric=TargetMetric.CHECKINS, planned=Decimal(9000),
               **year),
        Target(agreement=memorandum, metric=TargetMetric.EVENTS, planned=Decimal(300),
               category=Category.WORKSHOP, **year),
    ]
    for partner in partners:
        targets += [
            Target(agreement=memorandum, metric=TargetMetric.STAFF_HOURS, partner=partner,
                   planned=Decimal(5000), **year),
            Target(agreement=memorandum, metric=TargetMetric.MONEY, partner=partner,
                   currency="EUR", planned=Decimal(100000), **year),
        ]
    targets += [
        Target(programme=programme, metric=TargetMetric.EVENTS, planned=Decimal(1000), **year),
        Target(programme=programme, metric=TargetMetric.REGISTRATIONS, planned=Decimal(3000),
               **year),
        Target(programme=programme, metric=TargetMetric.ROOM_HOURS, partner=partners[0],
               planned=Decimal(2000), **year),
    ]
    db.session.add_all(targets)
    db.session.commit()


def _time(client, path: str, args: dict, runs: int) -> tuple[float, int]:
    samples, size = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path, query_string=args)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
        size = len(response.data)
    return statistics.median(samples), size


def _without_new_sections():
    """Today's report page: the value and plan sections answered by empty stubs."""
    from events.agreements.valuation import ValueBalance

    return mock.patch.multiple(
        "events.agreements.reporting",
        report_values=lambda *a, **k: ValueBalance([], [], [], []),
        report_plan=lambda *a, **k: [])


def main() -> None:
    url, name = contributions_bench._database()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True,
                      "RATELIMIT_ENABLED": False, "MAIL_BACKEND": "record"})
    lines = []
    with app.app_context():
        from flask_migrate import upgrade

        from events.contributions.reports import add_months

        upgrade(revision="heads")
        now = datetime.now(UTC).replace(microsecond=0)
        started = time.perf_counter()
        people = contributions_bench._load(now)
        today = now.astimezone(MOSCOW).date()
        _load_agreements(today)
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        load_seconds = time.perf_counter() - started
        first = today.replace(day=1)
        year = {"start": add_months(first, -6).isoformat(),
                "end": (add_months(first, 6) - timedelta(days=1)).isoformat()}
        everything = {"start": add_months(first, -13).isoformat(),
                      "end": add_months(first, 13).isoformat()}
        client = app.test_client()
        cases = [
            ("admin", "/reports", year, "report page, 12 months — today's (no value, no plan)",
             _without_new_sections, RUNS),
            ("admin", "/reports", year, "report page, 12 months — with value and plan", None,
             RUNS),
            ("admin", "/reports", everything,
             "report page, all 10,000 events — today's (no value, no plan)",
             _without_new_sections, RUNS),
            ("admin", "/reports", everything, "report page, all 10,000 events — with value "
             "and plan", None, RUNS),
            ("staff", "/reports", everything, "same, as partner staff", None, RUNS),
            ("admin", "/reports/values.csv", everything, "balance by value CSV", None, RUNS),
            ("admin", "/agreements/1", {}, "memorandum page (12 targets over every joint event)",
             None, RUNS),
            ("admin", "/programmes/1", {}, "programme page (3 targets)", None, RUNS),
            ("admin", f"/agreements/1/report/{today.year}", {}, "annual report page",
             None, SLOW_RUNS),
            ("admin", f"/agreements/1/report/{today.year}.xlsx", {}, "annual report XLSX",
             None, SLOW_RUNS),
            ("admin", f"/agreements/1/report/{today.year}.pdf", {"lang": "ru"},
             "annual report PDF (RU)", None, SLOW_RUNS),
        ]
        for who, path, args, label, patch, runs in cases:
            with client.session_transaction() as session:
                session["_user_id"] = str(people[who])
                session["_fresh"] = True
            context = patch() if patch else mock.patch.dict({})
            with context:
                client.get(path, query_string=args)  # warm caches and the pool
                median, size = _time(client, path, args, runs)
            lines.append(f"| {name} | {label} | {median * 1000:.0f} ms | "
                         f"{size / 1024:.1f} KiB |")
            print(lines[-1], flush=True)
        db.session.remove()
        db.engine.dispose()
    _write(name, load_seconds, lines)


def _write(name: str, load_seconds: float, lines: list[str]) -> None:
    out = ROOT / "bench" / "results" / "agreements.md"
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
        f"{contributions_bench.EVENTS:,} events, {contributions_bench.CONTRIBUTIONS:,} "
        f"contributions, {contributions_bench.REGISTRATIONS:,} registrations, 4 partners, "
        "7 rate cards, ~1,700 official rates, 12 targets (loaded in "
        f"{load_seconds:.1f} s). Median of {RUNS} requests ({SLOW_RUNS} for the annual "
        "report) through the Flask test client (SQL + rendering), "
        f"{datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} CPU cores shared with other work.",
        "",
        "| database | request | median | response |",
        "| --- | --- | --- | --- |",
        *lines,
        "",
    ]
    text = ["# Agreements: plan against fact, balance by value, annual report — speed", "",
            "`.venv/bin/python bench/agreements_report.py` (add `DATABASE_URL=postgresql://…` "
            "for PostgreSQL).", ""]
    for key in ("SQLite", "PostgreSQL"):
        if key in sections:
            body = sections[key]
            while body and not body[-1].strip():
                body = body[:-1]
            text += [f"## {key}", *body, ""]
    out.write_text("\n".join(text).rstrip() + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
