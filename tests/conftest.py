"""Fixtures shared by every area: a migrated database per test (SQLite or, with DATABASE_URL,
PostgreSQL), the app, a client, a login helper, query counting, the mail outbox, a live server
and a real headless Chromium."""

import os
import shutil
import threading
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import g
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from app import create_app
from events.extensions import db, mail

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
PG_URL = os.environ.get("DATABASE_URL", "")
USE_PG = PG_URL.startswith("postgres")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

BASE_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key",
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "MAIL_BACKEND": "record",
    # Huey runs tasks in the caller at once: a committed mail is delivered (and recorded by
    # the `outbox` fixture) before the request returns. tests/smoke runs the real worker.
    "TASK_QUEUE_URL": "immediate",
    "SITE_URL": "http://localhost",
    "SITE_DOMAIN": "test.joint-events.local",
}


def _migrate(url: str, instance: Path) -> None:
    from flask_migrate import upgrade

    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    app.instance_path = str(instance)
    with app.app_context():
        upgrade(revision="heads")
        db.engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Run the migrations once per session: into a template SQLite file, or into PostgreSQL."""
    base = tmp_path_factory.mktemp("db")
    if USE_PG:
        engine = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
        engine.dispose()
        _migrate(PG_URL, base)
        return PG_URL
    template = base / "template.sqlite3"
    _migrate(f"sqlite:///{template}", base)
    return template


@pytest.fixture
def database_url(database_template, tmp_path):
    """A clean, migrated database for one test."""
    if USE_PG:
        yield PG_URL
        engine = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
        tables = ", ".join(
            t.name for t in db.metadata.sorted_tables
        )
        with engine.begin() as conn:
            conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        engine.dispose()
        return
    path = tmp_path / "test.sqlite3"
    shutil.copyfile(database_template, path)
    yield f"sqlite:///{path}"


class IsolatedClient(FlaskClient):
    """Test requests share the test's app context (and so its session, which keeps factory
    objects fresh), but each starts with an empty `g`, as a real request does: no locale,
    signed-in user, CSRF token or mail queue leaks from one request into the next."""

    def open(self, *args, **kwargs):
        with suppress(RuntimeError):  # no app context pushed: nothing to leak
            g.__dict__.clear()
        return super().open(*args, **kwargs)


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build an app on this test's database with extra config."""
    apps = []

    def build(**config):
        app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, **config})
        app.test_client_class = IsolatedClient
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    from events.calendar import cache

    cache.forget()  # feeds' in-process memory belongs to the previous test's database
    app = make_app()
    with app.app_context():
        yield app
        db.session.rollback()


@pytest.fixture
def csrf_app(make_app):
    """An app with CSRF on, as in production: for live servers a real browser drives."""
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app
        db.session.rollback()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def login(client, user) -> None:
    """Sign `user` in on this client without going through the form (fast, no scrypt). What
    the test built so far is committed, as it would be before a real person could sign in: a
    refused request rolls back only its own changes."""
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


@pytest.fixture
def outbox(app):
    with mail.record_messages() as messages:
        yield messages


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """`with count_queries() as counter:` counts the SQL statements run inside the block."""

    @contextmanager
    def counting():
        counter = QueryCounter()

        def before(conn, cursor, statement, *args):
            if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
                counter.statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", before)

    return counting


# ---- live server and browser (end-to-end tests) -------------------------------------------

@pytest.fixture
def live_server(app):
    """The test's app served by a real HTTP server on 127.0.0.1 and a free port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def playwright():
    """One Playwright per test session (a second sync one cannot start inside it): tests that
    need a browser launched with flags of their own launch it from here."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make browser` (Debian package).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright):
    """Debian's Chromium driven by Playwright. Missing Chromium fails loudly; never skips."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser context per test; a screenshot lands in test-artifacts/ on failure."""
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def browser_login(page, base_url: str, email: str, password: str) -> None:
    """Sign in through the real form."""
    page.goto(f"{base_url}/signin")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("form.form button[type=submit]")


@pytest.fixture
def axe_page(browser):
    """A page for axe-core runs: our strict CSP would block the injected script otherwise."""
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def demo_server(app, live_server):
    """The live server on a database holding the demo data."""
    from events.demo import seed_demo

    seed_demo()
    db.session.commit()
    return live_server


def drain_in_two_workers(app, deliver_batch, *, limit: int) -> None:
    """Two worker threads, started together, each calling `deliver_batch(limit=...)` until
    it claims nothing (the outbox's and the webhooks' deliveries alike); neither raises."""
    start, errors = threading.Barrier(2), []

    def work():
        with app.app_context():
            try:
                start.wait(timeout=10)
                while deliver_batch(limit=limit).claimed:
                    pass
            except Exception as error:
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
