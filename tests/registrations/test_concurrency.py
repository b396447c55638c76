"""Many people registering for the last seats at once, from threads and from processes, on the
database under test (SQLite by default, PostgreSQL with DATABASE_URL): never more confirmed
than the capacity, nobody lost, waitlist positions without gaps."""

import multiprocessing
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from events.audit.models import AuditEntry
from events.enums import RegistrationStatus
from events.extensions import db
from events.registrations.models import Registration
from events.registrations.queries import waitlist_positions
from tests.factories import make_event, make_user
from tests.registrations.workers import cancel_and_commit, process_main, register_and_commit

pytestmark = pytest.mark.concurrency

PEOPLE, SEATS = 50, 10


@pytest.fixture
def crowd(app):
    """An event with 10 seats and 50 residents, committed; returns plain ids (touching ORM
    objects after the commit would open a transaction in this thread)."""
    event = make_event(capacity=SEATS)
    people = [make_user(name=f"Person {n}") for n in range(PEOPLE)]
    ids = (event.id, [p.id for p in people])
    db.session.commit()
    db.session.close()
    return ids


def assert_exact(event_id: int, user_ids: list[int]) -> None:
    registrations = db.session.scalars(
        sa.select(Registration).where(Registration.event_id == event_id)).all()
    assert len(registrations) == PEOPLE  # nobody lost, nobody twice
    assert sorted(r.user_id for r in registrations) == sorted(user_ids)
    by_status = {s: [r for r in registrations if r.status == s] for s in RegistrationStatus}
    assert len(by_status[RegistrationStatus.CONFIRMED]) == SEATS
    assert len(by_status[RegistrationStatus.WAITLISTED]) == PEOPLE - SEATS
    positions = waitlist_positions([event_id])
    assert sorted(positions.values()) == list(range(1, PEOPLE - SEATS + 1))
    # First come, first served: every confirmed seat was taken before any waitlisted place.
    last_confirmed = max((r.registered_at, r.id) for r in by_status[RegistrationStatus.CONFIRMED])
    first_waiting = min((r.registered_at, r.id) for r in by_status[RegistrationStatus.WAITLISTED])
    assert last_confirmed < first_waiting
    audited = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.event_id == event_id, AuditEntry.action == "registration.create"))
    assert audited == PEOPLE


def test_fifty_threads_for_ten_seats(app, crowd):
    event_id, user_ids = crowd
    start = threading.Barrier(10)

    def batch(share):
        start.wait(timeout=30)
        return [register_and_commit(app, user_id, event_id) for user_id in share]

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = [r for batch_result in pool.map(batch, [user_ids[i::10] for i in range(10)])
                   for r in batch_result]
    assert len(results) == PEOPLE
    assert sum(status == "confirmed" for _, status in results) == SEATS
    assert_exact(event_id, user_ids)


def test_fifty_registrations_from_five_processes(app, crowd, database_url):
    event_id, user_ids = crowd
    context = multiprocessing.get_context("spawn")
    start, results = context.Event(), context.Queue()
    processes = [
        context.Process(target=process_main,
                        args=(str(database_url), user_ids[i::5], event_id, start, results))
        for i in range(5)
    ]
    for process in processes:
        process.start()
    start.set()
    collected = [results.get(timeout=120) for _ in range(PEOPLE)]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert sorted(user_id for user_id, _, _ in collected) == sorted(user_ids)
    assert sum(status == "confirmed" for _, _, status in collected) == SEATS
    assert_exact(event_id, user_ids)


def test_double_clicks_from_threads_make_one_registration(app, crowd):
    event_id, user_ids = crowd
    start = threading.Barrier(8)

    def click(_):
        start.wait(timeout=30)
        return register_and_commit(app, user_ids[0], event_id)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(click, range(8)))
    assert len({registration_id for registration_id, _ in results}) == 1
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Registration))
    assert count == 1


def test_ten_cancellations_at_once_promote_the_next_ten_in_order(app, crowd):
    event_id, user_ids = crowd
    for user_id in user_ids[:30]:  # 10 seated, 20 waiting, in this order
        register_and_commit(app, user_id, event_id)
    seated = db.session.scalars(sa.select(Registration.id).where(
        Registration.event_id == event_id,
        Registration.status == RegistrationStatus.CONFIRMED)).all()
    db.session.close()
    start = threading.Barrier(len(seated))

    def cancel(registration_id):
        start.wait(timeout=30)
        return cancel_and_commit(app, registration_id)

    with ThreadPoolExecutor(max_workers=len(seated)) as pool:
        assert set(pool.map(cancel, seated)) == {"cancelled"}
    status = {r.user_id: r.status for r in db.session.scalars(
        sa.select(Registration).where(Registration.event_id == event_id))}
    assert [status[u] for u in user_ids[:10]] == [RegistrationStatus.CANCELLED] * 10
    assert [status[u] for u in user_ids[10:20]] == [RegistrationStatus.CONFIRMED] * 10
    assert [status[u] for u in user_ids[20:30]] == [RegistrationStatus.WAITLISTED] * 10
    assert sorted(waitlist_positions([event_id]).values()) == list(range(1, 11))
