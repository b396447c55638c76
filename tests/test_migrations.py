"""Migrations: build an empty database, upgrade one holding demo data, match the models."""

import os
import uuid
import warnings

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import compare_column_types, create_app
from events.extensions import db
from tests.conftest import BASE_CONFIG, USE_PG


@pytest.fixture
def scratch_url(tmp_path):
    """A database of its own (migrations change the schema, so not the shared test one)."""
    if not USE_PG:
        yield f"sqlite:///{tmp_path}/scratch.sqlite3"
        return
    admin_url = os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"je_scratch_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield admin_url.rsplit("/", 1)[0] + "/" + name
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    engine.dispose()


@pytest.fixture
def scratch_app(scratch_url, tmp_path):
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": scratch_url})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def table_names():
    return set(sa.inspect(db.engine).get_table_names())


def test_upgrade_builds_every_table_on_an_empty_database(scratch_app):
    assert table_names() == set()
    upgrade(revision="heads")
    expected = {t.name for t in db.metadata.sorted_tables} | {"alembic_version"}
    assert table_names() == expected


def test_migrations_match_the_models(scratch_app):
    upgrade(revision="heads")
    with db.engine.connect() as conn, warnings.catch_warnings():
        # SQLite cannot reflect the functional lower(email) index; it is checked in test_models.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
        warnings.filterwarnings("ignore", "autogenerate skipping", UserWarning)
        context = MigrationContext.configure(
            conn, opts={"compare_type": compare_column_types, "render_as_batch": True})
        diff = [d for d in compare_metadata(context, db.metadata)
                if not (isinstance(d, tuple) and d[0] in ("add_index", "remove_index")
                        and d[1].name == "uq_users_email_lower")]
    assert diff == []


def test_upgrade_keeps_demo_data(scratch_app):
    from events.demo import seed_demo
    from events.planning.models import Event

    upgrade(revision="heads")
    seed_demo()
    db.session.commit()
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Event))
    db.session.remove()
    upgrade(revision="heads")  # an existing, populated database upgrades in place
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == before > 0


def test_downgrade_to_base_and_up_again(scratch_app):
    upgrade(revision="heads")
    downgrade(revision="base")
    assert table_names() <= {"alembic_version"}
    upgrade(revision="heads")
    assert "events" in table_names()
