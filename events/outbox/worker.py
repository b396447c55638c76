"""The background worker: a Huey consumer (`flask worker`) that delivers the outbox when the
web app says mail is waiting, and every minute sweeps whatever is due (retries, mail whose
wake-up was lost), sends reminders and nudges, and forgets old sent mail; once a day it
anonymises past attendees after the retention period.

The queue holds only wake-ups; the outbox table is the record. Losing the queue (a Redis
restart, a deleted SQLite file) delays mail by at most a minute and loses none.

TASK_QUEUE_URL picks Huey's storage: `sqlite:///path` (default: instance/task-queue.sqlite3,
one host, zero setup), `redis://host:port/db` (several hosts), or `immediate` (tasks run in
the calling process at once: Huey's mode for tests)."""

import logging
import os
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask, current_app
from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab
from sqlalchemy.orm import Session

from events.extensions import db
from events.outbox.services import COMMITTED_FLAG, PENDING_FLAG

log = logging.getLogger(__name__)
QUEUE_NAME = "joint-events"


def make_huey(app: Flask):
    url = app.config.get("TASK_QUEUE_URL") or ""
    if url == "immediate":
        return MemoryHuey(QUEUE_NAME, results=False, immediate=True)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(QUEUE_NAME, url=url, results=False, blocking=True, read_timeout=5)
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
    else:
        path = os.path.join(app.instance_path, "task-queue.sqlite3")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    return SqliteHuey(QUEUE_NAME, filename=path, results=False, timeout=30)


def init_worker(app: Flask) -> None:
    """Bind a Huey to the app, register its tasks, and wake the worker after each request
    that committed mail."""
    huey = make_huey(app)
    if not sa.event.contains(Session, "after_commit", mark_committed):
        sa.event.listen(Session, "after_commit", mark_committed)
        sa.event.listen(Session, "after_rollback", forget_pending)

    def in_app(function):
        def run(*args, **kwargs):
            with app.app_context():
                return function(*args, **kwargs)
        run.__name__ = function.__name__
        return run

    tasks = {
        "deliver": huey.task(name="outbox.deliver", expires=timedelta(hours=1))(in_app(deliver)),
        "sweep": huey.periodic_task(crontab(minute="*"), name="outbox.sweep")(in_app(sweep)),
        "import": huey.task(name="calendar.import")(in_app(run_import)),
        "daily": huey.periodic_task(crontab(minute="17", hour="3"),
                                    name="worker.daily")(in_app(daily)),
    }
    app.extensions["huey"] = huey
    app.extensions["worker_tasks"] = tasks

    @app.after_request
    def _wake_after_commit(response):
        if db.session.info.pop(COMMITTED_FLAG, False):
            wake_worker()
        return response


def deliver() -> None:
    """Woken after a commit: send the mail and the webhooks that are due."""
    from events.outbox.delivery import deliver_due
    from events.webhooks.delivery import deliver_due as deliver_webhooks

    outcome = deliver_due()
    if outcome.claimed:
        log.info("outbox: %s sent, %s to retry, %s dead",
                 outcome.sent, outcome.retry, outcome.dead)
    hooks = deliver_webhooks()
    if hooks.claimed:
        log.info("webhooks: %s delivered, %s to retry, %s dead",
                 hooks.delivered, hooks.retry, hooks.dead)


def sweep() -> None:
    """Every minute: reminders, nudges and feedback requests that fell due, old sent mail,
    then delivery (which also picks up retries and mail whose wake-up was lost)."""
    from events.ops.checks import record_heartbeat
    from events.outbox.delivery import deliver_due
    from events.outbox.services import forget_old_mail
    from events.planning.nudges import queue_nudges
    from events.registrations.feedback import queue_feedback_requests
    from events.registrations.reminders import queue_reminders
    from events.webhooks.delivery import deliver_due as deliver_webhooks
    from events.webhooks.services import forget_old_deliveries

    record_heartbeat()   # read by /readyz: this worker is alive
    queue_reminders()
    queue_nudges()
    queue_feedback_requests()
    forget_old_mail()
    forget_old_deliveries()
    db.session.commit()
    deliver_due()
    deliver_webhooks()


def run_import(job_id: int) -> None:
    """A calendar import job: read the file into a preview, or create the chosen events."""
    from events.calendar.jobs import run_import_job

    run_import_job(job_id)


def daily() -> int:
    """Once a day (03:17 UTC): attendee names of events that ended more than
    ATTENDEE_RETENTION_DAYS ago are anonymised (0: never). Returns how many."""
    from events.auth.personal_data import anonymise_past_attendees

    days = current_app.config["ATTENDEE_RETENTION_DAYS"]
    if not days:
        return 0
    count = anonymise_past_attendees(days)
    db.session.commit()
    log.info("anonymised %s attendees of events that ended over %s days ago", count, days)
    return count


def mark_committed(session) -> None:
    if session.info.pop(PENDING_FLAG, False):
        session.info[COMMITTED_FLAG] = True


def forget_pending(session) -> None:
    session.info.pop(PENDING_FLAG, None)


def wake_worker() -> None:
    """Tell the worker that committed mail waits. Never fails the caller: if the queue is
    unreachable, the minute's sweep delivers the mail."""
    db.session.info.pop(COMMITTED_FLAG, None)
    # The caller committed; a read transaction begun since ends here, so that a worker in
    # this very process (Huey's immediate mode) never waits behind this session's lock.
    db.session.rollback()
    try:
        current_app.extensions["worker_tasks"]["deliver"]()
    except Exception:
        log.warning("could not wake the worker; the next sweep delivers the mail",
                    exc_info=True)


def run_consumer(app: Flask, *, workers: int = 2) -> None:
    """Run the Huey consumer in this process until SIGINT/SIGTERM."""
    from huey.consumer import Consumer

    huey = app.extensions["huey"]
    if huey.immediate:
        raise RuntimeError("TASK_QUEUE_URL=immediate runs tasks in the web process; "
                           "there is nothing for a worker to do")
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app.extensions["worker_tasks"]["deliver"]()   # send what waited while no worker ran
    consumer = Consumer(huey, workers=workers, periodic=True, initial_delay=0.1,
                        backoff=1.15, max_delay=1.0, worker_type="thread")
    consumer.run()
