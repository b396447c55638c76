"""Phones at the door scanning the same ticket at the same moment, from threads and from
processes, on the database under test (SQLite by default, PostgreSQL with DATABASE_URL): the
person is checked in once, every other phone hears "already checked in"."""

import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa

from events.audit.models import AuditEntry
from events.db import utcnow
from events.extensions import db
from events.registrations.models import Registration
from events.registrations.tickets import ticket_token
from tests.factories import make_event, make_partner, make_registration, make_user
from tests.registrations.door_workers import process_main, scan_and_commit

pytestmark = pytest.mark.concurrency

PHONES = 8


@pytest.fixture
def ticket(app):
    """A confirmed registration for an event starting within the hour, and the host's staff,
    committed; plain ids and the token (ORM objects stay in this thread)."""
    host = make_partner()
    starts = utcnow().replace(microsecond=0) + timedelta(minutes=30)
    event = make_event(lead=host, starts_at=starts, ends_at=starts + timedelta(hours=2))
    staff = [make_user("staff", host, name=f"Phone {n}") for n in range(PHONES)]
    registration = make_registration(event)
    ids = (event.id, [s.id for s in staff], registration.id, ticket_token(registration))
    db.session.commit()
    db.session.close()
    return ids


def assert_checked_in_once(registration_id: int, outcomes: list[str]) -> None:
    assert sorted(outcomes) == ["already"] * (len(outcomes) - 1) + ["checked_in"]
    registration = db.session.get(Registration, registration_id)
    assert registration.checked_in_at is not None
    audited = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "registration.check_in",
        AuditEntry.subject_id == registration_id))
    assert audited == 1


def test_same_ticket_from_eight_threads_checks_in_once(app, ticket):
    event_id, staff_ids, registration_id, token = ticket
    start = threading.Barrier(PHONES)

    def phone(staff_id):
        start.wait(timeout=30)
        return scan_and_commit(app, staff_id, event_id, token)

    with ThreadPoolExecutor(max_workers=PHONES) as pool:
        outcomes = list(pool.map(phone, staff_ids))
    assert_checked_in_once(registration_id, outcomes)


def test_same_ticket_from_two_processes_checks_in_once(app, ticket, database_url):
    event_id, staff_ids, registration_id, token = ticket
    context = multiprocessing.get_context("spawn")
    start, results = context.Event(), context.Queue()
    processes = [
        context.Process(target=process_main,
                        args=(str(database_url), staff_id, event_id, token, start, results))
        for staff_id in staff_ids[:2]
    ]
    for process in processes:
        process.start()
    start.set()
    outcomes = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert_checked_in_once(registration_id, outcomes)


def test_staff_adding_people_while_others_register_never_overfills(app):
    """10 people register themselves while staff add 10 others, all at once, for 5 seats."""
    from tests.registrations.door_workers import add_and_commit
    from tests.registrations.workers import register_and_commit

    host = make_partner()
    event = make_event(lead=host, capacity=5)
    staff = make_user("staff", host)
    selves = [make_user().id for _ in range(10)]
    added = [make_user().email for _ in range(10)]
    event_id, staff_id = event.id, staff.id
    db.session.commit()
    db.session.close()
    start = threading.Barrier(20)

    def self_service(user_id):
        start.wait(timeout=30)
        return register_and_commit(app, user_id, event_id)[1]

    def by_staff(email):
        start.wait(timeout=30)
        return add_and_commit(app, staff_id, event_id, email)

    with ThreadPoolExecutor(max_workers=20) as pool:
        futures = [pool.submit(self_service, u) for u in selves] + [
            pool.submit(by_staff, e) for e in added]
        outcomes = [f.result() for f in futures]
    assert outcomes.count("confirmed") == 5
    assert outcomes.count("waitlisted") == 15
    confirmed = db.session.scalar(sa.select(sa.func.count()).select_from(Registration).where(
        Registration.event_id == event_id, Registration.status == "confirmed"))
    assert confirmed == 5
