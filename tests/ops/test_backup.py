"""`flask backup` and `flask restore`: a backup taken while people register restores exactly
what had committed, into an empty database, migrated to head, with the secret key that keeps
private feed URLs (and the Subscribe page) working on a new host."""

import io
import json
import random
import re
import tarfile
import threading
import time

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from events.audit.models import AuditEntry
from events.enums import RegistrationStatus
from events.extensions import db
from events.ops.backup import (
    KEY_MEMBER,
    MANIFEST,
    PG_MEMBER,
    SQLITE_MEMBER,
    code_head,
    create_backup,
    key_fingerprint,
    read_manifest,
    restore_backup,
)
from events.planning.models import Event
from events.registrations.models import Registration
from tests.conftest import BASE_CONFIG, USE_PG, login
from tests.factories import make_event, make_registration, make_user
from tests.ops.databases import fresh_database
from tests.registrations.workers import cancel_and_commit, register_and_commit

pytestmark = pytest.mark.concurrency

KEYLESS = {name: value for name, value in BASE_CONFIG.items() if name != "SECRET_KEY"}
FEED_URL = re.compile(r"/feeds/([0-9a-f]{64})\.ics")
EVENTS, SEATS, PEOPLE, WRITERS = 4, 6, 40, 6


@pytest.fixture
def fresh_url(tmp_path):
    with fresh_database(tmp_path, "restored") as url:
        yield url


def build(url, instance=None, **config):
    """An app as a new process on a host would build it (instance/ of its own)."""
    return create_app({**KEYLESS, "SQLALCHEMY_DATABASE_URI": url, **config},
                      instance_path=str(instance) if instance else None)


def close(app):
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def registration_ids() -> set[int]:
    db.session.rollback()
    ids = set(db.session.scalars(sa.select(Registration.id)))
    db.session.rollback()
    return ids


def assert_invariants(capacities: dict[int, int]) -> None:
    """Never more confirmed than seats; one active registration per person per event; one
    registration.create audit row per registration (tests/registrations' definitions)."""
    registrations = db.session.scalars(sa.select(Registration)).all()
    for event_id, capacity in capacities.items():
        confirmed = [r for r in registrations if r.event_id == event_id
                     and r.status == RegistrationStatus.CONFIRMED]
        assert len(confirmed) <= capacity
    active = [(r.event_id, r.user_id) for r in registrations
              if r.status != RegistrationStatus.CANCELLED]
    assert len(active) == len(set(active))
    for event_id in capacities:
        audited = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
            AuditEntry.event_id == event_id, AuditEntry.action == "registration.create"))
        assert audited == sum(r.event_id == event_id for r in registrations)


def test_backup_under_load_restores_what_had_committed(app, tmp_path, fresh_url):
    events = [make_event(capacity=SEATS) for _ in range(EVENTS)]
    people = [make_user(name=f"Person {n}") for n in range(PEOPLE)]
    capacities = {event.id: SEATS for event in events}
    event_ids, user_ids = list(capacities), [person.id for person in people]
    db.session.commit()
    db.session.close()

    lock = threading.Lock()
    committed: list[tuple[float, int]] = []  # (when the commit returned, registration id)
    stop, failures = threading.Event(), []

    def writer(seed: int) -> None:
        rng = random.Random(seed)
        try:
            while not stop.is_set():
                registration_id, status = register_and_commit(
                    app, rng.choice(user_ids), rng.choice(event_ids))
                with lock:
                    committed.append((time.monotonic(), registration_id))
                if status != "cancelled" and rng.random() < 0.2:
                    cancel_and_commit(app, registration_id)
        except Exception as error:  # reported by the main thread
            failures.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    try:
        while len(committed) < 40 and not failures:
            time.sleep(0.02)
        started = time.monotonic()
        with lock:
            before = {rid for when, rid in committed if when <= started}
        result = create_backup(tmp_path / "under-load.tar.gz")
        after = registration_ids()  # every row committed before the backup finished
        seen = len(committed)
        while len(committed) < seen + 20 and not failures:  # writes go on after it
            time.sleep(0.02)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert not failures
    at_end = registration_ids()
    assert before < at_end  # writes really went on around the backup

    restored_app = build(fresh_url, tmp_path / "new-host")
    try:
        with restored_app.app_context():
            outcome = restore_backup(result.path)
            restored = registration_ids()
            assert before <= restored <= after
            assert len(before) <= len(restored) <= len(after)
            assert result.manifest["counts"]["registrations"] == len(restored)
            assert outcome.counts == result.manifest["counts"]
            assert outcome.revision_after == code_head()
            assert_invariants(capacities)
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == EVENTS
    finally:
        close(restored_app)


def _subscribe_url(client) -> str:
    page = client.get("/subscribe").get_data(as_text=True)
    return FEED_URL.search(page).group(0)


def test_feed_url_answers_after_restore_on_a_fresh_instance(database_url, tmp_path, fresh_url):
    old_host = build(database_url, tmp_path / "old-host")
    with old_host.app_context():
        person = make_user(name="Subscriber")
        make_registration(make_event(title="Seen in the feed"), person)
        db.session.commit()
        client = old_host.test_client()
        login(client, person)
        assert client.post("/subscribe/token").status_code == 302
        feed = _subscribe_url(client)
        assert client.get(feed).status_code == 200
        result = create_backup(tmp_path / "with-key.tar.gz")
        old_key = old_host.config["SECRET_KEY"]
    close(old_host)
    assert result.manifest["secret_key"] == {"in_backup": True,
                                             "fingerprint": key_fingerprint(old_key)}

    new_instance = tmp_path / "new-host"
    new_host = build(fresh_url, new_instance)
    assert new_host.config["SECRET_KEY"] != old_key  # a key of its own, generated on start
    output = new_host.test_cli_runner().invoke(args=["restore", str(result.path)])
    close(new_host)
    assert output.exit_code == 0, output.output
    assert f"wrote the backed-up key to {new_instance / 'secret_key'}" in output.output
    assert "1 private feed URL keep" in output.output
    assert list(new_instance.glob("secret_key.before-restore-*"))

    restarted = build(fresh_url, new_instance)
    try:
        assert restarted.config["SECRET_KEY"] == old_key
        with restarted.app_context():
            client = restarted.test_client()
            assert client.get(feed).status_code == 200
            assert b"Seen in the feed" in client.get(feed).data
            login(client, db.session.scalar(sa.select(type(person)).where(
                type(person).name == "Subscriber")))
            assert _subscribe_url(client) == feed  # the page shows the URL that works
    finally:
        close(restarted)


def test_restore_says_what_to_set_when_the_key_comes_from_the_environment(
        database_url, tmp_path, fresh_url):
    old_host = build(database_url, tmp_path / "old-host")
    with old_host.app_context():
        make_user()
        db.session.commit()
        result = create_backup(tmp_path / "b.tar.gz")
        old_key = old_host.config["SECRET_KEY"]
    close(old_host)
    new_host = build(fresh_url, tmp_path / "new-host", SECRET_KEY="set-in-the-environment")
    output = new_host.test_cli_runner().invoke(args=["restore", str(result.path)])
    close(new_host)
    assert output.exit_code == 0, output.output
    spare = tmp_path / "new-host" / "secret_key.from-backup"
    assert f"SECRET_KEY=$(cat {spare})" in output.output
    assert "shows each of them a new URL that answers 404" in output.output
    assert spare.read_text().strip() == old_key
    assert not (tmp_path / "new-host" / "secret_key").exists()


def test_backup_without_the_key_says_it_is_not_included(app, runner, tmp_path):
    output = runner.invoke(args=["backup", "--output", str(tmp_path / "b.tar.gz")])
    assert output.exit_code == 0, output.output
    assert "NOT included" in output.output  # the tests' key is set in the config
    manifest = read_manifest(tmp_path / "b.tar.gz")
    assert manifest["secret_key"]["in_backup"] is False
    assert manifest["alembic_revision"] == code_head()
    assert manifest["database"] == ("postgresql" if USE_PG else "sqlite")
    assert manifest["site"] == {"SITE_DOMAIN": "test.joint-events.local",
                                "SITE_URL": "http://localhost"}
    with tarfile.open(tmp_path / "b.tar.gz") as archive:
        names = archive.getnames()
    assert names == [MANIFEST, PG_MEMBER if USE_PG else SQLITE_MEMBER]
    assert KEY_MEMBER not in names


def test_restore_refuses_a_database_that_holds_data_unless_forced(app, runner, tmp_path):
    make_user(name="Already here")
    db.session.commit()
    runner.invoke(args=["backup", "--output", str(tmp_path / "b.tar.gz")])
    make_user(name="Written after the backup")
    db.session.commit()
    db.session.close()
    refused = runner.invoke(args=["restore", str(tmp_path / "b.tar.gz")])
    assert refused.exit_code == 1
    assert "the database is not empty" in refused.output
    assert "--force" in refused.output
    forced = runner.invoke(args=["restore", "--force", str(tmp_path / "b.tar.gz")])
    assert forced.exit_code == 0, forced.output
    assert "replaced a database holding" in forced.output
    names = set(db.session.scalars(sa.select(sa.text("name")).select_from(sa.table("users"))))
    assert names == {"Already here"}


def _rewrite_manifest(source, target, **changes):
    with tarfile.open(source) as archive, tarfile.open(target, "w:gz") as out:
        for member in archive.getmembers():
            data = archive.extractfile(member).read()
            if member.name == MANIFEST:
                data = json.dumps({**json.loads(data), **changes}).encode()
                member.size = len(data)
            out.addfile(member, io.BytesIO(data))


def test_restore_refuses_a_backup_made_by_newer_code(app, runner, tmp_path, fresh_url):
    runner.invoke(args=["backup", "--output", str(tmp_path / "b.tar.gz")])
    _rewrite_manifest(tmp_path / "b.tar.gz", tmp_path / "future.tar.gz",
                      alembic_revision="0099_future", app_version="9.0")
    target = build(fresh_url, tmp_path / "new-host")
    output = target.test_cli_runner().invoke(args=["restore", str(tmp_path / "future.tar.gz")])
    close(target)
    assert output.exit_code == 1
    assert "'0099_future' is newer than this code's" in output.output
    assert "app 9.0" in output.output


def test_restore_refuses_another_database_kind(app, runner, tmp_path, fresh_url):
    runner.invoke(args=["backup", "--output", str(tmp_path / "b.tar.gz")])
    other = "sqlite" if USE_PG else "postgresql"
    _rewrite_manifest(tmp_path / "b.tar.gz", tmp_path / "other.tar.gz", database=other)
    target = build(fresh_url, tmp_path / "new-host")
    output = target.test_cli_runner().invoke(args=["restore", str(tmp_path / "other.tar.gz")])
    close(target)
    assert output.exit_code == 1
    assert f"this backup holds a {other} database" in output.output


def test_restore_refuses_a_file_that_is_not_a_backup(runner, tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tar file")
    output = runner.invoke(args=["restore", str(junk)])
    assert output.exit_code == 1
    assert "is not a Joint Events backup" in output.output


def test_restore_of_an_older_backup_migrates_it_to_head(tmp_path, fresh_url):
    with fresh_database(tmp_path, "old") as old_url:
        old = build(old_url, tmp_path / "old-host")
        with old.app_context():
            upgrade(revision="0005_agreements")
            db.session.execute(sa.text(
                "INSERT INTO partners (slug, name, short_name, description, color, created_at,"
                " updated_at) VALUES ('old', 'Old partner', 'Old', '', '#1f5fa8',"
                " '2026-01-01 10:00:00', '2026-01-01 10:00:00')"))
            db.session.commit()
            result = create_backup(tmp_path / "old.tar.gz")
        close(old)
    assert result.manifest["alembic_revision"] == "0005_agreements"
    target = build(fresh_url, tmp_path / "new-host")
    try:
        with target.app_context():
            outcome = restore_backup(result.path)
            assert outcome.revision_after == code_head()
            assert "migrated 0005_agreements -> " in "\n".join(outcome.lines)
            assert "worker_heartbeats" in sa.inspect(db.engine).get_table_names()
            assert db.session.scalar(sa.text("SELECT name FROM partners")) == "Old partner"
            db.session.rollback()
    finally:
        close(target)


def test_signed_agreement_pdfs_travel_with_the_backup(database_url, tmp_path, fresh_url):
    from datetime import date

    from events.agreements.enums import AgreementStatus
    from events.agreements.models import Agreement
    from events.agreements.services import read_document, store_document
    from events.enums import Role

    pdf = b"%PDF-1.4\nsigned memorandum\n%%EOF\n"
    old_host = build(database_url, tmp_path / "old-host")
    with old_host.app_context():
        agreement = Agreement(title="Memorandum", starts_on=date(2026, 1, 1),
                              status=AgreementStatus.IN_FORCE)
        db.session.add(agreement)
        db.session.flush()
        store_document(make_user(Role.ADMIN), agreement, io.BytesIO(pdf), "signed.pdf",
                       folder=tmp_path / "old-host" / "agreements", max_bytes=10_000)
        db.session.commit()
        result = create_backup(tmp_path / "b.tar.gz")
    close(old_host)
    assert result.manifest["agreement_documents"] == 1

    new_host = build(fresh_url, tmp_path / "new-host")
    output = new_host.test_cli_runner().invoke(args=["restore", str(result.path)])
    assert output.exit_code == 0, output.output
    assert (f"signed agreement PDFs: 1 written to {tmp_path / 'new-host' / 'agreements'}"
            in output.output)
    assert "missing" not in output.output
    with new_host.app_context():
        restored = db.session.scalar(sa.select(Agreement))
        assert read_document(restored, tmp_path / "new-host" / "agreements") == pdf
    close(new_host)
