"""A database of its own for a test that replaces or migrates a whole schema (a restore
target, an old revision): a new SQLite file, or a new PostgreSQL database dropped afterwards."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from tests.conftest import USE_PG


@contextmanager
def fresh_database(directory: Path, label: str = "fresh") -> Iterator[str]:
    if not USE_PG:
        yield f"sqlite:///{directory / f'{label}.sqlite3'}"
        return
    admin_url = os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    name = f"je_{label}_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        engine.dispose()
