"""Column types and engine set-up shared by every area: UTC times, exact money, enums, SQLite."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles


def utcnow() -> datetime:
    return datetime.now(UTC)


# A second submit of the same form within this long is the same request, answered alike.
DOUBLE_SUBMIT_WINDOW = timedelta(minutes=2)


def just_created(row) -> bool:
    """Was `row` (with a `created_at`) created within the double-submit window?"""
    created = getattr(row, "created_at", None)
    return created is not None and utcnow() - created < DOUBLE_SUBMIT_WINDOW


def is_unique_violation(error: Exception) -> bool:
    """An IntegrityError from a UNIQUE constraint or index (PostgreSQL 23505, SQLite's text)."""
    if not isinstance(error, sa.exc.IntegrityError):
        return False
    orig = error.orig
    return getattr(orig, "sqlstate", None) == "23505" or "UNIQUE constraint failed" in str(orig)


class UTCDateTime(sa.TypeDecorator):
    """An aware UTC datetime on every database; naive values are refused, not guessed."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware datetime")
        value = value.astimezone(UTC)
        # SQLite has no time zones: store naive UTC text.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Money(sa.TypeDecorator):
    """Exact money: NUMERIC(12, 2) on PostgreSQL, integer minor units on SQLite (no floats)."""

    impl = sa.Numeric(12, 2, asdecimal=True)
    cache_ok = True
    QUANT = Decimal("0.01")

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.BigInteger())
        return dialect.type_descriptor(sa.Numeric(12, 2, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = Decimal(value).quantize(self.QUANT)
        return int(value * 100) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":
            return (Decimal(int(value)) / 100).quantize(self.QUANT)
        return Decimal(value).quantize(self.QUANT)


def enum_type(enum_cls: type[StrEnum], name: str) -> sa.Enum:
    """A VARCHAR with a CHECK constraint holding the enum's values (same on both databases)."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda cls: [m.value for m in cls],
        validate_strings=True,
    )


def _sqlite_begin_mode() -> str:
    # GET never writes, so it may read alongside others; anything else takes the write lock
    # up front, which makes read-check-write sequences (capacity!) atomic on SQLite.
    if has_request_context() and request.method in ("GET", "HEAD", "OPTIONS"):
        return "BEGIN"
    return "BEGIN IMMEDIATE"


class unicode_lower(sa.sql.functions.GenericFunction):  # noqa: N801 (an SQL function)
    """lower() of any alphabet: PostgreSQL's lower() knows Cyrillic; SQLite's only ASCII, so
    there it is Python's str.lower, registered on each connection (configure_sqlite)."""

    type = sa.String()
    inherit_cache = True


@compiles(unicode_lower)
def _lower(element, compiler, **kw):
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(unicode_lower, "sqlite")
def _lower_sqlite(element, compiler, **kw):
    return f"unicode_lower({compiler.process(element.clauses, **kw)})"


def _python_lower(value):
    return value.lower() if isinstance(value, str) else value


def configure_sqlite(engine: Engine) -> None:
    """Foreign keys on, WAL, a generous busy timeout, explicit transaction starts, and a
    lower() for every alphabet (unicode_lower)."""

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        dbapi_connection.create_function("unicode_lower", 1, _python_lower,
                                         deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql(_sqlite_begin_mode())
