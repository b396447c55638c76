"""Upgrades from the previous release: a database at "0005_agreements" holding what that
release wrote (rows inserted with SQL at that revision, as its code would have — today's demo
code needs today's schema) is upgraded to head, read by today's code, downgraded back and
upgraded again, keeping every row. And the demo data of head survives a trip down to that
revision and back. On SQLite, and on PostgreSQL when DATABASE_URL points there (both CI runs)."""

import hashlib
import warnings
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import create_app
from events.calendar.tokens import token_from_nonce
from events.extensions import db
from events.ops.backup import code_head
from tests.conftest import BASE_CONFIG
from tests.ops.databases import fresh_database

PREVIOUS = "0005_agreements"
NONCE = "a" * 64
# The previous release's tables and how many rows the test writes into each.
ROWS = {"partners": 2, "venues": 1, "programmes": 1, "users": 4, "events": 4,
        "involvements": 5, "registrations": 3, "contributions": 2, "audit_entries": 2,
        "feed_tokens": 1, "agreements": 1, "agreement_parties": 2, "programme_partners": 1,
        "calendar_state": 1}


@pytest.fixture
def old_app(tmp_path):
    with fresh_database(tmp_path, "upgrade") as url:
        app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()


def _now() -> datetime:
    """Timestamps as the previous release stored them: naive UTC text on SQLite."""
    now = datetime.now(UTC).replace(microsecond=0)
    return now.replace(tzinfo=None) if db.engine.dialect.name == "sqlite" else now


def write_previous_release_rows() -> None:
    """What the previous release's demo holds, table by table, in that schema."""
    now = _now()
    # Money as the app stores it: integer minor units on SQLite, NUMERIC(12, 2) on PostgreSQL.
    hall = 1_500_000 if db.engine.dialect.name == "sqlite" else Decimal("15000.00")
    metadata = sa.MetaData()
    with db.engine.begin() as conn:
        def insert(table: str, *rows: dict) -> None:
            with warnings.catch_warnings():  # SQLite cannot reflect lower(email)'s index
                warnings.filterwarnings("ignore", "Skipped unsupported reflection",
                                        sa.exc.SAWarning)
                target = sa.Table(table, metadata, autoload_with=conn)
            for row in rows:  # one at a time: rows may name different columns
                conn.execute(sa.insert(target), row)

        insert("partners",
               {"id": 1, "slug": "northern", "name": "Northern Science Park",
                "short_name": "Northern", "description": "Host", "color": "#1f5fa8",
                "created_at": now, "updated_at": now, "name_ru": "Северный научный парк",
                "short_name_ru": "Северный"},
               {"id": 2, "slug": "technopolis", "name": "Technopolis", "short_name": "Techno",
                "description": "", "color": "#a83a1f", "created_at": now, "updated_at": now})
        insert("venues", {"id": 1, "partner_id": 1, "site": "Main", "building": "A",
                          "name": "Hall 1", "address": "1 Science Way", "capacity": 80,
                          "accessibility": "Step-free", "is_active": True, "updated_at": now})
        insert("programmes", {"id": 1, "slug": "winter", "title": "Winter school",
                              "description": "", "created_at": now})
        users = [("admin@joint.example", "admin", None, ""),
                 ("coordinator@northern.example", "coordinator", 1, ""),
                 ("staff@technopolis.example", "staff", 2, ""),
                 ("maria@genotek.example", "resident", None, "Genotek")]
        insert("users", *[
            {"id": n, "email": email, "name": email.split("@")[0].title(),
             "password_hash": "!", "role": role, "partner_id": partner, "company": company,
             "is_active": True, "created_at": now, "email_key": email, "email_verified_at": now,
             "residency": "confirmed" if role == "resident" else None,
             "session_token": f"{n:064x}"}
            for n, (email, role, partner, company) in enumerate(users, start=1)])
        events = [(1, "Lab tour", "scheduled", 2), (2, "Draft workshop", "draft", None),
                  (3, "Cancelled seminar", "cancelled", 10), (4, "Семинар GMP", "draft", 5)]
        insert("events", *[
            {"id": n, "uid": f"event-{n}@test.joint-events.local", "title": title,
             "summary": "A joint event", "description": "**Bring** a laptop",
             "category": "workshop", "format": "in_person", "venue_id": 1,
             "starts_at": now + timedelta(days=7 + n), "ends_at": now + timedelta(days=7 + n,
                                                                                  hours=2),
             "timezone": "Europe/Berlin", "capacity": capacity, "audience": "public",
             "status": status, "programme_id": 1, "sequence": 1, "created_by_id": 2,
             "created_at": now, "updated_at": now, "is_all_day": False,
             "published_at": now if status == "scheduled" else None}
            for n, title, status, capacity in events])
        insert("involvements",
               *[{"event_id": n, "partner_id": 1, "role": "host", "state": "accepted",
                  "note": "", "invited_at": now} for n in (1, 2, 3, 4)],
               {"event_id": 1, "partner_id": 2, "role": "co-host", "state": "invited",
                "note": "Join us?", "invited_by_id": 2, "invited_at": now})
        insert("registrations",
               {"event_id": 1, "user_id": 4, "status": "confirmed", "registered_at": now,
                "confirmed_at": now, "cancel_token_hash": "b" * 64},
               {"event_id": 1, "user_id": 3, "status": "waitlisted", "registered_at": now},
               {"event_id": 3, "user_id": 4, "status": "cancelled", "registered_at": now,
                "cancelled_at": now})
        insert("contributions",
               *[{"event_id": 1, "partner_id": partner, "kind": kind, "description": text,
                  "quantity": Decimal("2.50"), "unit": "h", "amount": amount,
                  "currency": "RUB", "status": "pledged", "created_by_id": 2,
                  "created_at": now, "updated_at": now}
                 for partner, kind, text, amount in [(1, "venue", "Hall", hall),
                                                     (2, "catering", "Coffee", None)]])
        insert("audit_entries",
               {"actor_id": 2, "action": "event.create", "subject_type": "event",
                "subject_id": 1, "event_id": 1, "changes": {"title": "Lab tour"},
                "created_at": now},
               {"actor_id": 4, "action": "registration.create", "subject_type": "registration",
                "subject_id": 1, "event_id": 1, "changes": {}, "created_at": now})
        token = token_from_nonce(NONCE, BASE_CONFIG["SECRET_KEY"])
        insert("feed_tokens", {"user_id": 4, "nonce": NONCE,
                               "token_hash": hashlib.sha256(token.encode()).hexdigest(),
                               "created_at": now})
        insert("agreements", {"id": 1, "title": "Memorandum", "number": "M-1",
                              "starts_on": date(2026, 1, 1), "status": "in_force",
                              "covers_all_joint_events": True, "notes": "",
                              "created_at": now, "updated_at": now})
        insert("agreement_parties", {"agreement_id": 1, "partner_id": 1},
               {"agreement_id": 1, "partner_id": 2})
        insert("programme_partners", {"programme_id": 1, "partner_id": 1})


def counts(tables) -> dict[str, int]:
    with db.engine.connect() as conn:
        return {table: conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()  # noqa: S608
                for table in tables}


def revision() -> str:
    with db.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def assert_read_by_todays_code(app) -> None:
    """Today's models and pages read the upgraded rows."""
    from events.auth.models import User
    from events.contributions.models import Contribution
    from events.enums import RegistrationStatus
    from events.partners.models import Partner
    from events.planning.models import Event, Programme
    from events.registrations.models import Registration

    assert db.session.get(Partner, 1).name_ru == "Северный научный парк"
    assert db.session.get(Event, 1).title == "Lab tour"
    # One text moved to its language's columns by its alphabet (0018_bilingual), the other
    # language empty; both read the same in either language.
    lab, gmp = db.session.get(Event, 1), db.session.get(Event, 4)
    assert (lab.title_en, lab.title_ru) == ("Lab tour", "")
    assert lab.description_en == "**Bring** a laptop"
    assert (gmp.title_ru, gmp.title_en, gmp.summary_ru) == ("Семинар GMP", "", "A joint event")
    assert db.session.get(Programme, 1).title_en == "Winter school"
    assert db.session.get(Event, 1).timezone == "Europe/Berlin"
    assert db.session.get(User, 4).email == "maria@genotek.example"
    statuses = sorted(r.status for r in db.session.scalars(sa.select(Registration)))
    assert statuses == sorted([RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED,
                               RegistrationStatus.CANCELLED])
    amounts = sorted(str(c.amount) for c in db.session.scalars(sa.select(Contribution)))
    assert amounts == ["15000.00", "None"]
    db.session.remove()
    client = app.test_client()
    assert "Lab tour" in client.get("/").get_data(as_text=True)
    assert client.get("/events/1").status_code == 200
    token = token_from_nonce(NONCE, app.config["SECRET_KEY"])
    feed = client.get(f"/feeds/{token}.ics")  # the resident's private feed still opens
    assert feed.status_code == 200
    assert b"Lab tour" in feed.data
    db.session.remove()


def test_previous_release_data_upgrades_to_head_and_back(old_app):
    upgrade(revision=PREVIOUS)
    write_previous_release_rows()
    before = counts(ROWS)
    assert before == ROWS

    upgrade(revision="heads")
    assert revision() == code_head()
    assert counts(ROWS) == before
    assert counts(["outbox_messages", "worker_heartbeats"]) == {
        "outbox_messages": 0, "worker_heartbeats": 0}
    assert_read_by_todays_code(old_app)

    downgrade(revision=PREVIOUS)
    assert revision() == PREVIOUS
    assert counts(ROWS) == before
    tables = set(sa.inspect(db.engine).get_table_names())
    assert "outbox_messages" not in tables
    assert "worker_heartbeats" not in tables

    upgrade(revision="heads")
    assert revision() == code_head()
    assert counts(ROWS) == before
    assert_read_by_todays_code(old_app)


def test_demo_data_survives_a_trip_down_to_the_previous_release_and_back(old_app):
    from events.demo import seed_demo

    upgrade(revision="heads")
    seed_demo()
    db.session.commit()
    db.session.remove()
    kept = counts(ROWS)
    assert kept["events"] > 0
    assert kept["registrations"] > 0

    downgrade(revision=PREVIOUS)
    assert counts(ROWS) == kept
    upgrade(revision="heads")
    assert counts(ROWS) == kept
    assert old_app.test_client().get("/").status_code == 200
    db.session.remove()


def test_each_migration_downgrades_and_upgrades_on_its_own(old_app):
    """Every step on an empty database, one at a time: down then up again."""
    from events.ops.backup import script_directory

    steps = [s.revision for s in reversed(list(script_directory().walk_revisions()))]
    for step in steps:
        upgrade(revision=step)
        assert revision() == step
    for step in reversed(steps[:-1]):
        downgrade(revision=step)
        assert revision() == step
    upgrade(revision="heads")
    assert revision() == code_head()
