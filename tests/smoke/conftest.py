"""The configurations people run, started for real, once per module:

- `make_run`: `make run PORT=<free>` in a copy of the repository's layout with an instance/ of
  its own (SQLite, demo data, the worker printing mail to the console) — exactly what a
  newcomer types;
- `production`: the README's "Production" recipe — `flask db upgrade heads`, then gunicorn with
  several workers on a fresh PostgreSQL database, rate limits and the task queue in Redis, two
  `flask worker` processes delivering to an SMTP sink the test starts — configured only by the
  environment variables the README documents.

All are whole processes (`processes.Process`), stopped in the same `finally`."""

import contextlib
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
import redis

from tests.smoke.client import Client
from tests.smoke.mailboxes import ConsoleMailbox, SmtpSink
from tests.smoke.processes import BIN, Process, checkout_copy, clean_environment, free_port, run

PG_ADMIN_URL = os.environ.get("SMOKE_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
REDIS_CLAIM_KEY = "joint-events:smoke-claim"
ADMIN = ("admin@events.example.org", "admin-password-1")
SITE_URL = "https://events.example.org"


@dataclass
class Server:
    process: Process
    base_url: str
    checkout: Path
    env: dict[str, str]
    db_name: str = ""
    workers: list[Process] = field(default_factory=list)

    def client(self, **kwargs) -> Client:
        return Client(self.base_url, on_5xx=self.process.tail, **kwargs)


@pytest.fixture(scope="module")
def make_run(tmp_path_factory):
    """`make run PORT=<free port>` on a fresh instance/ (SQLite, demo data, console mail)."""
    checkout = checkout_copy(tmp_path_factory.mktemp("make-run") / "joint-events")
    port = free_port()
    env = clean_environment()
    process = Process("make run", ["make", "run", f"PORT={port}"], cwd=checkout, env=env)
    process.start()
    try:
        process.wait_for(rf"Running on http://127\.0\.0\.1:{port}\b", timeout=600)
        yield Server(process, f"http://127.0.0.1:{port}", checkout, env)
    finally:
        process.stop()


@pytest.fixture(scope="module")
def console_mail(make_run):
    return ConsoleMailbox(make_run.process)


# ---- production: PostgreSQL, Redis, SMTP, gunicorn ----------------------------------------

@contextlib.contextmanager
def fresh_postgres_database():
    """A database of its own on the machine's PostgreSQL, dropped afterwards."""
    name = f"je_smoke_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name, PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def claimed_redis_database():
    """A Redis database number no other smoke run is using (Redis is shared: we never flush,
    we only delete the rate-limit keys we made)."""
    token = secrets.token_hex(8)
    for number in range(15, 0, -1):
        client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=number)
        if client.set(REDIS_CLAIM_KEY, token, nx=True, ex=3600):
            break
    else:
        pytest.fail("every Redis database is claimed by another smoke run")
    try:
        _forget_limits(client)
        yield number
    finally:
        _forget_limits(client)
        if client.get(REDIS_CLAIM_KEY) == token.encode():
            client.delete(REDIS_CLAIM_KEY)
        client.close()


def _forget_limits(client) -> None:
    """The rate-limit counters and the worker queue's keys this run made."""
    keys = list(client.scan_iter("LIMITS*")) + list(client.scan_iter("huey.*"))
    if keys:
        client.delete(*keys)


@pytest.fixture(scope="module")
def smtp_sink():
    sink = SmtpSink(free_port()).start()
    yield sink
    sink.stop()


@pytest.fixture(scope="module")
def production(tmp_path_factory, smtp_sink):
    """The README's production recipe, with a local SMTP sink in place of the mail server."""
    checkout = checkout_copy(tmp_path_factory.mktemp("production") / "joint-events")
    port = free_port()
    with fresh_postgres_database() as (db_name, db_url), claimed_redis_database() as redis_db:
        env = clean_environment(
            DATABASE_URL=db_url,
            SECRET_KEY=secrets.token_hex(32),
            SITE_URL=SITE_URL, SITE_DOMAIN="events.example.org",
            MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_sink.port),
            RATELIMIT_STORAGE_URI=f"redis://{REDIS_HOST}:{REDIS_PORT}/{redis_db}",
            TASK_QUEUE_URL=f"redis://{REDIS_HOST}:{REDIS_PORT}/{redis_db}",
            # SESSION_COOKIE_SECURE stays off: the test speaks plain HTTP to gunicorn, where
            # production has TLS in front.
        )
        run([str(BIN / "flask"), "db", "upgrade", "heads"], cwd=checkout, env=env)
        run([str(BIN / "flask"), "create-user", "--email", ADMIN[0], "--name", "Site Admin",
             "--role", "admin", "--password", ADMIN[1]], cwd=checkout, env=env)
        process = Process("gunicorn", [
            str(BIN / "gunicorn"), "app:create_app()", "--workers", "3",
            "--bind", f"127.0.0.1:{port}", "--access-logfile", "-"], cwd=checkout, env=env)
        # Two workers, as on two hosts: they share the queue and the outbox.
        workers = [Process(f"worker {n}", [str(BIN / "flask"), "worker", "--workers", "2"],
                           cwd=checkout, env=env) for n in (1, 2)]
        process.start()
        for worker in workers:
            worker.start()
        try:
            process.wait_for(rf"Listening at: http://127\.0\.0\.1:{port}\b")
            for worker in workers:
                worker.wait_for(r"The following commands are available|Huey consumer started")
            yield Server(process, f"http://127.0.0.1:{port}", checkout, env, db_name, workers)
        finally:
            for worker in workers:
                worker.stop()
            process.stop()
