"""bilingual events: title, summary and description in Russian and in English (and the
titles and descriptions of series and programmes)

Revision ID: 0018_bilingual
Revises: 0017_series_contributions
Create Date: 2026-11-28

Each event's one title, summary and description move to the column of the language they are
written in: Russian where the title or summary has a Cyrillic letter, English otherwise;
the other language starts empty (readers of it see the same text, as before). Series titles
and programmes' titles and descriptions move the same way (a programme by its title and
description).

"""
import re
import warnings
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018_bilingual'
down_revision = '0017_series_contributions'
branch_labels = None
depends_on = None

CYRILLIC = re.compile("[\u0400-\u04ff]")
EVENT_TEXTS = (("title", 200), ("summary", 500), ("description", None))
PROGRAMME_TEXTS = (("title", 200), ("description", None))
TABLES = (("events", EVENT_TEXTS), ("series", EVENT_TEXTS[:1]), ("programmes", PROGRAMME_TEXTS))


@contextmanager
def _quiet():
    """SQLite's batch mode copies the table, reflecting the users table it points to; the
    functional lower(email) index there cannot be reflected and is not touched."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
        yield


def _type(length):
    return sa.Text() if length is None else sa.String(length=length)


def _language(*texts) -> str:
    return "ru" if any(CYRILLIC.search(t or "") for t in texts) else "en"


def _move(table: str, texts, to_columns: bool) -> None:
    """Copy each row's text into its language's columns (or back into one column)."""
    bind = op.get_bind()
    names = [name for name, _ in texts]
    if to_columns:
        rows = bind.execute(sa.text(f"SELECT id, {', '.join(names)} FROM {table}")).all()
        updates = []
        for row in rows:
            values = dict(zip(names, row[1:]))
            # Events by title and summary, programmes by title and description.
            lang = _language(values["title"], values.get("summary", values.get("description")))
            updates.append({"id": row[0], **{f"{n}_{lang}": values[n] or "" for n in names}})
        for lang in ("ru", "en"):
            chosen = [u for u in updates if f"title_{lang}" in u]
            if chosen:
                sets = ", ".join(f"{n}_{lang} = :{n}_{lang}" for n in names)
                bind.execute(sa.text(f"UPDATE {table} SET {sets} WHERE id = :id"), chosen)
    else:
        # One language for all of a row's text: English where it has an English title (the
        # site's default language), else Russian.
        sets = ", ".join(
            f"{n} = CASE WHEN title_en <> '' THEN {n}_en ELSE {n}_ru END" for n in names)
        bind.execute(sa.text(f"UPDATE {table} SET {sets}"))


def _add_languages(table: str, texts) -> None:
    with _quiet(), op.batch_alter_table(table, schema=None) as batch_op:
        for name, length in texts:
            for lang in ("ru", "en"):
                batch_op.add_column(sa.Column(f"{name}_{lang}", _type(length),
                                              server_default='', nullable=False))


def _drop_languages(table: str, texts) -> None:
    with _quiet(), op.batch_alter_table(table, schema=None) as batch_op:
        for name, _ in texts:
            for lang in ("ru", "en"):
                batch_op.drop_column(f"{name}_{lang}")


def upgrade():
    for table, texts in TABLES:
        _add_languages(table, texts)
        _move(table, texts, to_columns=True)
        with _quiet(), op.batch_alter_table(table, schema=None) as batch_op:
            for name, _ in texts:
                batch_op.drop_column(name)


def downgrade():
    # The stored VEVENTs were made from either language's text: made again on first use.
    op.execute("DELETE FROM event_vevents")
    for table, texts in TABLES:
        with _quiet(), op.batch_alter_table(table, schema=None) as batch_op:
            for name, length in texts:
                batch_op.add_column(sa.Column(name, _type(length), server_default='',
                                              nullable=False))
        _move(table, texts, to_columns=False)
        _drop_languages(table, texts)
